// Dataset readers.
#include "dataset.hpp"
#include "splitmix.hpp"

#include <cstdlib>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <zlib.h>

namespace taxonn {
namespace fs = std::filesystem;

std::vector<std::uint8_t> read_maybe_gz(const std::string& path) {
  if (!fs::exists(path)) throw DatasetError(fmt::format("{}: no such file; check the dataset path", path));
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files too
  if (!f) throw DatasetError(fmt::format("{}: cannot open; check its permissions", path));
  std::vector<std::uint8_t> out;
  std::uint8_t buf[1 << 16];
  int n = 0;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
  int err = 0;
  const char* msg = gzerror(f, &err);
  const bool bad = n < 0 || (err != Z_OK && err != Z_STREAM_END);
  const std::string why = bad ? msg : "";
  gzclose(f);
  if (bad) throw DatasetError(fmt::format("{}: damaged gzip data ({}); fetch the file again", path, why));
  return out;
}

namespace {

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}

}  // namespace

Dataset load_idx(const std::string& images, const std::string& labels, const std::string& name) {
  const auto img = read_maybe_gz(images);
  const auto lab = read_maybe_gz(labels);
  if (img.size() < 16 || be32(img, 0) != 0x00000803)
    throw DatasetError(fmt::format("{}: not an IDX image file (magic 0x00000803 expected); check the path", images));
  if (lab.size() < 8 || be32(lab, 0) != 0x00000801)
    throw DatasetError(fmt::format("{}: not an IDX label file (magic 0x00000801 expected); check the path", labels));
  const std::size_t n = be32(img, 4), h = be32(img, 8), w = be32(img, 12);
  if (img.size() != 16 + n * h * w)
    throw DatasetError(fmt::format("{}: truncated: {} bytes, the header promises {}; fetch the file again", images,
                                   img.size(), 16 + n * h * w));
  if (be32(lab, 4) != n || lab.size() != 8 + n)
    throw DatasetError(fmt::format("{}: {} labels for {} images, or truncated; use the matching label file", labels,
                                   be32(lab, 4), n));
  Dataset d;
  d.name = name;
  d.height = static_cast<int>(h);
  d.width = static_cast<int>(w);
  d.pixels.assign(img.begin() + 16, img.end());
  d.labels.assign(lab.begin() + 8, lab.end());
  for (std::size_t i = 0; i < n; ++i)
    if (d.labels[i] >= d.classes)
      throw DatasetError(fmt::format("{}: label {} of item {} is out of range 0..9; use a 10-class label file", labels,
                                     d.labels[i], i));
  return d;
}

Dataset load_cifar_bin(const std::vector<std::string>& files, const std::string& name) {
  constexpr std::size_t kRecord = 1 + 3 * 32 * 32;
  Dataset d;
  d.name = name;
  d.channels = 3;
  d.height = d.width = 32;
  for (const auto& path : files) {
    const auto b = read_maybe_gz(path);
    if (b.empty() || b.size() % kRecord != 0)
      throw DatasetError(fmt::format("{}: {} bytes is not a whole number of {}-byte CIFAR-10 records (truncated?)",
                                     path, b.size(), kRecord));
    for (std::size_t r = 0; r < b.size(); r += kRecord) {
      if (b[r] >= 10)
        throw DatasetError(fmt::format("{}: label {} at record {} is out of range 0..9; not a CIFAR-10 file", path,
                                       b[r], r / kRecord));
      d.labels.push_back(b[r]);
      d.pixels.insert(d.pixels.end(), b.begin() + static_cast<long>(r) + 1, b.begin() + static_cast<long>(r + kRecord));
    }
  }
  return d;
}

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> v = {"mnist", "fashion-mnist", "cifar10"};
  return v;
}

std::string default_dataset_dir(const std::string& name) {
  // $TAXONN_DATA_DIR/<name> first (a user's clone without ../shared), then
  // the shared folder beside the source tree, then Debian's package.
  if (const char* env = std::getenv("TAXONN_DATA_DIR"); env && *env) {
    const std::string d = std::string(env) + "/" + name;
    if (fs::is_directory(d)) return d;
  }
  const std::string shared = fs::weakly_canonical(fs::path(TAXONN_SOURCE_DIR) / ".." / "shared" / "datasets" / name).string();
  if (name == "fashion-mnist" && !fs::is_directory(shared)) return "/usr/share/datasets/fashion-mnist";
  return shared;
}

DatasetPair load_dataset(const std::string& name, const std::string& dir_in) {
  bool known = false;
  for (const auto& n : dataset_names()) known |= n == name;
  if (!known) throw DatasetError(fmt::format("unknown dataset '{}'; use mnist, fashion-mnist or cifar10", name));
  const std::string dir = dir_in.empty() ? default_dataset_dir(name) : dir_in;
  if (!fs::is_directory(dir)) {
    std::string hint = name == "fashion-mnist" ? "install Debian's dataset-fashion-mnist (make does) or pass --data-dir"
                                               : "pass --data-dir DIR";
    throw DatasetError(fmt::format("dataset '{}': folder {} does not exist; {}", name, dir, hint));
  }
  DatasetPair p;
  // For reports: relative to the source tree when it is beside it (so no
  // machine's path lands in committed results), else absolute.
  const fs::path abs = fs::canonical(dir);
  const fs::path root = fs::weakly_canonical(fs::path(TAXONN_SOURCE_DIR));
  const fs::path rel = abs.lexically_relative(root);
  p.source = !rel.empty() && rel.string().rfind("../..", 0) != 0 && abs.string().rfind("/usr/", 0) != 0
                 ? rel.string() : abs.string();
  auto pick = [&](const std::string& stem) {
    for (const char* ext : {".gz", ""}) {
      const std::string f = dir + "/" + stem + ext;
      if (fs::exists(f)) return f;
    }
    return dir + "/" + stem + ".gz";  // read_maybe_gz names it in its error
  };
  if (name == "cifar10") {
    std::vector<std::string> train;
    for (int i = 1; i <= 5; ++i) train.push_back(pick(fmt::format("data_batch_{}.bin", i)));
    p.train = load_cifar_bin(train, name);
    p.test = load_cifar_bin({pick("test_batch.bin")}, name);
  } else {
    p.train = load_idx(pick("train-images-idx3-ubyte"), pick("train-labels-idx1-ubyte"), name);
    p.test = load_idx(pick("t10k-images-idx3-ubyte"), pick("t10k-labels-idx1-ubyte"), name);
  }
  return p;
}

void shift_image(const Dataset& d, const std::uint8_t* in, int dy, int dx, std::uint8_t* out) {
  const int h = d.height, w = d.width;
  for (int c = 0; c < d.channels; ++c) {
    const std::uint8_t* src = in + static_cast<std::size_t>(c) * h * w;
    std::uint8_t* dst = out + static_cast<std::size_t>(c) * h * w;
    for (int y = 0; y < h; ++y) {
      const int sy = y - dy;
      for (int x = 0; x < w; ++x) {
        const int sx = x - dx;
        dst[y * w + x] = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? src[sy * w + sx] : 0;
      }
    }
  }
}

DatasetPair random_dataset(int size, int classes, std::uint64_t seed) {
  DatasetPair p;
  p.source = fmt::format("random bytes, seed {}", seed);
  std::mt19937_64 rng(seed ^ 0x5A5A5A5AULL);
  for (Dataset* d : {&p.train, &p.test}) {
    const std::size_t n = d == &p.train ? 1000 : 100;
    d->name = "random";
    d->width = size;
    d->height = 1;
    d->classes = classes;
    for (std::size_t i = 0; i < n * static_cast<std::size_t>(size); ++i) d->pixels.push_back(static_cast<std::uint8_t>(rng()));
    for (std::size_t i = 0; i < n; ++i) d->labels.push_back(static_cast<std::uint8_t>(rng() % static_cast<unsigned>(classes)));
  }
  return p;
}

DatasetPair teacher_dataset(int channels, int height, int width, int classes, std::uint64_t seed) {
  if (channels < 1 || height < 1 || width < 1 || classes < 2)
    throw DatasetError(fmt::format("dataset 'teacher': images of {}x{}x{} with {} classes; it needs at least one value "
                                   "and two classes", channels, height, width, classes));
  const std::size_t values = static_cast<std::size_t>(channels) * height * width;
  SplitMix64 rng{seed ^ 0x7465616368657231ull};
  auto next = [&rng] { return rng.next(); };
  std::vector<std::int64_t> teacher(values * static_cast<std::size_t>(classes));
  for (auto& t : teacher) t = static_cast<std::int64_t>(next() % 255) - 127;
  auto make = [&](std::size_t n) {
    Dataset d;
    d.name = "teacher";
    d.channels = channels;
    d.height = height;
    d.width = width;
    d.classes = classes;
    d.pixels.resize(n * values);
    d.labels.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint8_t* img = d.pixels.data() + i * values;
      for (std::size_t v = 0; v < values; ++v) img[v] = static_cast<std::uint8_t>(next() >> 56);
      std::int64_t best = 0;
      int arg = 0;
      for (int k = 0; k < classes; ++k) {
        std::int64_t s = 0;  // exact: |s| < 2^7 * 2^8 * 2^24 values
        for (std::size_t v = 0; v < values; ++v)
          s += teacher[static_cast<std::size_t>(k) * values + v] * (2 * static_cast<std::int64_t>(img[v]) - 255);
        if (k == 0 || s > best) best = s, arg = k;
      }
      d.labels[i] = static_cast<std::uint8_t>(arg);
    }
    return d;
  };
  DatasetPair p;
  p.train = make(4000);
  p.test = make(1000);
  p.source = fmt::format("synthetic: a seeded linear teacher (seed {}), {} values, {} classes", seed, values, classes);
  return p;
}

std::string choose_net_dataset(const std::string& name, int image_values, std::string* note) {
  const auto& names = dataset_names();
  if (!name.empty()) {
    if (name != "random" && std::find(names.begin(), names.end(), name) == names.end())
      throw DatasetError(fmt::format("--dataset '{}': not a dataset; use mnist, fashion-mnist, cifar10 or random", name));
    return name;
  }
  auto have = [](const std::string& n) { return fs::is_directory(default_dataset_dir(n)); };
  if (image_values == 28 * 28) {
    if (have("mnist")) return "mnist";
    if (have("fashion-mnist")) {
      *note = fmt::format("MNIST not found in {}: training on Debian's Fashion-MNIST ({}); --dataset/--data-dir choose",
                          fs::weakly_canonical(default_dataset_dir("mnist")).string(), default_dataset_dir("fashion-mnist"));
      return "fashion-mnist";
    }
    throw DatasetError(fmt::format("28x28 inputs, but neither {} nor {} exists: give --dataset and --data-dir, or "
                                   "--dataset random",
                                   default_dataset_dir("mnist"), default_dataset_dir("fashion-mnist")));
  }
  if (image_values == 3 * 32 * 32) {
    if (have("cifar10")) return "cifar10";
    throw DatasetError(fmt::format("32x32x3 inputs, but {} does not exist: give --data-dir, or --dataset random",
                                   default_dataset_dir("cifar10")));
  }
  *note = fmt::format("no dataset has images of {} values: training on seeded random samples (--dataset random)",
                      image_values);
  return "random";
}

void check_dataset_fits(const DatasetPair& d, int image_values, int classes, const std::string& config_name) {
  if (d.train.image_size() != static_cast<std::size_t>(image_values))
    throw DatasetError(fmt::format("{}: images of {} values, but config '{}' takes {}; pick a matching dataset or config",
                                   d.source, d.train.image_size(), config_name, image_values));
  for (const Dataset* s : {&d.train, &d.test})
    for (std::size_t i = 0; i < s->size(); ++i)
      if (s->labels[i] >= classes)
        throw DatasetError(fmt::format("{} ({}): label {} of sample {} is out of range for {} outputs; check the labels file",
                                       d.source, s->name, static_cast<int>(s->labels[i]), i, classes));
}

}  // namespace taxonn
