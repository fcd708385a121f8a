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

// The training data of a network run (tb_net, `taxonn sim`): `name` as
// given, checked; when empty, the dataset whose images have `image_values`
// values (28x28: MNIST, else Debian's Fashion-MNIST; 32x32x3: CIFAR-10), or
// "random" (seeded random samples) when no dataset has that size. `note`
// says what was chosen when it was not asked for. A name that is none of
// dataset_names() nor "random", or a size whose datasets are all missing,
// is a DatasetError.
std::string choose_net_dataset(const std::string& name, int image_values, std::string* note);
// A dataset fits a network: images of `image_values` values, labels below
// `classes`; the error names the dataset, the sample and the fix.
void check_dataset_fits(const DatasetPair& d, int image_values, int classes, const std::string& config_name);

// "teacher": a learnable synthetic dataset of any image size, for configs
// no real dataset fits (mlp_small) and for quick tests: seeded uniform random
// pixels, each labelled by the argmax of a fixed seeded random linear map of
// its centred pixels (a linear teacher, so a network can learn it and a
// narrower format measurably learns it worse). 4,000 training and 1,000
// test images; the same seed gives the same bytes everywhere.
DatasetPair teacher_dataset(int channels, int height, int width, int classes, std::uint64_t seed = 1);

// "random": seeded random bytes and labels, nothing to learn (1,000 training
// and 100 test samples of `size` values): the network testbench's stimulus
// for configs no dataset fits.
DatasetPair random_dataset(int size, int classes, std::uint64_t seed);

// Augmentation by translation (`train --shift`): `out` is image `in` of `d`'s
// shape moved down by dy and right by dx pixels (negative: up, left), every
// channel alike, with 0 where the move leaves no pixel. |dy| < height and
// |dx| < width.
void shift_image(const Dataset& d, const std::uint8_t* in, int dy, int dx, std::uint8_t* out);

// Read a whole file, gunzipping when it is gzip.
std::vector<std::uint8_t> read_maybe_gz(const std::string& path);

}  // namespace taxonn
