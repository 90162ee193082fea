// The work of one micro-batch through one part of one transformer layer: the
// GEMMs in the shape of each pass, the memory-bound kernels around them
// (program/kernel.h), FLOPs and HBM bytes, and the bytes the layer's
// communication carries. Both executors run exactly this list.
//
// Counting rules (each a closed form of the shapes):
//  - every GEMM is in TN form, C[m, n] = A[m, k] B[n, k]^T, both operands
//    K-major, as Hopper's FP8 tensor cores need. A linear layer in -> out on t
//    tokens is F: (t, out, in); Bi (dX = dY W): (t, in, out); W (dW = dY^T X):
//    (out, in, t). 2mnk FLOPs each.
//  - in FP8, every GEMM input is cast first (1x128 tiles along K): a
//    `quantize` per activation or gradient in F and Bi, and for W a
//    `quantize_transpose` of both operands (K is the token dimension there);
//    weights are cast once per step, not per micro-batch. FP8 dispatch carries
//    cast activations forward and cast gradients backward (combine in BF16).
//  - recomputed in backward (as DeepSeek-V3 does, ../shared/reference): the
//    RMSNorms, the MLA up-projections (with RoPE) and the SwiGLU outputs.
//    Their FLOPs count in `flops` but not in `model_flops` (MFU).
//  - serving (inference, F only): a prompt with a cached prefix of C tokens
//    up-projects the prefix's latents (kv up GEMM on C tokens per sequence)
//    and attends over L C + L(L+1)/2 pairs; decode runs MLA with absorbed
//    projections: the q-absorb and output-absorb GEMMs have the FLOPs and the
//    weight bytes of the kv up-projection on the new tokens, which stands for
//    them, and the core reads the latent cache, (kv_lora + rope) x 2 bytes per
//    cached token, with qk_dim = kv_lora + rope and v_dim = kv_lora per head.
//  - causal attention core over pairs = L(L+1)/2 per sequence:
//    F = 2 pairs heads (qk + v); Bi = 2 pairs heads (3 qk + 2 v) (S recomputed,
//    dP, dV, dQ, dK); model FLOPs of Bi = 2 F.
//  - the MoE block's output assembly (unpermute with the top-k weights, the
//    shared expert's sum, the residual add) waits for the combine, so it runs
//    in the next layer's attention op; the gradient's cast and permute before
//    the combine's backward all-to-all run in the next layer's attention
//    backward op likewise (the head's, after the last layer).
//  - routed experts receive tokens * top-k token copies per EP rank on average
//    (uniform routing), split evenly over the rank's local experts.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/config/model.h"
#include "sim/program/program.h"

namespace moeplan::cost {

using program::Gemm;
using program::Kernel;
using program::Part;
using program::Pass;

struct PartWork {
  Part part = Part::Attention;
  Pass pass = Pass::F;
  double flops = 0;        // everything the GPU computes, recomputation included
  double model_flops = 0;  // the model's own FLOPs (MFU): GEMMs and attention, no recomputation
  double bytes = 0;
  DType dtype = DType::BF16;
  std::vector<Gemm> gemms;
  std::vector<Kernel> kernels;
  program::AttentionShape attention;  // the attention core's shape (AttentionCore only)
};

// `sequence_length` new tokens per sequence. Serving: each sequence also has
// `cached` tokens in the KV cache before them, which its attention reads;
// `latent_attention`: MLA with absorbed projections over the compressed cache
// (decode) instead of the up-projected keys and values (training, prefill).
struct MicroBatchShape {
  int sequences = 1;
  int sequence_length = 0;
  int cached = 0;
  bool latent_attention = false;
  std::int64_t tokens() const { return static_cast<std::int64_t>(sequences) * sequence_length; }
};

// What feeds a layer's attention (or the head): nothing before it (the
// embedding), a dense layer, or an MoE layer whose output assembly it runs.
enum class BlockInput { First, AfterDense, AfterMoe };

// One part of one layer for one pass. `gemm_dtype` is the plan's precision;
// `ep` matters only for Part::RoutedExperts, `input` only for Attention and Head.
// `attention_tp` > 1 (serving, forward only): Attention and AttentionCore of
// one GPU of a tensor-parallel group of that many GPUs with sequence
// parallelism. `mb` stays the GPU's own share of the tokens (what it holds
// outside attention); the group attends over `attention_tp` x mb.sequences
// sequences, each GPU over heads / attention_tp of the heads: the
// up-projections, the output projection and the core split tp ways; the
// down-projections to the latents run on the group's tokens on every GPU
// (counted once in model FLOPs), the block's norm and residual on its own.
PartWork part_work(const config::ModelConfig& m, const MicroBatchShape& mb, Part part, Pass pass,
                   DType gemm_dtype, int ep, BlockInput input = BlockInput::First, int attention_tp = 1);

// FLOPs of the causal attention core (header comment), and the model FLOPs
// among them (Bi: 2 F, no recomputed scores).
double attention_core_flops(const program::AttentionShape& a, Pass pass);
double attention_core_model_flops(const program::AttentionShape& a, Pass pass);

// Routed experts of one GPU given the token copies each local expert (slot)
// receives: one SwiGLU per slot.
PartWork routed_experts_work(const config::ModelConfig& m, const std::vector<std::int64_t>& tokens_per_slot,
                             Pass pass, DType gemm_dtype);

// Bytes of one token's hidden state in an all-to-all payload: towards the
// experts (dispatch F, the combine's gradient) in the GEMM dtype, FP8 with one
// FP32 scale per 128 values; back from them (combine F, the dispatch's
// gradient) in BF16.
double token_payload_bytes(const config::ModelConfig& m, Part comm_part, Pass pass, DType gemm_dtype);

// Bytes of a tensor-parallel group's sequence-parallel all-gather (before
// attention) or reduce-scatter (after it) over `group_tokens` tokens: their
// BF16 hidden states, the buffer each member ends with (all-gather) or starts
// from (reduce-scatter); each member sends (tp - 1) / tp of it.
double sequence_parallel_bytes(const config::ModelConfig& m, std::int64_t group_tokens);

// Bytes of one micro-batch's activation (or its gradient) between PP stages.
double pipeline_payload_bytes(const config::ModelConfig& m, const MicroBatchShape& mb);

// Activation bytes one layer keeps per token from its forward to its backward.
double saved_activation_bytes_per_token(const config::ModelConfig& m, bool moe_layer, DType gemm_dtype);

}  // namespace moeplan::cost
