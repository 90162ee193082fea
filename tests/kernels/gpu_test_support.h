// Helpers shared by the kernel tests: GPU presence check (skip cleanly in CI),
// fresh random seeds, relative error norms.
#pragma once

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>

namespace moeplan::kernels::test {

inline bool cuda_device_present() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

// A fresh seed per run, so every run checks new inputs; tests print it with
// SCOPED_TRACE so a failure can be replayed.
inline std::uint64_t fresh_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

// ||got - want|| / ||want|| in float64; infinity if any element is NaN/inf in got.
template <typename Got, typename Want, typename ToDouble>
double relative_error(std::span<const Got> got, std::span<const Want> want, ToDouble to_double) {
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = to_double(got[i]);
    const double w = to_double(want[i]);
    if (!std::isfinite(g)) return std::numeric_limits<double>::infinity();
    diff += (g - w) * (g - w);
    norm += w * w;
  }
  return norm == 0.0 ? std::sqrt(diff) : std::sqrt(diff / norm);
}

}  // namespace moeplan::kernels::test

#define MOEPLAN_SKIP_WITHOUT_GPU()                                                          \
  do {                                                                                      \
    if (!::moeplan::kernels::test::cuda_device_present())                                   \
      GTEST_SKIP() << "no CUDA device present (cudaGetDeviceCount found none): "             \
                      "GPU kernel test skipped; it runs on a machine with a GPU";            \
  } while (0)
