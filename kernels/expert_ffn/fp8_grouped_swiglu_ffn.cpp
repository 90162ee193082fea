#include "expert_ffn/fp8_grouped_swiglu_ffn.h"

#include <string>

#include "expert_ffn/grouped_swiglu_ffn.h"
#include "quant/fp8_block_quant.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

std::size_t align_up(std::size_t bytes) { return (bytes + 255) / 256 * 256; }

struct Workspace {
  E4m3Bits* x_q_;
  float* x_scales_;
  Bf16Bits* h_;
  Bf16Bits* act_;
  E4m3Bits* act_q_;
  float* act_scales_;
  std::size_t bytes_;
};

Workspace carve(void* base, std::int64_t rows, int hidden, int intermediate) {
  const auto r = static_cast<std::size_t>(rows);
  const std::size_t sizes[] = {r * static_cast<std::size_t>(hidden),
                               r * static_cast<std::size_t>(fp8_tiles_per_row(hidden)) * sizeof(float),
                               r * 2 * static_cast<std::size_t>(intermediate) * sizeof(Bf16Bits),
                               r * static_cast<std::size_t>(intermediate) * sizeof(Bf16Bits),
                               r * static_cast<std::size_t>(intermediate),
                               r * static_cast<std::size_t>(fp8_tiles_per_row(intermediate)) * sizeof(float)};
  auto* p = static_cast<unsigned char*>(base);
  std::size_t offset = 0;
  void* parts[6];
  for (int i = 0; i < 6; ++i) {
    parts[i] = p == nullptr ? nullptr : p + offset;
    offset += align_up(sizes[i]);
  }
  return {static_cast<E4m3Bits*>(parts[0]), static_cast<float*>(parts[1]), static_cast<Bf16Bits*>(parts[2]),
          static_cast<Bf16Bits*>(parts[3]), static_cast<E4m3Bits*>(parts[4]), static_cast<float*>(parts[5]), offset};
}

}  // namespace

Fp8GroupedSwigluFfn::Fp8GroupedSwigluFfn(int hidden, int intermediate, int num_experts)
    : hidden_(hidden),
      intermediate_(intermediate),
      num_experts_(num_experts),
      w13_q_(static_cast<std::size_t>(num_experts) * 2 * static_cast<std::size_t>(intermediate) * static_cast<std::size_t>(hidden)),
      w2_q_(static_cast<std::size_t>(num_experts) * static_cast<std::size_t>(hidden) * static_cast<std::size_t>(intermediate)),
      w13_scales_(static_cast<std::size_t>(num_experts) * static_cast<std::size_t>(lt_blk128_scale_count(2 * intermediate, hidden))),
      w2_scales_(static_cast<std::size_t>(num_experts) * static_cast<std::size_t>(lt_blk128_scale_count(hidden, intermediate))) {
  MOEPLAN_REQUIRE(hidden > 0 && hidden % 16 == 0 && intermediate > 0 && intermediate % 16 == 0 && num_experts > 0,
                  "need hidden and intermediate positive multiples of 16 and num_experts > 0, got " +
                      std::to_string(hidden) + ", " + std::to_string(intermediate) + ", " + std::to_string(num_experts));
}

void Fp8GroupedSwigluFfn::quantise_weights(const Bf16Bits* w13, const Bf16Bits* w2, cudaStream_t stream) {
  const std::size_t w13_elems = 2 * static_cast<std::size_t>(intermediate_) * static_cast<std::size_t>(hidden_);
  const std::size_t w2_elems = static_cast<std::size_t>(hidden_) * static_cast<std::size_t>(intermediate_);
  const auto w13_scale_count = static_cast<std::size_t>(lt_blk128_scale_count(2 * intermediate_, hidden_));
  const auto w2_scale_count = static_cast<std::size_t>(lt_blk128_scale_count(hidden_, intermediate_));
  for (std::size_t e = 0; e < static_cast<std::size_t>(num_experts_); ++e) {
    launch_fp8_quant_weight_128x128_gemm_scales(w13 + e * w13_elems, 2 * intermediate_, hidden_, w13_q_.data() + e * w13_elems,
                                                w13_scales_.data() + e * w13_scale_count, stream);
    launch_fp8_quant_weight_128x128_gemm_scales(w2 + e * w2_elems, hidden_, intermediate_, w2_q_.data() + e * w2_elems,
                                                w2_scales_.data() + e * w2_scale_count, stream);
  }
}

std::size_t Fp8GroupedSwigluFfn::workspace_bytes(std::int64_t total_rows) const {
  return carve(nullptr, total_rows, hidden_, intermediate_).bytes_;
}

void Fp8GroupedSwigluFfn::run(const Bf16Bits* x_grouped, std::span<const std::int32_t> expert_rows,
                              Bf16Bits* y_grouped, void* workspace, cudaStream_t stream) {
  MOEPLAN_REQUIRE(expert_rows.size() <= static_cast<std::size_t>(num_experts_),
                  "expert_rows has " + std::to_string(expert_rows.size()) + " experts, the FFN " +
                      std::to_string(num_experts_));
  std::int64_t total_rows = 0;
  for (const std::int32_t rows : expert_rows) total_rows += rows;
  const Workspace ws = carve(workspace, total_rows, hidden_, intermediate_);
  const auto h = static_cast<std::size_t>(hidden_);
  const auto i = static_cast<std::size_t>(intermediate_);
  const std::size_t w13_elems = 2 * i * h, w2_elems = h * i;
  const auto w13_scale_count = static_cast<std::size_t>(lt_blk128_scale_count(2 * intermediate_, hidden_));
  const auto w2_scale_count = static_cast<std::size_t>(lt_blk128_scale_count(hidden_, intermediate_));
  std::size_t row = 0;
  for (std::size_t e = 0; e < expert_rows.size(); ++e) {
    const int rows = expert_rows[e];
    if (rows == 0) continue;
    MOEPLAN_REQUIRE(rows % 8 == 0, "expert " + std::to_string(e) + " has " + std::to_string(rows) +
                                       " rows; the FP8 path needs a multiple of 8 (pad the segment)");
    const auto r = static_cast<std::size_t>(rows);
    E4m3Bits* x_q = ws.x_q_ + row * h;
    float* x_scales = ws.x_scales_ + row * static_cast<std::size_t>(fp8_tiles_per_row(hidden_));
    Bf16Bits* h_e = ws.h_ + row * 2 * i;
    Bf16Bits* act = ws.act_ + row * i;
    E4m3Bits* act_q = ws.act_q_ + row * i;
    float* act_scales = ws.act_scales_ + row * static_cast<std::size_t>(fp8_tiles_per_row(intermediate_));
    launch_fp8_quant_act_1x128_gemm_scales(x_grouped + row * h, rows, hidden_, x_q, x_scales, stream);      // 1
    gemm_.run_fp8(LtGemmMode::fp8_act_x_weight, x_q, x_scales, w13_q_.data() + e * w13_elems,
                  w13_scales_.data() + e * w13_scale_count, h_e, rows, 2 * intermediate_, hidden_, stream);  // 2
    launch_swiglu(h_e, rows, intermediate_, act, stream);                                                    // 3
    launch_fp8_quant_act_1x128_gemm_scales(act, rows, intermediate_, act_q, act_scales, stream);            // 4
    gemm_.run_fp8(LtGemmMode::fp8_act_x_weight, act_q, act_scales, w2_q_.data() + e * w2_elems,
                  w2_scales_.data() + e * w2_scale_count, y_grouped + row * h, rows, hidden_, intermediate_,
                  stream);                                                                                   // 5
    row += r;
  }
}

}  // namespace moeplan::kernels
