// A pipeline chunk (one pass of one micro-batch through one stage) as blocks
// for DeepSeek's F&B overlap. A block is the compute of one slot of the
// published order plus the communication it makes ready. Run alone, a chunk
// runs its blocks in sequence; an F&B pair interleaves two chunks' blocks:
//   compute   MLP-B  MLP-W  MLP-F  ATTN-B  ATTN-W  ATTN-F   (repeat)
//   comm      dispatch-F, dispatch-B, combine-F, PP, combine-B  (in order of readiness)
// Glue steps (PP receives and sends, embedding, head) join the block before
// them, or the first block when none is before.
//
// Blocks are plain data: a list of steps, each a verb and its layer, that the
// workload builder runs (train_step.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace moeplan::workload {

enum class Slot : std::uint8_t { MlpB, MlpW, MlpF, AttnB, AttnW, AttnF, Glue };

enum class ChunkVerb : std::uint8_t {
  // F
  RecvActivation,       // the previous stage's output: a PP receive, or the local op (DualPipeV's turn)
  Embed,                // the token embedding (first stage)
  AttentionForward,     // ATTN-F of a layer
  MlpForward,           // MLP-F of a layer
  HeadForward,          // head, loss and MTP modules (last stage)
  SendActivation,       // keep the output for the backward; PP send to the next stage
  // Bi (and W inside an F&B pair)
  RecvGradient,         // the forward's output plus the next stage's gradient (a PP receive, or local)
  HeadBackward,         // (last stage)
  HeadWeightGrad,       // (last stage)
  CombineBackward,      // the combine's gradient all-to-all of an MoE layer
  MlpBackward,          // MLP-B of a layer
  MlpWeightGrad,        // MLP-W of a layer
  AttentionBackward,    // ATTN-B of a layer
  AttentionWeightGrad,  // ATTN-W of a layer
  SendGradient,         // keep the input grad for the weight grad; PP send to the previous stage
  FinishWeightGrad,     // the embedding's weight grad (first stage); the stage's gradients are complete
};

struct ChunkStep {
  ChunkVerb verb = ChunkVerb::RecvActivation;
  int layer = -1;  // layer verbs only
};

struct Block {
  Slot slot = Slot::Glue;
  std::vector<ChunkStep> steps;
};

// Where a chunk's stage sits in the model.
struct StageShape {
  bool first = false, last = false;
  const std::vector<int>* layers = nullptr;  // model order
  int first_moe_layer = 0;
};

// F:   [RecvActivation | Embed]  ATTN-F MLP-F per layer  [HeadForward]  SendActivation
std::vector<Block> forward_blocks(const StageShape& stage);
// Bi:  RecvGradient [HeadBackward]  per layer top down: [CombineBackward] MLP-B ATTN-B  SendGradient
// with_weight_grad (a full B inside an F&B pair) adds HeadWeightGrad, MLP-W
// and ATTN-W after their input-grad work, and FinishWeightGrad.
std::vector<Block> backward_blocks(const StageShape& stage, bool with_weight_grad);

// The order an F&B pair runs its chunks' blocks in: DeepSeek's slot cycle,
// each slot taking the next block of its chunk (F for MLP-F and ATTN-F, B for
// the rest) when it is of that slot or glue; a block no slot takes runs alone.
struct BlockRef {
  bool forward = false;
  std::size_t index = 0;
};
std::vector<BlockRef> interleave_f_and_b(const std::vector<Block>& forward, const std::vector<Block>& backward);

}  // namespace moeplan::workload
