#include "sim/workload/chunk_blocks.h"

#include <utility>

namespace moeplan::workload {
namespace {

// Collects a chunk's steps into blocks: a slot step opens a block, a glue
// step joins the block before it (or, before any, the first one).
class BlockList {
 public:
  void slot(Slot slot, ChunkStep step) {
    blocks_.push_back({slot, std::move(glue_before_first_)});
    glue_before_first_.clear();
    blocks_.back().steps.push_back(step);
  }
  void glue(ChunkStep step) { (blocks_.empty() ? glue_before_first_ : blocks_.back().steps).push_back(step); }
  std::vector<Block> done() {
    if (!glue_before_first_.empty()) blocks_.push_back({Slot::Glue, std::move(glue_before_first_)});
    return std::move(blocks_);
  }

 private:
  std::vector<Block> blocks_;
  std::vector<ChunkStep> glue_before_first_;
};

}  // namespace

std::vector<Block> forward_blocks(const StageShape& stage) {
  BlockList b;
  b.glue({stage.first ? ChunkVerb::Embed : ChunkVerb::RecvActivation});
  for (const int layer : *stage.layers) {
    b.slot(Slot::AttnF, {ChunkVerb::AttentionForward, layer});
    b.slot(Slot::MlpF, {ChunkVerb::MlpForward, layer});
  }
  if (stage.last) b.glue({ChunkVerb::HeadForward});
  b.glue({ChunkVerb::SendActivation});
  return b.done();
}

std::vector<Block> backward_blocks(const StageShape& stage, bool with_weight_grad) {
  BlockList b;
  b.glue({ChunkVerb::RecvGradient});
  if (stage.last) b.glue({ChunkVerb::HeadBackward});
  if (stage.last && with_weight_grad) b.glue({ChunkVerb::HeadWeightGrad});
  for (auto it = stage.layers->rbegin(); it != stage.layers->rend(); ++it) {
    const int layer = *it;
    if (layer >= stage.first_moe_layer) b.glue({ChunkVerb::CombineBackward, layer});
    b.slot(Slot::MlpB, {ChunkVerb::MlpBackward, layer});
    if (with_weight_grad) b.slot(Slot::MlpW, {ChunkVerb::MlpWeightGrad, layer});
    b.slot(Slot::AttnB, {ChunkVerb::AttentionBackward, layer});
    if (with_weight_grad) b.slot(Slot::AttnW, {ChunkVerb::AttentionWeightGrad, layer});
  }
  b.glue({ChunkVerb::SendGradient});
  if (with_weight_grad) b.glue({ChunkVerb::FinishWeightGrad});
  return b.done();
}

std::vector<BlockRef> interleave_f_and_b(const std::vector<Block>& forward, const std::vector<Block>& backward) {
  static constexpr Slot kCycle[] = {Slot::MlpB, Slot::MlpW, Slot::MlpF, Slot::AttnB, Slot::AttnW, Slot::AttnF};
  std::vector<BlockRef> order;
  std::size_t f = 0, b = 0;
  while (f < forward.size() || b < backward.size()) {
    bool ran = false;
    for (const Slot slot : kCycle) {
      const bool fwd = slot == Slot::MlpF || slot == Slot::AttnF;
      const auto& list = fwd ? forward : backward;
      auto& next = fwd ? f : b;
      if (next < list.size() && (list[next].slot == slot || list[next].slot == Slot::Glue)) {
        order.push_back({fwd, next++});
        ran = true;
      }
    }
    if (!ran) order.push_back(f < forward.size() ? BlockRef{true, f++} : BlockRef{false, b++});  // a block no slot takes
  }
  return order;
}

}  // namespace moeplan::workload
