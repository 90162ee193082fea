// The work of one micro-batch through one part of one transformer layer:
// FLOPs, HBM bytes and GEMM shapes for the forward (F), input-grad (Bi) and
// weight-grad (W) passes, and the bytes the layer's communication carries.
//
// Counting rules (each a closed form of the shapes):
//  - a GEMM m x n x k costs 2mnk FLOPs in every pass (F: Y = XW, Bi: dX = dY W^T,
//    W: dW = X^T dY) and moves (mk + kn) input elements plus mn outputs;
//  - causal attention core: F = 2 * (L^2 / 2) * heads * (qk_dim + v_dim) per
//    sequence, Bi = 2F (dQ, dK, dV), no W;
//  - routed experts receive tokens * top-k token copies per EP rank on average
//    (uniform routing), split evenly over the rank's local experts.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/config/model.h"
#include "sim/program/program.h"

namespace moeplan::cost {

using program::Gemm;
using program::Part;
using program::Pass;

struct PartWork {
  Part part = Part::Attention;
  Pass pass = Pass::F;
  double flops = 0;
  double bytes = 0;
  DType dtype = DType::BF16;
  std::vector<Gemm> gemms;
};

struct MicroBatchShape {
  int sequences = 1;
  int sequence_length = 0;
  std::int64_t tokens() const { return static_cast<std::int64_t>(sequences) * sequence_length; }
};

// One part of one layer for one pass. `gemm_dtype` is the plan's precision.
// `experts_per_rank` and `ep` matter only for Part::RoutedExperts.
PartWork part_work(const config::ModelConfig& m, const MicroBatchShape& mb, Part part, Pass pass,
                   DType gemm_dtype, int ep);

// Routed experts of one GPU given the token copies each local expert (slot)
// receives: one SwiGLU per slot.
PartWork routed_experts_work(const config::ModelConfig& m, const std::vector<std::int64_t>& tokens_per_slot,
                             Pass pass, DType gemm_dtype);

// Bytes of one token's hidden state in an all-to-all payload: FP8 dispatch
// carries one FP32 scale per 128 values; everything else is BF16.
double token_payload_bytes(const config::ModelConfig& m, Part comm_part, Pass pass, DType gemm_dtype);

// Bytes of one micro-batch's activation (or its gradient) between PP stages.
double pipeline_payload_bytes(const config::ModelConfig& m, const MicroBatchShape& mb);

// Activation bytes one layer keeps per token from its forward to its backward.
double saved_activation_bytes_per_token(const config::ModelConfig& m, bool moe_layer, DType gemm_dtype);

}  // namespace moeplan::cost
