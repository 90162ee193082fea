#include "sim/workload/train_step.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <tuple>

#include "sim/util/cancelled.h"
#include "sim/util/check.h"
#include "sim/workload/chunk_blocks.h"
#include "sim/workload/collective_instances.h"
#include "sim/workload/dp_sync.h"
#include "sim/workload/layer_ops.h"

namespace moeplan::workload {
namespace {

using program::Op;
using program::OpId;
using program::OpType;
using program::Part;
using program::Pass;
using schedule::OpKind;
using schedule::PassRef;

// The rank (pipeline rank) and pass template that run `stage` of model copy `flow`.
struct StageSlot {
  int pipe_rank = -1;
  PassRef pass;
};

// One pass of one micro-batch through one of a rank's stages, as it is built.
struct Chunk {
  int rank = -1, flow = 0, stage = 0;
  PassRef pass;
  OpSite site;
  Deps x;                   // what the chunk's next op waits for: its activation (F) or gradient (B)
  AttentionOut attention;   // the current layer's ATTN-F, for its MLP-F
  OpId combine_grad = -1;   // the current layer's combine-grad all-to-all, for its MLP-B
  LayerGrads grads;         // the current layer's input-grad ops, for its weight-grad ops
};

}  // namespace

class TrainStepBuilder {
 public:
  TrainStepBuilder(const config::Scenario& sc, const plan::ValidatedPlan& vp, const TrainStepOptions& opt)
      : sc_(sc),
        vp_(vp),
        opt_(opt),
        lay_(vp.layout),
        sched_(vp.schedule),
        mb_shape_{sc.training().micro_batch, sc.training().sequence_length},
        flows_(sched_.kind == schedule::Kind::DualPipe ? 2 : 1),
        stages_(schedule::stage_count(sched_)),
        collectives_(prog_),
        ops_(sc, vp, mb_shape_, opt.reduced, prog_, collectives_) {
    prog_.all_to_all = sc.plan.all_to_all;
    slots_.assign(static_cast<std::size_t>(flows_), std::vector<StageSlot>(static_cast<std::size_t>(stages_)));
    for (int r = 0; r < sched_.pp; ++r)
      for (int c = 0; c < sched_.chunks; ++c) {
        const PassRef p = schedule::chunk_pass(sched_, c);
        const int flow = flows_ == 2 ? c : 0;
        slots_[static_cast<std::size_t>(flow)][static_cast<std::size_t>(schedule::stage_of(sched_, r, p))] = {r, p};
      }
  }

  program::Program build() {
    MOEPLAN_CHECK(!(opt_.reduced && opt_.pipeline >= 0), "a reduced program already holds one pipeline");
    MOEPLAN_CHECK(opt_.pipeline < lay_.pipelines(), "pipeline {} of {}", opt_.pipeline, lay_.pipelines());
    init_program();
    // The data-parallel indices held: one pipeline (reduced, or asked for), or all.
    const int first_dp = std::max(0, opt_.pipeline);
    const int held_dp = opt_.reduced || opt_.pipeline >= 0 ? first_dp + 1 : lay_.pipelines();

    // Phase 1, (held_dp - first_dp) x pp ranks: each rank's schedule, op by op
    //   F: recv, layers, send   B/Bi: recv, layers top down, send   W: layers top down   F&B: F and B interleaved
    for (int d = first_dp; d < held_dp; ++d)
      for (int r = 0; r < sched_.pp; ++r) {
        throw_if_stopped(opt_.stop);
        walk_rank_schedule(r, d);
      }
    // Phase 2, the same ranks: data-parallel sync at the end of the step
    //   reduce-scatter grads, AdamW, all-gather params
    for (int d = first_dp; d < held_dp; ++d)
      for (int r = 0; r < sched_.pp; ++r) {
        const int rank = lay_.rank(r, d);
        emit_dp_sync(rank, held_stages_[rank], sc_, vp_, collectives_, prog_);
      }
    return std::move(prog_);
  }

  // ---- probes (the analytical estimator) ----------------------------------------------
  // Appends what pipeline rank `pipe_rank` (data-parallel index 0) runs for
  // `ops`, in order, as in the step, except that a W runs the weight-grad
  // work of the pass it names (whose Bi an earlier probe ran); a dependency
  // on a neighbour stage's output that the probe does not hold (DualPipeV's
  // local turn) is left out.
  std::vector<OpRange> probe(int pipe_rank, const std::vector<schedule::ScheduleOp>& ops) {
    if (prog_.by_rank.empty()) init_program();
    probe_ = true;
    const int rank = lay_.rank(pipe_rank, 0);
    std::deque<PassRef> w_queue;
    std::vector<OpRange> ranges;
    ops_.start_rank();
    for (const auto& sop : ops) {
      const auto first = static_cast<OpId>(prog_.ops.size());
      ops_.fence_compute();
      if (sop.kind == OpKind::W) weight_chunk(rank, sop.pass);  // the pass it names, run before
      else run_schedule_op(pipe_rank, rank, sop, w_queue);
      ranges.push_back({first, static_cast<OpId>(prog_.ops.size())});
    }
    return ranges;
  }

  // Appends the end-of-step data-parallel sync of pipeline rank `pipe_rank`
  // (data-parallel index 0) for the stages it holds.
  OpRange probe_dp_sync(int pipe_rank) {
    if (prog_.by_rank.empty()) init_program();
    const int rank = lay_.rank(pipe_rank, 0);
    std::set<int> stages;
    for (int c = 0; c < sched_.chunks; ++c)
      stages.insert(schedule::stage_of(sched_, pipe_rank, schedule::chunk_pass(sched_, c)));
    const auto first = static_cast<OpId>(prog_.ops.size());
    emit_dp_sync(rank, stages, sc_, vp_, collectives_, prog_);
    return {first, static_cast<OpId>(prog_.ops.size())};
  }

  const program::Program& program() const { return prog_; }

 private:
  void init_program() {
    prog_.scenario = sc_.name;
    prog_.world_size = lay_.world();
    prog_.reduced = opt_.reduced;
    prog_.partial = opt_.pipeline >= 0;
    prog_.replicas = opt_.reduced ? lay_.pipelines() : 1;
    prog_.comm_sms = sc_.plan.comm_sms;
    for (int r = 0; r < lay_.world(); ++r) prog_.rank_gpu.push_back(r);
    prog_.by_rank.resize(static_cast<std::size_t>(lay_.world()));
  }

  // ---- the schedule of one rank ------------------------------------------------------
  // A rank runs its schedule ops in order: the first compute op of each waits
  // for the previous one's last compute op. Bi leaves its weight-grad work to
  // a later W (FIFO), B and a full F&B backward run it at once.
  void walk_rank_schedule(int pipe_rank, int d) {
    const int rank = lay_.rank(pipe_rank, d);
    std::deque<PassRef> w_queue;  // passes whose weight-grad work is pending (FIFO)
    ops_.start_rank();
    for (const auto& sop : sched_.ranks[static_cast<std::size_t>(pipe_rank)]) {
      ops_.fence_compute();
      run_schedule_op(pipe_rank, rank, sop, w_queue);
    }
    MOEPLAN_CHECK(w_queue.empty(), "rank {} ends the step with {} weight-grad works queued", pipe_rank, w_queue.size());
  }

  void run_schedule_op(int pipe_rank, int rank, const schedule::ScheduleOp& sop, std::deque<PassRef>& w_queue) {
      switch (sop.kind) {
        case OpKind::F: forward_chunk(rank, sop.pass); break;
        case OpKind::B: backward_chunk(rank, sop.pass); weight_chunk(rank, sop.pass); break;
        case OpKind::Bi: backward_chunk(rank, sop.pass); w_queue.push_back(sop.pass); break;
        case OpKind::W:
          MOEPLAN_CHECK(!w_queue.empty(), "W on rank {} with no queued weight-grad work", pipe_rank);
          weight_chunk(rank, w_queue.front());
          w_queue.pop_front();
          break;
        case OpKind::FB:
          forward_backward_chunk(rank, sop.f, sop.b, sop.full_b);
          if (!sop.full_b) w_queue.push_back(sop.b);
          break;
      }
  }

  // ---- chunks ------------------------------------------------------------------------
  // F:  [recv activation | embed]  per layer: ATTN-F MLP-F  [head]  send activation
  void forward_chunk(int rank, const PassRef& p) {
    Chunk c = open_chunk(rank, p);
    run_in_sequence(c, forward_blocks(stage_shape(c.stage)));
  }

  // Bi: recv gradient [head]  per layer top down: [combine-grad] MLP-B ATTN-B  send gradient
  void backward_chunk(int rank, const PassRef& p) {
    Chunk c = open_chunk(rank, p);
    run_in_sequence(c, backward_blocks(stage_shape(c.stage), false));
  }

  // W:  [head]  per layer top down: every part's weight grad  [embedding]
  //     all after the chunk's input-grad output
  void weight_chunk(int rank, const PassRef& p) {
    const Chunk c = open_chunk(rank, p);
    const Deps in = bi_end_.at(key(c));
    if (c.stage == stages_ - 1) ops_.head_weight_grad(c.site, in);
    const auto& layers = stage_layers(c.stage);
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) ops_.layer_weight_grad(c.site, *it, in);
    finish_weight_grad(c, in);
  }

  // F&B: the forward of `f` and the backward of `b` (with its weight grad when
  // `full_b`) in DeepSeek's published order: one compute stream runs the two
  // chunks' blocks interleaved, the comm stream their all-to-alls and PP
  // transfers as they become ready, so each chunk's communication hides
  // behind the other chunk's compute.
  void forward_backward_chunk(int rank, const PassRef& f, const PassRef& b, bool full_b) {
    Chunk forward = open_chunk(rank, f), backward = open_chunk(rank, b);
    const auto forward_list = forward_blocks(stage_shape(forward.stage));
    const auto backward_list = backward_blocks(stage_shape(backward.stage), full_b);
    for (const BlockRef& next : interleave_f_and_b(forward_list, backward_list)) {
      if (next.forward) run_block(forward, forward_list[next.index]);
      else run_block(backward, backward_list[next.index]);
    }
  }

  Chunk open_chunk(int rank, const PassRef& p) const {
    Chunk c;
    c.rank = rank;
    c.flow = flows_ == 2 ? p.dir : 0;
    c.stage = schedule::stage_of(sched_, lay_.pipe_rank_of(rank), p);
    c.pass = p;
    c.site = {rank, p.mb, p.dir};
    return c;
  }

  StageShape stage_shape(int stage) const {
    return {stage == 0, stage == stages_ - 1, &stage_layers(stage), sc_.model.dense_layers};
  }

  // Model stage (layer set) of a pipeline stage.
  const std::vector<int>& stage_layers(int stage) const {
    return vp_.layers.layers[static_cast<std::size_t>(stage % vp_.layers.stages())];
  }

  void run_in_sequence(Chunk& c, const std::vector<Block>& blocks) {
    for (const auto& block : blocks) run_block(c, block);
  }

  void run_block(Chunk& c, const Block& block) {
    for (const auto& step : block.steps) run_step(c, step);
  }

  // ---- the verbs of a chunk ----------------------------------------------------------
  void run_step(Chunk& c, const ChunkStep& step) {
    const int l = step.layer;
    switch (step.verb) {
      case ChunkVerb::RecvActivation: c.x = recv_activation(c); break;
      case ChunkVerb::Embed: c.x = {ops_.embedding(c.site, Pass::F, c.x)}; break;
      case ChunkVerb::AttentionForward: c.attention = ops_.attention_forward(c.site, l, c.x); break;
      case ChunkVerb::MlpForward: c.x = ops_.mlp_forward(c.site, l, c.attention); break;
      case ChunkVerb::HeadForward: c.x = ops_.head_forward(c.site, c.x); break;
      case ChunkVerb::SendActivation: send_activation(c); break;
      case ChunkVerb::RecvGradient: c.x = recv_gradient(c); break;
      case ChunkVerb::HeadBackward: c.x = ops_.head_backward(c.site, c.x); break;
      case ChunkVerb::HeadWeightGrad: ops_.head_weight_grad(c.site, c.x); break;
      case ChunkVerb::CombineBackward: c.combine_grad = ops_.combine_backward(c.site, l, c.x); break;
      case ChunkVerb::MlpBackward:
        c.grads = {};  // a layer's input-grad ops start at its MLP-B
        c.x = ops_.mlp_backward(c.site, l, c.x, c.combine_grad, c.grads);
        break;
      case ChunkVerb::MlpWeightGrad: ops_.mlp_weight_grad(c.site, l, c.grads); break;
      case ChunkVerb::AttentionBackward: c.x = ops_.attention_backward(c.site, l, c.x, c.grads); break;
      case ChunkVerb::AttentionWeightGrad: ops_.attention_weight_grad(c.site, l, c.grads); break;
      case ChunkVerb::SendGradient: send_gradient(c); break;
      case ChunkVerb::FinishWeightGrad: finish_weight_grad(c, c.x); break;
    }
  }

  Deps recv_activation(const Chunk& c) {
    return receive_or_local(c, slot(c.flow, c.stage - 1), Payload::Activation, f_end_);
  }

  // Keeps the output for the chunk's backward; sends it on unless it is the last stage.
  void send_activation(const Chunk& c) {
    f_end_[key(c)] = c.x;
    if (c.stage < stages_ - 1) send_if_remote(c, slot(c.flow, c.stage + 1), Payload::Activation, c.stage + 1);
  }

  // The forward's output, plus the gradient from the next stage unless it is the last.
  Deps recv_gradient(const Chunk& c) {
    Deps x = f_end_.at(key(c));
    if (c.stage < stages_ - 1) {
      const auto grad = receive_or_local(c, slot(c.flow, c.stage + 1), Payload::Gradient, bi_end_);
      x.insert(x.end(), grad.begin(), grad.end());
    }
    return x;
  }

  // Keeps the input grad for the weight grad; sends it back unless it is the first stage.
  void send_gradient(const Chunk& c) {
    bi_end_[key(c)] = c.x;
    if (c.stage > 0) send_if_remote(c, slot(c.flow, c.stage - 1), Payload::Gradient, c.stage - 1);
  }

  // The embedding's weight grad on the first stage; the stage's gradients are then complete.
  void finish_weight_grad(const Chunk& c, const Deps& in) {
    if (c.stage == 0) ops_.embedding(c.site, Pass::W, in);
    held_stages_[c.rank].insert(c.stage);
  }

  // ---- PP transfers ------------------------------------------------------------------
  enum class Payload { Activation, Gradient };  // what a PP transfer carries

  const StageSlot& slot(int flow, int stage) const {
    return slots_[static_cast<std::size_t>(flow)][static_cast<std::size_t>(stage)];
  }
  int tag(Payload kind, int flow, int stage, int mb) const {
    return ((mb * flows_ + flow) * stages_ + stage) * 2 + (kind == Payload::Gradient ? 1 : 0);
  }

  // The dependency chunk `c` needs from its neighbour `from`: a receive when
  // the neighbour is another rank, the neighbour's own output when it is local
  // (DualPipeV's turn on the last rank).
  Deps receive_or_local(const Chunk& c, const StageSlot& from, Payload kind,
                        const std::map<std::tuple<int, int, int, int>, Deps>& local_end) {
    const int peer = lay_.rank(from.pipe_rank, lay_.pipeline_of(c.rank));
    const int from_stage = kind == Payload::Activation ? c.stage - 1 : c.stage + 1;
    if (peer == c.rank) {
      const auto it = local_end.find({c.rank, c.flow, from_stage, c.pass.mb});
      if (it == local_end.end() && probe_) return {};
      MOEPLAN_CHECK(it != local_end.end(), "rank {}: no local output of stage {} for mb {}", c.rank, from_stage,
                    c.pass.mb);
      return it->second;
    }
    return {prog_.add(transfer(OpType::Recv, c, peer, kind, c.stage)).id};
  }

  void send_if_remote(const Chunk& c, const StageSlot& to, Payload kind, int to_stage) {
    const int peer = lay_.rank(to.pipe_rank, lay_.pipeline_of(c.rank));
    if (peer == c.rank) return;
    Op op = transfer(OpType::Send, c, peer, kind, to_stage);
    op.deps = c.x;
    prog_.add(std::move(op));
  }

  // A PP transfer of one micro-batch's activation or gradient, on its way to `to_stage`.
  Op transfer(OpType type, const Chunk& c, int peer, Payload kind, int to_stage) const {
    Op op;
    op.rank = c.rank;
    op.type = type;
    op.stream = program::Stream::Comm;
    op.part = kind == Payload::Activation ? Part::PipelineActivation : Part::PipelineGradient;
    op.pass = kind == Payload::Activation ? Pass::F : Pass::Bi;
    op.microbatch = c.pass.mb;
    op.dir = c.flow;
    op.peer = peer;
    op.tag = tag(kind, c.flow, to_stage, c.pass.mb);
    op.bytes = cost::pipeline_payload_bytes(sc_.model, mb_shape_);
    op.tokens = mb_shape_.tokens();
    return op;
  }

  static std::tuple<int, int, int, int> key(const Chunk& c) { return {c.rank, c.flow, c.stage, c.pass.mb}; }

  const config::Scenario& sc_;
  const plan::ValidatedPlan& vp_;
  TrainStepOptions opt_;
  const plan::Layout& lay_;
  const schedule::Schedule& sched_;
  cost::MicroBatchShape mb_shape_;
  int flows_ = 1, stages_ = 1;
  std::vector<std::vector<StageSlot>> slots_;  // [flow][stage]
  program::Program prog_;
  CollectiveInstances collectives_;
  LayerOps ops_;
  std::map<std::tuple<int, int, int, int>, Deps> f_end_, bi_end_;  // (rank, flow, stage, mb) -> output
  std::map<int, std::set<int>> held_stages_;                        // rank -> stages whose weight grads it ran
  bool probe_ = false;
};

TrainStepProbe::TrainStepProbe(const config::Scenario& sc, const plan::ValidatedPlan& vp)
    : b_(std::make_unique<TrainStepBuilder>(sc, vp, TrainStepOptions{true, {}, -1})) {}
TrainStepProbe::~TrainStepProbe() = default;

std::vector<OpRange> TrainStepProbe::run(int pipe_rank, const std::vector<schedule::ScheduleOp>& ops) {
  return b_->probe(pipe_rank, ops);
}
OpRange TrainStepProbe::dp_sync(int pipe_rank) { return b_->probe_dp_sync(pipe_rank); }
const program::Program& TrainStepProbe::program() const { return b_->program(); }

program::Program build_train_step(const config::Scenario& sc, const plan::ValidatedPlan& vp,
                                  const TrainStepOptions& opt) {
  auto p = TrainStepBuilder(sc, vp, opt).build();
  program::check_program(p);
  return p;
}

}  // namespace moeplan::workload
