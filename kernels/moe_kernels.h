// Host API of the MoE kernels: every entry point takes device pointers and a
// cudaStream_t and only enqueues work (no synchronisation), except where noted.
//
//   gating            gating/gating.h                  router scores -> top-k experts, weights
//   dispatch layout   dispatch/dispatch_layout.h       top-k -> counts, offsets, permutation
//   permute/combine   permute/permute.h                tokens <-> expert-grouped rows
//   expert FFN        expert_ffn/grouped_swiglu_ffn.h  grouped SwiGLU GEMMs (cuBLAS)
//   FP8 expert FFN    expert_ffn/fp8_grouped_swiglu_ffn.h  the same with FP8 block-scaled GEMMs
//   FP8 quantisation  quant/fp8_block_quant.h          1x128 / 128x128 / transposed e4m3 + fp32 scales
//   dense GEMMs       gemm/lt_gemm.h                   cuBLASLt BF16 and FP8 block-scaled GEMMs
//   RMSNorm           norm/rms_norm.h                  forward (+ rstd), backward dx, dw
//   RoPE              rope/rope.h                      interleaved-pair rotary embedding, in place
//   SwiGLU            swiglu/swiglu.h                  activation forward / backward
//   residual add      elementwise/residual_add.h       out = a + b
//   attention core    attention/cudnn_mla_attention.h  MLA fwd/bwd on cuDNN fused attention
//                                                      (only with MOEPLAN_HAVE_CUDNN; also
//                                                      serving prefill over a cached prefix)
//   latent attention  attention/latent_attention.h     absorbed-MLA decode over the latent KV
//                                                      cache (cuBLAS batched GEMMs + softmax)
//
// Each has a CPU reference beside it (*_reference.h) used by tests/kernels.
#pragma once

#include "attention/latent_attention.h"
#include "dispatch/dispatch_layout.h"
#include "elementwise/residual_add.h"
#include "expert_ffn/fp8_grouped_swiglu_ffn.h"
#include "expert_ffn/grouped_swiglu_ffn.h"
#include "gating/gating.h"
#include "gemm/lt_gemm.h"
#include "norm/rms_norm.h"
#include "permute/permute.h"
#include "quant/fp8_block_quant.h"
#include "rope/rope.h"
#include "swiglu/swiglu.h"
#include "util/fill_random.h"

#if defined(MOEPLAN_HAVE_CUDNN)
#include "attention/cudnn_mla_attention.h"
#endif
