// The datasets (golden_model/core/dataset.hpp): IDX and CIFAR-10 files read
// or refused with the file named, and the translation of `train --shift`
// against an independent formulation: corner cases worked by hand, seeded
// random moves, and a sweep over shapes and every move.
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <zlib.h>

#include "dataset.hpp"

namespace taxonn {
namespace {
namespace fs = std::filesystem;

void write_gz(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
  gzFile f = gzopen(p.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}
void write_plain(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<long>(bytes.size()));
}
std::vector<std::uint8_t> idx(std::uint32_t magic, std::vector<std::uint32_t> dims, std::size_t payload, std::uint8_t fill) {
  std::vector<std::uint8_t> b;
  for (std::uint32_t v : std::vector<std::uint32_t>{magic}) dims.insert(dims.begin(), v);
  for (std::uint32_t v : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
  for (std::size_t i = 0; i < payload; ++i) b.push_back(static_cast<std::uint8_t>(fill + i % 7));
  return b;
}

TEST(Dataset, IdxReadsGzipAndPlainAndRejectsBadFiles) {
  const fs::path d = fs::temp_directory_path() / "taxonn_idx_test";
  fs::create_directories(d);
  write_gz(d / "img.gz", idx(0x803, {3, 4, 5}, 60, 0));
  write_plain(d / "lab", idx(0x801, {3}, 3, 1));
  const Dataset ds = load_idx((d / "img.gz").string(), (d / "lab").string(), "t");
  EXPECT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds.height, 4);
  EXPECT_EQ(ds.width, 5);
  EXPECT_EQ(ds.image(2)[0], static_cast<std::uint8_t>(40 % 7));
  EXPECT_EQ(ds.labels[2], 3);
  auto expect_error = [&](const fs::path& img, const fs::path& lab, const char* needle) {
    try {
      load_idx(img.string(), lab.string(), "t");
      ADD_FAILURE() << "accepted " << img << " " << lab;
    } catch (const DatasetError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  write_gz(d / "short.gz", idx(0x803, {3, 4, 5}, 59, 0));
  expect_error(d / "short.gz", d / "lab", "truncated");
  write_plain(d / "magic", idx(0x801, {3, 4, 5}, 60, 0));
  expect_error(d / "magic", d / "lab", "not an IDX image file");
  write_plain(d / "lab2", idx(0x801, {2}, 2, 0));
  expect_error(d / "img.gz", d / "lab2", "labels for 3 images");
  write_plain(d / "lab_big", idx(0x801, {3}, 3, 10));
  expect_error(d / "img.gz", d / "lab_big", "out of range");
  expect_error(d / "missing.gz", d / "lab", "no such file");
  fs::remove_all(d);
}

TEST(Dataset, CifarBinaryRecords) {
  const fs::path d = fs::temp_directory_path() / "taxonn_cifar_test";
  fs::create_directories(d);
  std::vector<std::uint8_t> b;
  for (int r = 0; r < 3; ++r) {
    b.push_back(static_cast<std::uint8_t>(r + 4));
    for (int i = 0; i < 3072; ++i) b.push_back(static_cast<std::uint8_t>(r * 10 + i % 3));
  }
  write_plain(d / "batch.bin", b);
  const Dataset ds = load_cifar_bin({(d / "batch.bin").string()}, "cifar10");
  EXPECT_EQ(ds.size(), 3u);
  EXPECT_EQ(ds.channels, 3);
  EXPECT_EQ(ds.labels[1], 5);
  EXPECT_EQ(ds.image(2)[1], 21);
  b.pop_back();
  write_plain(d / "short.bin", b);
  EXPECT_THROW(load_cifar_bin({(d / "short.bin").string()}, "cifar10"), DatasetError);
  EXPECT_THROW(load_dataset("imagenet", ""), DatasetError);
  EXPECT_THROW(load_dataset("cifar10", (d / "nowhere").string()), DatasetError);
  fs::remove_all(d);
}

// ---- shift_image ----

// The move as a scatter: each source pixel lands at (y + dy, x + dx) when
// that is inside (shift_image gathers).
std::vector<std::uint8_t> scatter(const Dataset& d, const std::uint8_t* in, int dy, int dx) {
  std::vector<std::uint8_t> out(d.image_size(), 0);
  for (int c = 0; c < d.channels; ++c)
    for (int y = 0; y < d.height; ++y)
      for (int x = 0; x < d.width; ++x)
        if (y + dy >= 0 && y + dy < d.height && x + dx >= 0 && x + dx < d.width)
          out[static_cast<std::size_t>((c * d.height + y + dy) * d.width + x + dx)] =
              in[static_cast<std::size_t>((c * d.height + y) * d.width + x)];
  return out;
}

Dataset shape(int channels, int height, int width) {
  Dataset d;
  d.channels = channels;
  d.height = height;
  d.width = width;
  return d;
}

std::vector<std::uint8_t> moved(const Dataset& d, const std::vector<std::uint8_t>& in, int dy, int dx) {
  std::vector<std::uint8_t> out(d.image_size(), 0xEE);  // every byte must be written
  shift_image(d, in.data(), dy, dx, out.data());
  return out;
}

TEST(Dataset, ShiftCornerCases) {
  const Dataset d = shape(2, 2, 3);
  const std::vector<std::uint8_t> img = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  EXPECT_EQ(moved(d, img, 0, 0), img);
  // down 1, left 1: row 0 empty, row 1 is row 0 without its first pixel
  EXPECT_EQ(moved(d, img, 1, -1), (std::vector<std::uint8_t>{0, 0, 0, 2, 3, 0, 0, 0, 0, 8, 9, 0}));
  // the farthest move keeps one corner pixel per channel
  EXPECT_EQ(moved(d, img, -1, 2), (std::vector<std::uint8_t>{0, 0, 4, 0, 0, 0, 0, 0, 10, 0, 0, 0}));
  const std::vector<std::uint8_t> one = {255};
  EXPECT_EQ(moved(shape(1, 1, 1), one, 0, 0), one);
}

TEST(Dataset, ShiftRandomMovesAreTheScatter) {
  const std::uint64_t seed = 20261204;
  std::mt19937_64 rng(seed);
  const Dataset d = shape(1, 28, 28);
  for (int k = 0; k < 200; ++k) {
    std::vector<std::uint8_t> img(d.image_size());
    for (auto& p : img) p = static_cast<std::uint8_t>(rng());
    const int dy = static_cast<int>(rng() % 9) - 4, dx = static_cast<int>(rng() % 9) - 4;
    ASSERT_EQ(moved(d, img, dy, dx), scatter(d, img.data(), dy, dx)) << "seed " << seed << ", case " << k;
  }
}

TEST(Dataset, ShiftSweepOverShapesAndMoves) {
  for (int c = 1; c <= 3; ++c)
    for (int h = 1; h <= 5; ++h)
      for (int w = 1; w <= 5; ++w) {
        const Dataset d = shape(c, h, w);
        std::vector<std::uint8_t> img(d.image_size());
        for (std::size_t i = 0; i < img.size(); ++i) img[i] = static_cast<std::uint8_t>(i + 1);
        for (int dy = 1 - h; dy < h; ++dy)
          for (int dx = 1 - w; dx < w; ++dx)
            ASSERT_EQ(moved(d, img, dy, dx), scatter(d, img.data(), dy, dx))
                << c << "x" << h << "x" << w << " moved " << dy << ", " << dx;
      }
}

}  // namespace
}  // namespace taxonn
