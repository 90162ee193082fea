// Element types of tensors and their sizes: the one place a dtype's byte
// count is written.
#pragma once

#include <string_view>

namespace moeplan {

enum class DType { FP8, BF16, FP32 };

constexpr std::string_view to_string(DType d) {
  switch (d) {
    case DType::FP8: return "fp8";
    case DType::BF16: return "bf16";
    case DType::FP32: return "fp32";
  }
  return "?";
}

constexpr double bytes_of(DType d) {
  switch (d) {
    case DType::FP8: return 1.0;
    case DType::BF16: return 2.0;
    case DType::FP32: return 4.0;
  }
  return 0.0;
}

}  // namespace moeplan
