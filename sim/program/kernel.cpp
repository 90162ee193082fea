#include "sim/program/kernel.h"

#include <array>
#include <fmt/format.h>
#include <stdexcept>

namespace moeplan::program {
namespace {

constexpr std::array<std::string_view, kKernelKindCount> kNames = {
    "rmsnorm", "rmsnorm_backward", "rope",    "rope_backward", "swiglu", "swiglu_backward",
    "quantize", "quantize_transpose", "permute", "unpermute",    "add"};

constexpr double kBf16 = 2, kFp32 = 4;
constexpr double kFp8TileBytes = 4.0 / 128.0;  // one fp32 scale per 128 values

}  // namespace

std::string_view to_string(KernelKind k) { return kNames.at(static_cast<std::size_t>(k)); }

KernelKind parse_kernel_kind(std::string_view s) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == s) return static_cast<KernelKind>(i);
  throw std::runtime_error(fmt::format("unknown kernel kind \"{}\" (one of {})", s, fmt::join(kNames, ", ")));
}

double kernel_bytes(const Kernel& k) {
  const double e = static_cast<double>(k.rows) * static_cast<double>(k.cols);
  const double rows = static_cast<double>(k.rows);
  switch (k.kind) {
    case KernelKind::RmsNorm: return 2 * kBf16 * e + kFp32 * rows;
    case KernelKind::RmsNormBackward: return 3 * kBf16 * e + kFp32 * rows + kFp32 * static_cast<double>(k.cols);
    case KernelKind::Rope:
    case KernelKind::RopeBackward: return 2 * kBf16 * e;
    case KernelKind::SwiGlu: return 3 * kBf16 * e;
    case KernelKind::SwiGluBackward: return 5 * kBf16 * e;
    case KernelKind::Quantize:
    case KernelKind::QuantizeTranspose: return kBf16 * e + e * (1 + kFp8TileBytes);
    case KernelKind::Permute: return (1.0 + k.count) * bytes_of(k.dtype) * e;
    case KernelKind::Unpermute: return (1.0 + k.count) * kBf16 * e;
    case KernelKind::Add: return 3 * kBf16 * e;
  }
  return 0;
}

double kernel_flops(const Kernel& k) {
  const double e = static_cast<double>(k.rows) * static_cast<double>(k.cols);
  switch (k.kind) {
    case KernelKind::RmsNorm: return 4 * e;           // square, sum, scale, weight
    case KernelKind::RmsNormBackward: return 8 * e;
    case KernelKind::Rope:
    case KernelKind::RopeBackward: return 3 * e;      // a 2x2 rotation per pair
    case KernelKind::SwiGlu: return 6 * e;            // sigmoid, two products
    case KernelKind::SwiGluBackward: return 12 * e;
    case KernelKind::Quantize:
    case KernelKind::QuantizeTranspose: return 3 * e;  // amax, scale, round
    case KernelKind::Permute: return 0;
    case KernelKind::Unpermute: return 2.0 * k.count * e;
    case KernelKind::Add: return e;
  }
  return 0;
}

}  // namespace moeplan::program
