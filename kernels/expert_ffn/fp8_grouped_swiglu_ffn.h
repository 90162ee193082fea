// Grouped SwiGLU expert FFN with FP8 GEMMs (DeepSeek-V3 recipe), BF16 in/out.
// CPU reference: expert_ffn_reference.h (the BF16 function it approximates).
//
//   weights  : quantise_weights() keeps e4m3 copies of w13 and w2 with 128x128 scales
//              (the GEMM layout, quant/fp8_block_quant.h); call it after each update
//   per non-empty expert e, rows [offset_e, offset_e + rows_e):
//     1 quant   x_e   -> e4m3, 1x128 scales          launch_fp8_quant_act_1x128_gemm_scales
//     2 up      h_e   = x_e . w13_e^T   [rows_e, 2I]  LtGemm fp8_act_x_weight, bf16 out
//     3 swiglu  act_e = silu(h_gate) * h_up [rows_e, I] launch_swiglu
//     4 quant   act_e -> e4m3, 1x128 scales
//     5 down    y_e   = act_e . w2_e^T  [rows_e, H]   LtGemm fp8_act_x_weight
//   Everything on the caller's stream, expert by expert. The GEMM plans are cached by
//   (m, n, k): a new row count costs one heuristic query (host) the first time it is seen.
// Each expert's row count must be a multiple of 8 (pad the segments in the dispatch layout):
// cuBLASLt 13.1 had no block-scaled algorithm for m = 1 or m = 1057 on H100 (gemm/lt_gemm.h).
// Layouts as GroupedSwigluFfn: w13 [E][2I][H] (gate rows first), w2 [E][H][I];
// hidden and intermediate multiples of 16.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "gemm/lt_gemm.h"
#include "numeric/bf16_bits.h"
#include "numeric/e4m3_bits.h"
#include "util/device_buffer.h"

namespace moeplan::kernels {

class Fp8GroupedSwigluFfn {
 public:
  Fp8GroupedSwigluFfn(int hidden, int intermediate, int num_experts);

  // Quantise the bf16 weights (device pointers) into this object's e4m3 copies.
  void quantise_weights(const Bf16Bits* w13, const Bf16Bits* w2, cudaStream_t stream);
  // Device workspace for `total_rows` rows (e4m3 x and act, their scales, bf16 h and act).
  std::size_t workspace_bytes(std::int64_t total_rows) const;
  // expert_rows: host copy of the per-expert row counts; x_grouped, y_grouped [total_rows, H].
  void run(const Bf16Bits* x_grouped, std::span<const std::int32_t> expert_rows,
           Bf16Bits* y_grouped, void* workspace, cudaStream_t stream);

 private:
  int hidden_;
  int intermediate_;
  int num_experts_;
  DeviceBuffer<E4m3Bits> w13_q_, w2_q_;
  DeviceBuffer<float> w13_scales_, w2_scales_;
  LtGemm gemm_;
};

}  // namespace moeplan::kernels
