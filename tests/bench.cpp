// `make bench`: throughput figures, printed, never asserted. LeNet-5 SGD
// training (batch 1, one thread) in the bit-exact fixed-point and the float
// golden model, measured in one run, as images per second and as ratios:
// fixed/float, and each against the float reference (PyTorch 1.13,
// LeNet-5, batch-1 SGD, one thread on this 2-core machine: about 2,400 MNIST
// images per second).
#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "dataset.hpp"
#include "network.hpp"

namespace {

constexpr double kReferenceImagesPerSecond = 2400.0;

template <class A>
double images_per_second(const taxonn::Config& c, const taxonn::Dataset& d, std::size_t n) {
  taxonn::Network<A> net(c, 1);
  for (std::size_t i = 0; i < 200; ++i) net.train_step(d.image(i), d.labels[i]);  // warm up
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < n; ++i) net.train_step(d.image(i % d.size()), d.labels[i % d.size()]);
  return n / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 6000;
  taxonn::DatasetPair data;
  std::string name;
  for (const char* ds : {"mnist", "fashion-mnist"}) {
    try {
      data = taxonn::load_dataset(ds, "");
      name = ds;
      break;
    } catch (const taxonn::DatasetError&) {
    }
  }
  if (name.empty()) {
    fmt::print(stderr, "bench: no MNIST in ../shared and no dataset-fashion-mnist: run make (it installs it)\n");
    return 1;
  }
  const taxonn::Config c = taxonn::load_config(std::string(TAXONN_SOURCE_DIR) + "/configs/lenet5_mnist.json");
  fmt::print("LeNet-5 training throughput, batch 1, one thread, {} images of {} each\n", n, name);
  const double fx = taxonn::fixed_fits_double(c) ? images_per_second<taxonn::FixedArithFast>(c, data.train, n)
                                                 : images_per_second<taxonn::FixedArith>(c, data.train, n);
  const double fl = images_per_second<taxonn::FloatArith>(c, data.train, n);
  fmt::print("  {:<44} {:>8.0f} images/s  ({:.2f}x the float reference)\n",
             "fixed point, bit-exact (Table I MNIST formats)", fx, fx / kReferenceImagesPerSecond);
  fmt::print("  {:<44} {:>8.0f} images/s  ({:.2f}x the float reference)\n", "float32", fl,
             fl / kReferenceImagesPerSecond);
  fmt::print("  fixed / float: {:.2f}; reference: PyTorch 1.13 float, about {:.0f} images/s\n", fx / fl,
             kReferenceImagesPerSecond);
  return 0;
}
