// Per-GPU memory of a serving step: the weights a GPU holds (attention,
// dense FFNs, the shared expert, its routed and redundant expert slots, gate,
// embedding and head, the MTP module), the MLA KV cache of its requests, and
// a workspace for the step's activations; and how many requests of the step's
// length fit.
//
//   weights      GEMM weights in the plan's precision (FP8: 1 byte, its
//                128x128 block scales left out, 0.02%), gate, embedding and
//                head in BF16; routed experts: (E + redundant) / ep slots per
//                GPU in every MoE layer and the MTP module; attention under
//                TP: the latent down-projections whole, the rest / tp
//   KV cache     per token: (kv_lora_rank + rope dim) x (layers + MTP
//                modules) x 2 bytes (the compressed latent and the decoupled
//                RoPE key in BF16; the MTP module keeps its own cache); under
//                TP each GPU holds the cache of its group's requests, tp x
//                its own `requests` (every head reads the whole latent)
//   workspace    one MoE layer's activations of the step's tokens (the count
//                training keeps per token, cost/layer_work.h), standing for
//                the buffers a step's kernels allocate
#pragma once

#include "sim/config/scenario.h"
#include "sim/serving/step_shape.h"

namespace moeplan::plan {

struct ServingMemory {
  double attention_bytes = 0, dense_ffn_bytes = 0, shared_experts_bytes = 0, routed_experts_bytes = 0,
         gate_bytes = 0, embedding_bytes = 0;
  int expert_slots_per_gpu = 0;  // routed + redundant slots per MoE layer
  double kv_bytes_per_token = 0;
  double kv_tokens = 0;          // the step's requests x tp x (cached + new tokens)
  double kv_cache_bytes = 0;
  double workspace_bytes = 0;
  double capacity_bytes = 0;
  int max_requests = 0;          // requests of this step's length that fit beside the weights
  double weights_bytes() const {
    return attention_bytes + dense_ffn_bytes + shared_experts_bytes + routed_experts_bytes + gate_bytes +
           embedding_bytes;
  }
  double total_bytes() const { return weights_bytes() + kv_cache_bytes + workspace_bytes; }
};

// KV-cache bytes of one token (header).
double kv_bytes_per_token(const config::ModelConfig& m);

ServingMemory serving_memory(const config::Scenario& sc, const serving::StepShape& step);

}  // namespace moeplan::plan
