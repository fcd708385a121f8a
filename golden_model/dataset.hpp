// Datasets for training the golden model: MNIST and Fashion-MNIST (IDX,
// gzip or plain) and CIFAR-10 (binary batches). A missing, truncated or
// wrong-magic file is a DatasetError naming the file and the fix.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace taxonn {

class DatasetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Dataset {
  std::string name;
  int channels = 1, height = 0, width = 0, classes = 10;
  std::vector<std::uint8_t> pixels;  // n * channels * height * width, CHW per image
  std::vector<std::uint8_t> labels;
  std::size_t size() const { return labels.size(); }
  std::size_t image_size() const { return static_cast<std::size_t>(channels * height * width); }
  const std::uint8_t* image(std::size_t i) const { return pixels.data() + i * image_size(); }
};

struct DatasetPair {
  Dataset train, test;
  std::string source;  // where it was read from, for reports
};

// IDX images (magic 0x00000803) and labels (0x00000801), .gz or not.
Dataset load_idx(const std::string& images, const std::string& labels, const std::string& name);
// CIFAR-10 binary batches: records of 1 label byte + 3072 pixel bytes.
Dataset load_cifar_bin(const std::vector<std::string>& files, const std::string& name);

// A dataset by name: mnist, fashion-mnist, cifar10. `dir` empty means the
// default place: ../shared/datasets/mnist for mnist (relative to the source
// tree, when present), /usr/share/datasets/fashion-mnist for fashion-mnist
// (Debian's dataset-fashion-mnist). The error names what was looked for.
DatasetPair load_dataset(const std::string& name, const std::string& dir);
std::string default_dataset_dir(const std::string& name);
const std::vector<std::string>& dataset_names();

// Read a whole file, gunzipping when it is gzip.
std::vector<std::uint8_t> read_maybe_gz(const std::string& path);

}  // namespace taxonn
