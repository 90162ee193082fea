// Host API of the MoE kernels: every entry point takes device pointers and a
// cudaStream_t and only enqueues work (no synchronisation), except where noted.
//
//   gating            gating/gating.h                  router scores -> top-k experts, weights
//   dispatch layout   dispatch/dispatch_layout.h       top-k -> counts, offsets, permutation
//   permute/combine   permute/permute.h                tokens <-> expert-grouped rows
//   expert FFN        expert_ffn/grouped_swiglu_ffn.h  grouped SwiGLU GEMMs (cuBLAS)
//   FP8 quantisation  quant/fp8_block_quant.h          1x128 / 128x128 e4m3 + fp32 scales
//   attention core    attention/cudnn_mla_attention.h  MLA fwd/bwd on cuDNN fused attention
//                                                      (only with MOEPLAN_HAVE_CUDNN)
//
// Each has a CPU reference beside it (*_reference.h) used by tests/kernels.
#pragma once

#include "dispatch/dispatch_layout.h"
#include "expert_ffn/grouped_swiglu_ffn.h"
#include "gating/gating.h"
#include "permute/permute.h"
#include "quant/fp8_block_quant.h"
#include "util/fill_random.h"

#if defined(MOEPLAN_HAVE_CUDNN)
#include "attention/cudnn_mla_attention.h"
#endif
