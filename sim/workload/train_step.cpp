#include "sim/workload/train_step.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <optional>
#include <deque>
#include <functional>
#include <memory>
#include <map>
#include <set>

#include "sim/util/cancelled.h"
#include "sim/util/check.h"
#include "sim/plan/optimizer_state.h"
#include "sim/plan/stage_params.h"
#include "sim/cost/layer_work.h"
#include "sim/workload/moe_traffic.h"

namespace moeplan::workload {

using cost::MicroBatchShape;
using program::Gemm;
using program::Part;
using program::Pass;
using cost::PartWork;
using cost::part_work;
using cost::pipeline_payload_bytes;
using cost::routed_experts_work;
using cost::token_payload_bytes;
namespace {

using program::CollectiveKind;
using program::Op;
using program::OpId;
using program::OpType;
using program::Stream;
using schedule::OpKind;
using schedule::PassRef;
using Deps = std::vector<OpId>;  // ops whose completion makes a value ready

// The rank (pipeline rank) and pass template that run `stage` of model copy `flow`.
struct StageSlot {
  int pipe_rank = -1;
  PassRef pass;
};

class StepBuilder {
 public:
  StepBuilder(const config::Scenario& sc, const plan::ValidatedPlan& vp, const TrainStepOptions& opt)
      : sc_(sc),
        vp_(vp),
        opt_(opt),
        lay_(vp.layout),
        sched_(vp.schedule),
        traffic_(sc, std::min(vp.layout.ep, std::max(1, sc.topology.topology.gpus_per_node()))) {
    mb_shape_ = {sc.training().micro_batch, sc.training().sequence_length};
    prog_.all_to_all = sc.plan.all_to_all;
    flows_ = sched_.kind == schedule::Kind::DualPipe ? 2 : 1;
    stages_ = schedule::stage_count(sched_);
    slots_.assign(static_cast<std::size_t>(flows_), std::vector<StageSlot>(static_cast<std::size_t>(stages_)));
    for (int r = 0; r < sched_.pp; ++r)
      for (int c = 0; c < sched_.chunks; ++c) {
        const PassRef p = schedule::chunk_pass(sched_, c);
        const int flow = flows_ == 2 ? c : 0;
        slots_[static_cast<std::size_t>(flow)][static_cast<std::size_t>(schedule::stage_of(sched_, r, p))] = {r, p};
      }
  }

  program::Program build() {
    prog_.scenario = sc_.name;
    prog_.world_size = lay_.world();
    MOEPLAN_CHECK(!(opt_.reduced && opt_.pipeline >= 0), "a reduced program already holds one pipeline");
    MOEPLAN_CHECK(opt_.pipeline < lay_.dp, "pipeline {} of {}", opt_.pipeline, lay_.dp);
    prog_.reduced = opt_.reduced;
    prog_.partial = opt_.pipeline >= 0;
    prog_.replicas = opt_.reduced ? lay_.dp : 1;
    prog_.comm_sms = sc_.plan.comm_sms;
    for (int r = 0; r < lay_.world(); ++r) prog_.rank_gpu.push_back(r);
    prog_.by_rank.resize(static_cast<std::size_t>(lay_.world()));
    // The data-parallel indices held: one pipeline (reduced, or asked for), or all.
    const int first_dp = std::max(0, opt_.pipeline);
    const int held_dp = opt_.reduced || opt_.pipeline >= 0 ? first_dp + 1 : lay_.dp;
    // Phase 1: each held rank's schedule, op by op.
    for (int d = first_dp; d < held_dp; ++d)
      for (int r = 0; r < sched_.pp; ++r) {
        throw_if_stopped(opt_.stop);
        emit_rank_schedule(r, d);
      }
    // Phase 2: data-parallel synchronisation at the end of the step.
    for (int d = first_dp; d < held_dp; ++d)
      for (int r = 0; r < sched_.pp; ++r) emit_dp_sync(lay_.rank(r, d));
    return std::move(prog_);
  }

 private:
  // ---- the schedule of one rank --------------------------------------------------
  void emit_rank_schedule(int pipe_rank, int d) {
    const int rank = lay_.rank(pipe_rank, d);
    std::deque<PassRef> w_queue;  // passes whose weight-grad work is pending (FIFO)
    barrier_.clear();
    for (const auto& sop : sched_.ranks[static_cast<std::size_t>(pipe_rank)]) {
      // A rank runs its schedule ops in order: the first compute op of each
      // chunk waits for the previous schedule op's compute on every stream.
      for (auto& b : pending_barrier_) b = barrier_;
      last_compute_ = {-1, -1};
      switch (sop.kind) {
        case OpKind::F: emit_forward(rank, sop.pass); break;
        case OpKind::B: emit_backward(rank, sop.pass); emit_weight_grad(rank, sop.pass); break;
        case OpKind::Bi: emit_backward(rank, sop.pass); w_queue.push_back(sop.pass); break;
        case OpKind::W:
          MOEPLAN_CHECK(!w_queue.empty(), "W on rank {} with no queued weight-grad work", pipe_rank);
          emit_weight_grad(rank, w_queue.front());
          w_queue.pop_front();
          break;
        case OpKind::FB: {
          // Overlapped F&B in DeepSeek's published order: one compute stream
          // runs the two chunks' blocks interleaved, one comm stream their
          // all-to-alls and PP transfers as they become ready, so each chunk's
          // communication hides behind the other chunk's compute.
          auto forward = forward_blocks(rank, sop.f);
          auto backward = backward_blocks(rank, sop.b, sop.full_b);
          emit_interleaved(forward, backward);
          if (!sop.full_b) w_queue.push_back(sop.b);
          break;
        }
      }
      barrier_.clear();
      for (auto id : last_compute_)
        if (id >= 0) barrier_.push_back(id);
    }
    MOEPLAN_CHECK(w_queue.empty(), "rank {} ends the step with {} weight-grad works queued", pipe_rank, w_queue.size());
  }

  int flow_of(const PassRef& p) const { return flows_ == 2 ? p.dir : 0; }
  int stage_of(int rank, const PassRef& p) const { return schedule::stage_of(sched_, lay_.pipe_rank_of(rank), p); }
  const StageSlot& slot(int flow, int stage) const {
    return slots_[static_cast<std::size_t>(flow)][static_cast<std::size_t>(stage)];
  }
  // Model stage (layer set) of a pipeline stage.
  const std::vector<int>& stage_layers(int stage) const {
    return vp_.layers.layers[static_cast<std::size_t>(stage % vp_.layers.stages())];
  }
  int tag(int kind, int flow, int stage, int mb) const { return ((mb * flows_ + flow) * stages_ + stage) * 2 + kind; }

  void emit_forward(int rank, const PassRef& p) { run_blocks(forward_blocks(rank, p)); }
  void emit_backward(int rank, const PassRef& p) { run_blocks(backward_blocks(rank, p, false)); }

  // ---- chunks as blocks -----------------------------------------------------------
  // A chunk's work is a sequence of blocks, each the compute of one slot of
  // DeepSeek's F&B order plus the communication it makes ready. Run alone, a
  // chunk runs its blocks in sequence; an F&B pair interleaves two chunks':
  //   compute   MLP-B  MLP-W  MLP-F  ATTN-B  ATTN-W  ATTN-F   (repeat)
  //   comm      dispatch-F, dispatch-B, combine-F, PP, combine-B  (in order of readiness)
  // Glue steps (PP receives and sends, embedding, head) join the block before
  // them, or the first block when none is before.
  enum class Slot { MlpB, MlpW, MlpF, AttnB, AttnW, AttnF, Glue };
  using Step = std::function<void()>;
  struct Block {
    Slot slot = Slot::Glue;
    std::vector<Step> steps;
  };
  struct Blocks {
    std::vector<Block> list;
    std::vector<Step> pending;  // glue before the first block
    void add(Slot slot, Step step) {
      if (slot == Slot::Glue) {
        (list.empty() ? pending : list.back().steps).push_back(std::move(step));
        return;
      }
      list.push_back({slot, std::move(pending)});
      pending.clear();
      list.back().steps.push_back(std::move(step));
    }
    std::vector<Block> done() {
      if (!pending.empty()) list.push_back({Slot::Glue, std::move(pending)});
      return std::move(list);
    }
  };
  static void run_block(const Block& block) {
    for (const auto& step : block.steps) step();
  }
  static void run_blocks(const std::vector<Block>& blocks) {
    for (const auto& b : blocks) run_block(b);
  }

  void emit_interleaved(const std::vector<Block>& forward, const std::vector<Block>& backward) {
    static constexpr Slot kCycle[] = {Slot::MlpB, Slot::MlpW, Slot::MlpF, Slot::AttnB, Slot::AttnW, Slot::AttnF};
    std::size_t f = 0, b = 0;
    while (f < forward.size() || b < backward.size()) {
      bool ran = false;
      for (const Slot slot : kCycle) {
        const bool fwd = slot == Slot::MlpF || slot == Slot::AttnF;
        const auto& list = fwd ? forward : backward;
        auto& next = fwd ? f : b;
        if (next < list.size() && (list[next].slot == slot || list[next].slot == Slot::Glue)) {
          run_block(list[next++]);
          ran = true;
        }
      }
      if (!ran) run_block(f < forward.size() ? forward[f++] : backward[b++]);  // a block no slot takes
    }
  }

  std::vector<Block> forward_blocks(int rank, const PassRef& p) {
    const int s = stage_of(rank, p), flow = flow_of(p);
    auto x = std::make_shared<Deps>();
    Blocks b;
    b.add(Slot::Glue, [=, this] {
      if (s > 0) *x = receive_or_local(rank, slot(flow, s - 1), 0, flow, s, p.mb, f_end_);
      if (s == 0) *x = {compute(rank, Part::Embedding, Pass::F, -1, p, *x)};
    });
    for (int l : stage_layers(s)) add_layer_forward(b, rank, l, p, x);
    b.add(Slot::Glue, [=, this] {
      if (s == stages_ - 1) *x = emit_head(rank, Pass::F, p, *x);
      f_end_[key(rank, flow, s, p.mb)] = *x;
      if (s < stages_ - 1) send_if_remote(rank, slot(flow, s + 1), 0, flow, s + 1, p.mb, *x);
    });
    return b.done();
  }

  // with_w: each layer's weight-grad work follows its input-grad work (a full
  // backward inside an F&B pair); else it is left for emit_weight_grad.
  std::vector<Block> backward_blocks(int rank, const PassRef& p, bool with_w) {
    const int s = stage_of(rank, p), flow = flow_of(p);
    auto x = std::make_shared<Deps>();
    Blocks b;
    b.add(Slot::Glue, [=, this] {
      *x = f_end_.at(key(rank, flow, s, p.mb));
      if (s < stages_ - 1) {
        const auto grad = receive_or_local(rank, slot(flow, s + 1), 1, flow, s, p.mb, bi_end_);
        x->insert(x->end(), grad.begin(), grad.end());
      }
      if (s == stages_ - 1) {
        *x = emit_head(rank, Pass::Bi, p, *x);
        if (with_w) emit_head(rank, Pass::W, p, *x);
      }
    });
    const auto& layers = stage_layers(s);
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) add_layer_backward(b, rank, *it, p, x, with_w);
    b.add(Slot::Glue, [=, this] {
      bi_end_[key(rank, flow, s, p.mb)] = *x;
      if (s > 0) send_if_remote(rank, slot(flow, s - 1), 1, flow, s - 1, p.mb, *x);
      if (with_w) {
        if (s == 0) compute(rank, Part::Embedding, Pass::W, -1, p, *x);
        held_stages_[rank].insert(s);
      }
    });
    return b.done();
  }

  // ---- one transformer layer as blocks ---------------------------------------------
  // F:  ATTN-F [attention, core, gating, dispatch->]  MLP-F [shared expert, routed experts, combine->]
  //     (a dense layer: ATTN-F [attention, core]  MLP-F [dense FFN])
  void add_layer_forward(Blocks& b, int rank, int layer, const PassRef& p, const std::shared_ptr<Deps>& x) {
    const bool moe = layer >= sc_.model.dense_layers;
    auto c = [=, this](Part part, Deps deps) { return compute(rank, part, Pass::F, layer, p, std::move(deps)); };
    auto attn = std::make_shared<OpId>(-1), dispatched = std::make_shared<OpId>(-1);
    b.add(Slot::AttnF, [=, this] {
      *attn = c(Part::AttentionCore, {c(Part::Attention, *x)});
      if (moe) *dispatched = all_to_all(rank, Part::Dispatch, Pass::F, layer, p, {c(Part::Gating, {*attn})});
    });
    b.add(Slot::MlpF, [=, this] {
      if (!moe) {
        *x = {c(Part::DenseFfn, {*attn})};
        return;
      }
      const OpId shared = c(Part::SharedExpert, {*attn});
      const OpId experts = c(Part::RoutedExperts, {*dispatched});
      *x = {all_to_all(rank, Part::Combine, Pass::F, layer, p, {experts}), shared};
    });
  }

  // Bi: ->combine-grad (glue: it follows the layer above's ATTN-B)
  //     MLP-B [shared expert, routed experts, dispatch-grad->]  ATTN-B [gating, core, attention]
  //     (a dense layer: MLP-B [dense FFN]  ATTN-B [core, attention])
  // with_w adds MLP-W and ATTN-W after each, each weight-grad op after its part's input-grad op.
  void add_layer_backward(Blocks& b, int rank, int layer, const PassRef& p, const std::shared_ptr<Deps>& x,
                          bool with_w) {
    const bool moe = layer >= sc_.model.dense_layers;
    auto c = [=, this](Part part, Pass pass, Deps deps) { return compute(rank, part, pass, layer, p, std::move(deps)); };
    auto bi = std::make_shared<std::map<Part, OpId>>();  // input-grad op of each part
    auto combine_grad = std::make_shared<OpId>(-1);
    if (moe) b.add(Slot::Glue, [=, this] { *combine_grad = all_to_all(rank, Part::Combine, Pass::Bi, layer, p, *x); });
    b.add(Slot::MlpB, [=, this] {
      if (!moe) {
        *x = {(*bi)[Part::DenseFfn] = c(Part::DenseFfn, Pass::Bi, *x)};
        return;
      }
      const OpId shared = (*bi)[Part::SharedExpert] = c(Part::SharedExpert, Pass::Bi, *x);
      const OpId experts = (*bi)[Part::RoutedExperts] = c(Part::RoutedExperts, Pass::Bi, {*combine_grad});
      *x = {all_to_all(rank, Part::Dispatch, Pass::Bi, layer, p, {experts}), shared};
    });
    if (with_w)
      b.add(Slot::MlpW, [=, this] {
        for (const Part part : {Part::DenseFfn, Part::SharedExpert, Part::RoutedExperts})
          if (bi->count(part)) c(part, Pass::W, {bi->at(part)});
      });
    b.add(Slot::AttnB, [=, this] {
      Deps in = *x;
      if (moe) in = {(*bi)[Part::Gating] = c(Part::Gating, Pass::Bi, in)};
      *x = {(*bi)[Part::Attention] = c(Part::Attention, Pass::Bi, {c(Part::AttentionCore, Pass::Bi, in)})};
    });
    if (with_w)
      b.add(Slot::AttnW, [=, this] {
        for (const Part part : {Part::Gating, Part::Attention})
          if (bi->count(part)) c(part, Pass::W, {bi->at(part)});
      });
  }

  void emit_weight_grad(int rank, const PassRef& p) {
    const int s = stage_of(rank, p);
    const Deps in = bi_end_.at(key(rank, flow_of(p), s, p.mb));
    if (s == stages_ - 1) emit_head(rank, Pass::W, p, in);
    const auto& layers = stage_layers(s);
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) emit_layer(rank, *it, Pass::W, p, in);
    if (s == 0) compute(rank, Part::Embedding, Pass::W, -1, p, in);
    held_stages_[rank].insert(s);
  }

  // ---- one transformer layer, run on its own (the MTP modules of the head) -----------
  // F and Bi: its blocks in sequence. W: the weight-grad GEMMs of the same
  // parts, in backward order, all after `in`.
  // Returns the ops the layer's output (F, Bi) is ready after.
  Deps emit_layer(int rank, int layer, Pass pass, const PassRef& p, const Deps& in) {
    const bool moe = layer >= sc_.model.dense_layers;
    auto c = [&](Part part, Deps deps) { return compute(rank, part, pass, layer, p, std::move(deps)); };
    if (pass != Pass::W) {
      auto x = std::make_shared<Deps>(in);
      Blocks b;
      if (pass == Pass::F) add_layer_forward(b, rank, layer, p, x);
      else add_layer_backward(b, rank, layer, p, x, false);
      run_blocks(b.done());
      return *x;
    }
    // W
    if (!moe) {
      c(Part::DenseFfn, in);
    } else {
      c(Part::SharedExpert, in);
      c(Part::RoutedExperts, in);
      c(Part::Gating, in);
    }
    return {c(Part::Attention, in)};
  }

  Deps emit_head(int rank, Pass pass, const PassRef& p, const Deps& in) {
    // Head and loss, plus the multi-token-prediction modules (an MoE block and
    // another head each) that DeepSeek-V3 places on the last stage.
    const int mtp_layer = sc_.model.layers;  // MTP modules are numbered after the last layer
    auto c = [&](Part part, int layer, Deps deps) { return compute(rank, part, pass, layer, p, std::move(deps)); };
    Deps x = in;
    if (pass == Pass::F) {
      x = {c(Part::Head, -1, x)};
      x = {c(Part::Loss, -1, x)};
      for (int k = 0; k < sc_.model.mtp_layers; ++k) {
        x = emit_layer(rank, mtp_layer + k, pass, p, x);
        x = {c(Part::Head, mtp_layer + k, x)};
        x = {c(Part::Loss, mtp_layer + k, x)};
      }
      return x;
    }
    if (pass == Pass::Bi) {
      for (int k = sc_.model.mtp_layers - 1; k >= 0; --k) {
        x = {c(Part::Loss, mtp_layer + k, x)};
        x = {c(Part::Head, mtp_layer + k, x)};
        x = emit_layer(rank, mtp_layer + k, pass, p, x);
      }
      x = {c(Part::Loss, -1, x)};
      return {c(Part::Head, -1, x)};
    }
    for (int k = sc_.model.mtp_layers - 1; k >= 0; --k) {
      c(Part::Head, mtp_layer + k, in);
      emit_layer(rank, mtp_layer + k, pass, p, in);
    }
    return {c(Part::Head, -1, in)};
  }

  // ---- op constructors -------------------------------------------------------------
  // Position of `rank` in its EP group.
  int ep_index(int rank) const {
    const auto g = lay_.ep_group(rank);
    return static_cast<int>(std::find(g.begin(), g.end(), rank) - g.begin());
  }

  // Routed experts work on the tokens this rank's experts receive. A reduced
  // program holds one rank per EP group and runs it at the group's pace: in F
  // and Bi each layer's combine waits for that layer's busiest GPU; W ops meet
  // no collective, so there the GPU busiest over the stage's layers leads.
  PartWork work_of(int rank, Part part, Pass pass, int layer) {
    if (part != Part::RoutedExperts) return part_work(sc_.model, mb_shape_, part, pass, sc_.plan.precision, lay_.ep);
    const auto& lt = traffic_.layer(layer, prog_);
    int idx = ep_index(rank);
    if (opt_.reduced) idx = pass == Pass::W ? busiest_over_stage(rank, layer) : lt.slowest_rank;
    return routed_experts_work(sc_.model, lt.local_expert_tokens[static_cast<std::size_t>(idx)], pass, sc_.plan.precision);
  }

  OpId compute(int rank, Part part, Pass pass, int layer, const PassRef& p, Deps deps) {
    const auto w = work_of(rank, part, pass, layer);
    Op op;
    op.rank = rank;
    op.type = OpType::Compute;
    op.stream = compute_stream_;
    op.part = part;
    op.pass = pass;
    op.layer = layer;
    op.microbatch = p.mb;
    op.dir = p.dir;
    op.tokens = mb_shape_.tokens();
    if (part == Part::RoutedExperts) {
      op.tokens = 0;
      for (const auto& g : w.gemms) op.tokens += g.m / 2;  // each slot: gate/up GEMM and down GEMM, m rows each
    }
    op.flops = w.flops;
    op.bytes = w.bytes;
    op.dtype = w.dtype;
    op.gemms = w.gemms;
    op.deps = std::move(deps);
    auto& barrier = pending_barrier_[chunk_index()];
    op.deps.insert(op.deps.end(), barrier.begin(), barrier.end());
    barrier.clear();
    const OpId id = prog_.add(std::move(op)).id;
    last_compute_[chunk_index()] = id;
    if (part == Part::RoutedExperts) advance_lead_clock(rank, layer, pass);
    return id;
  }

  // ---- leads: each EP member's own expert work between all-to-alls ------------------
  // Per held rank, the routed-expert work every member of its EP group has done
  // so far (each with its own token load); an all-to-all's lead is the
  // difference since its predecessor (program::Lead). Only skewed loads make
  // members differ; alike members need no lead.
  struct LeadClock {
    std::vector<double> flops, bytes;  // cumulative, per member
    std::map<std::tuple<Pass, int, int>, std::pair<std::vector<double>, std::vector<double>>> at_chain;
    std::optional<std::pair<std::vector<double>, std::vector<double>>> at_last;
  };

  void advance_lead_clock(int rank, int layer, Pass pass) {
    auto [it, added] = member_work_.try_emplace({layer, pass});
    if (added) {
      const auto& lt = traffic_.layer(layer, prog_);
      for (const auto& tokens : lt.local_expert_tokens) {
        const auto w = routed_experts_work(sc_.model, tokens, pass, sc_.plan.precision);
        it->second.first.push_back(w.flops);
        it->second.second.push_back(w.bytes);
      }
    }
    auto& clock = lead_clock_[rank];
    const auto n = it->second.first.size();
    clock.flops.resize(n, 0.0);
    clock.bytes.resize(n, 0.0);
    for (std::size_t g = 0; g < n; ++g) {
      clock.flops[g] += it->second.first[g];
      clock.bytes[g] += it->second.second[g];
    }
  }

  // The lead of an all-to-all of `rank` in (pass, micro-batch, direction); -1 when members are alike.
  int take_lead(int rank, Pass pass, int mb, int dir) {
    auto& clock = lead_clock_[rank];
    const auto now = std::make_pair(clock.flops, clock.bytes);
    const auto chain = std::make_tuple(pass, mb, dir);
    const auto it = clock.at_chain.find(chain);
    const auto* since = it != clock.at_chain.end() ? &it->second : (clock.at_last ? &*clock.at_last : nullptr);
    int id = -1;
    if (since && !now.first.empty()) {
      program::Lead lead{now.first, now.second, sc_.plan.precision};
      for (std::size_t g = 0; g < lead.flops.size(); ++g) {
        lead.flops[g] -= g < since->first.size() ? since->first[g] : 0.0;
        lead.bytes[g] -= g < since->second.size() ? since->second[g] : 0.0;
      }
      const auto [lo, hi] = std::minmax_element(lead.flops.begin(), lead.flops.end());
      if (*hi > *lo) {
        auto [known, added] = lead_id_.try_emplace(std::make_pair(lead.flops, lead.bytes), static_cast<int>(prog_.leads.size()));
        if (added) prog_.leads.push_back(std::move(lead));
        id = known->second;
      }
    }
    clock.at_chain[chain] = now;
    clock.at_last = now;
    return id;
  }

  int busiest_over_stage(int rank, int layer) {
    const int pipe_rank = lay_.pipe_rank_of(rank);
    for (int s = 0; s < stages_; ++s) {
      const auto& layers = stage_layers(s);
      const bool mtp_here = s == stages_ - 1 && layer >= sc_.model.layers;
      if (!mtp_here && std::find(layers.begin(), layers.end(), layer) == layers.end()) continue;
      auto [it, inserted] = busiest_of_stage_.try_emplace({pipe_rank, s}, 0);
      if (inserted) {
        auto all = layers;
        if (s == stages_ - 1)
          for (int k = 0; k < sc_.model.mtp_layers; ++k) all.push_back(sc_.model.layers + k);
        it->second = traffic_.busiest_rank(all, prog_);
      }
      return it->second;
    }
    MOEPLAN_CHECK(false, "layer {} is on no stage", layer);
    return 0;
  }

  std::size_t chunk_index() const { return compute_stream_ == Stream::Compute ? 0 : 1; }

  OpId all_to_all(int rank, Part part, Pass pass, int layer, const PassRef& p, Deps deps) {
    const auto members = lay_.ep_group(rank);
    const double per_token = token_payload_bytes(sc_.model, part, pass, sc_.plan.precision);
    const auto& lt = traffic_.layer(layer, prog_);
    Op op = collective(rank, CollectiveKind::AllToAll, part, group_index("ep", members));
    op.pass = pass;
    op.layer = layer;
    op.microbatch = p.mb;
    op.dir = p.dir;
    op.dtype = part == Part::Dispatch && pass == Pass::F ? sc_.plan.precision : DType::BF16;
    op.traffic = traffic_.traffic_id(lt, part, pass);
    op.lead = take_lead(rank, pass, p.mb, p.dir);
    // This rank's row of the group matrix (what it sends to each member) stays in the matrix.
    const auto row = program::send_row(prog_, op);
    op.bytes = std::accumulate(row.begin(), row.end(), 0.0);
    op.tokens = static_cast<std::int64_t>(op.bytes / per_token);
    op.deps = std::move(deps);
    return prog_.add(std::move(op)).id;
  }

  Op collective(int rank, CollectiveKind kind, Part part, int group) {
    Op op;
    op.rank = rank;
    op.type = OpType::Collective;
    op.stream = comm_stream_;
    op.part = part;
    op.collective = kind;
    op.group = group;
    const int seq = collective_seq_[{rank, group}]++;
    auto [it, inserted] = instance_of_.try_emplace({group, seq}, next_instance_);
    if (inserted) ++next_instance_;
    op.instance = it->second;
    return op;
  }

  int group_index(const std::string& kind, const std::vector<int>& ranks) {
    auto [it, inserted] = group_of_.try_emplace({kind, ranks.front()}, static_cast<int>(prog_.groups.size()));
    if (inserted) prog_.groups.push_back({kind, ranks});
    return it->second;
  }

  // The dependency a pass at `stage` needs from its neighbour `from`: a receive
  // when the neighbour is another rank, the neighbour's own op when it is local
  // (DualPipeV's turn on the last rank).
  Deps receive_or_local(int rank, const StageSlot& from, int kind, int flow, int stage, int mb,
                        const std::map<std::tuple<int, int, int, int>, Deps>& local_end) {
    const int d = lay_.dp_of(rank);
    const int peer = lay_.rank(from.pipe_rank, d);
    const int from_stage = kind == 0 ? stage - 1 : stage + 1;
    if (peer == rank) return local_end.at(key(rank, flow, from_stage, mb));
    return {prog_.add(p2p(OpType::Recv, rank, peer, kind, flow, stage, mb)).id};
  }

  // A PP transfer of one micro-batch's activation (kind 0) or gradient (kind 1).
  Op p2p(OpType type, int rank, int peer, int kind, int flow, int to_stage, int mb) const {
    Op op;
    op.rank = rank;
    op.type = type;
    op.stream = Stream::Comm;
    op.part = kind == 0 ? Part::PipelineActivation : Part::PipelineGradient;
    op.pass = kind == 0 ? Pass::F : Pass::Bi;
    op.microbatch = mb;
    op.dir = flow;
    op.peer = peer;
    op.tag = tag(kind, flow, to_stage, mb);
    op.bytes = pipeline_payload_bytes(sc_.model, mb_shape_);
    op.tokens = mb_shape_.tokens();
    return op;
  }

  void send_if_remote(int rank, const StageSlot& to, int kind, int flow, int to_stage, int mb, const Deps& after) {
    const int peer = lay_.rank(to.pipe_rank, lay_.dp_of(rank));
    if (peer == rank) return;
    Op op = p2p(OpType::Send, rank, peer, kind, flow, to_stage, mb);
    op.deps = after;
    prog_.add(std::move(op));
  }

  // ---- data-parallel synchronisation (ZeRO-1) ------------------------------------
  void emit_dp_sync(int rank) {
    double dense = 0, experts = 0;
    for (int s : held_stages_[rank]) {
      const auto p = plan::stage_params(sc_.model, vp_.layers, s, lay_.ep);
      dense += p.dense;
      experts += p.experts;
    }
    // Gradients are complete once the last compute op of each compute stream is.
    Deps last_compute;
    for (auto stream : {Stream::Compute, Stream::ComputeB}) {
      const auto& order = prog_.by_rank[static_cast<std::size_t>(rank)];
      for (auto it = order.rbegin(); it != order.rend(); ++it)
        if (prog_.op(*it).type == OpType::Compute && prog_.op(*it).stream == stream) {
          last_compute.push_back(*it);
          break;
        }
    }
    const bool zero = sc_.plan.zero_stage >= 1;
    std::vector<OpId> synced;
    auto sync = [&](const char* kind, const std::vector<int>& members, double params) {
      if (members.size() < 2 || params <= 0) return;
      Op op = collective(rank, zero ? CollectiveKind::ReduceScatter : CollectiveKind::AllReduce, Part::GradSync,
                         group_index(kind, members));
      op.bytes = params * plan::kGradientBytes;  // FP32 gradients
      op.dtype = DType::FP32;
      op.deps = last_compute;
      synced.push_back(prog_.add(std::move(op)).id);
    };
    sync("dp", lay_.dp_group(rank), dense);
    sync("edp", lay_.edp_group(rank), experts);
    // AdamW on this rank's shard: read/write FP32 master weights, FP32 grads, two BF16 moments.
    const double shard = plan::optimizer_shard_params(dense, experts, lay_.dp, lay_.ep, sc_.plan.zero_stage);
    Op opt;
    opt.rank = rank;
    opt.type = OpType::Compute;
    opt.stream = Stream::Compute;
    opt.part = Part::Optimizer;
    opt.flops = plan::kAdamwFlops * shard;
    opt.bytes = plan::kAdamwBytes * shard;
    opt.dtype = DType::FP32;
    opt.deps = synced;
    opt.deps.insert(opt.deps.end(), last_compute.begin(), last_compute.end());
    const OpId step = prog_.add(std::move(opt)).id;
    if (!zero) return;
    auto gather = [&](const char* kind, const std::vector<int>& members, double params) {
      if (members.size() < 2 || params <= 0) return;
      Op op = collective(rank, CollectiveKind::AllGather, Part::ParamSync, group_index(kind, members));
      op.bytes = params * plan::kWeightBytes;  // BF16 weights
      op.deps = {step};
      prog_.add(std::move(op));
    };
    gather("dp", lay_.dp_group(rank), dense);
    gather("edp", lay_.edp_group(rank), experts);
  }

  static std::tuple<int, int, int, int> key(int rank, int flow, int stage, int mb) { return {rank, flow, stage, mb}; }

  const config::Scenario& sc_;
  const plan::ValidatedPlan& vp_;
  TrainStepOptions opt_;
  const plan::Layout& lay_;
  const schedule::Schedule& sched_;
  MoeTraffic traffic_;
  MicroBatchShape mb_shape_;
  int flows_ = 1, stages_ = 1;
  std::vector<std::vector<StageSlot>> slots_;
  program::Program prog_;
  std::map<std::tuple<int, int, int, int>, Deps> f_end_, bi_end_;
  std::map<int, std::set<int>> held_stages_;
  std::map<std::pair<int, int>, int> collective_seq_, instance_of_;
  std::map<std::pair<std::string, int>, int> group_of_;
  int next_instance_ = 0;
  std::map<std::pair<int, int>, int> busiest_of_stage_;
  std::map<int, LeadClock> lead_clock_;
  std::map<std::pair<int, Pass>, std::pair<std::vector<double>, std::vector<double>>> member_work_;
  std::map<std::pair<std::vector<double>, std::vector<double>>, int> lead_id_;
  Stream compute_stream_ = Stream::Compute, comm_stream_ = Stream::Comm;
  Deps barrier_;                              // last compute ops of the previous schedule op
  std::array<Deps, 2> pending_barrier_;       // not yet attached, per compute stream
  std::array<OpId, 2> last_compute_{-1, -1};  // of the current schedule op, per compute stream
};

}  // namespace

program::Program build_train_step(const config::Scenario& sc, const plan::ValidatedPlan& vp,
                                  const TrainStepOptions& opt) {
  auto p = StepBuilder(sc, vp, opt).build();
  program::check_program(p);
  return p;
}

}  // namespace moeplan::workload
