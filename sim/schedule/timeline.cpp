#include "sim/schedule/timeline.h"

#include "sim/util/cancelled.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/schedule/format.h"

namespace moeplan::schedule {

namespace {

// DualPipe runs two copies of the model, one per direction: a micro-batch of
// direction d only ever meets stages of copy d. Every other kind is one flow.
int flow_of(const Schedule& s, const PassRef& p) { return s.kind == Kind::DualPipe ? p.dir : 0; }
int flow_count(const Schedule& s) { return s.kind == Kind::DualPipe ? 2 : 1; }
int microbatches_per_flow(const Schedule& s) {
  return s.kind == Kind::DualPipe ? s.microbatches / 2 : s.microbatches;
}

struct PassDone {
  std::optional<double> end_s;
  int rank = -1;
};

// What is known so far about every (flow, stage, micro-batch).
class PassLedger {
 public:
  PassLedger(int flows, int stages, int mbs)
      : stages_(stages), mbs_(mbs),
        forward_(static_cast<std::size_t>(flows * stages * mbs)),
        backward_(static_cast<std::size_t>(flows * stages * mbs)) {}

  PassDone& forward(int flow, int stage, int mb) { return forward_[index(flow, stage, mb)]; }
  PassDone& backward(int flow, int stage, int mb) { return backward_[index(flow, stage, mb)]; }
  bool in_range(int stage, int mb) const { return stage >= 0 && stage < stages_ && mb >= 0 && mb < mbs_; }

 private:
  std::size_t index(int flow, int stage, int mb) const {
    return static_cast<std::size_t>((flow * stages_ + stage) * mbs_ + mb);
  }
  int stages_;
  int mbs_;
  std::vector<PassDone> forward_;
  std::vector<PassDone> backward_;
};

struct Readiness {
  bool ready = true;
  double at_s = 0.0;
  std::string waiting_for;
};

class TimelineRun {
 public:
  TimelineRun(const Schedule& s, const DurationModel& d)
      : s_(s), d_(d), stages_(stage_count(s)),
        ledger_(flow_count(s), stage_count(s), microbatches_per_flow(s)),
        next_(static_cast<std::size_t>(s.pp), 0),
        free_at_s_(static_cast<std::size_t>(s.pp), 0.0),
        weight_queue_(static_cast<std::size_t>(s.pp)) {
    if (static_cast<int>(s.ranks.size()) != s.pp) {
      throw std::invalid_argument(fmt::format("timeline: schedule has pp = {} but {} rank op lists",
                                              s.pp, s.ranks.size()));
    }
    out_.ops.resize(s.ranks.size());
    out_.ranks.resize(s.ranks.size());
  }

  Timeline run(const std::stop_token& stop) {
    // Sweep the ranks, each running as many ops as it can, until a sweep makes
    // no progress. Each sweep runs at least one op, so at most (total ops)
    // sweeps of P ranks.
    bool progress = true;
    while (progress) {
      throw_if_stopped(stop);
      progress = false;
      for (int r = 0; r < s_.pp; ++r) {
        while (next_[u(r)] < rank_ops(r).size() && try_run(r)) progress = true;
      }
    }
    collect_stuck();
    summarise();
    return std::move(out_);
  }

 private:
  static std::size_t u(int i) { return static_cast<std::size_t>(i); }
  const std::vector<ScheduleOp>& rank_ops(int r) const { return s_.ranks[u(r)]; }

  void check_pass(int rank, const PassRef& p) {
    const int stage = stage_of(s_, rank, p);
    if (!ledger_.in_range(stage, p.mb)) {
      throw std::invalid_argument(fmt::format(
          "timeline: rank {} has a pass (dir {}, chunk {}, mb {}) at stage {}; valid stages are 0..{} "
          "and micro-batches 0..{}",
          rank, p.dir, p.chunk, p.mb, stage, stages_ - 1, microbatches_per_flow(s_) - 1));
    }
  }

  double hop_s(int from_rank, int to_rank) const { return from_rank == to_rank ? 0.0 : d_.hop_s(from_rank, to_rank); }

  // F(p) on `rank`: the previous stage's F of the same micro-batch.
  Readiness forward_ready(int rank, const PassRef& p) {
    check_pass(rank, p);
    const int stage = stage_of(s_, rank, p);
    if (stage == 0) return {};
    const PassDone& prev = ledger_.forward(flow_of(s_, p), stage - 1, p.mb);
    if (!prev.end_s) return {false, 0.0, fmt::format("F of mb {} at stage {}", p.mb, stage - 1)};
    return {true, *prev.end_s + hop_s(prev.rank, rank), {}};
  }

  // B/Bi(p) on `rank`: the next stage's backward and the local forward.
  Readiness backward_ready(int rank, const PassRef& p) {
    check_pass(rank, p);
    const int stage = stage_of(s_, rank, p);
    const int flow = flow_of(s_, p);
    Readiness r;
    const PassDone& own_f = ledger_.forward(flow, stage, p.mb);
    if (!own_f.end_s) return {false, 0.0, fmt::format("F of mb {} at stage {}", p.mb, stage)};
    r.at_s = *own_f.end_s + hop_s(own_f.rank, rank);
    if (stage + 1 < stages_) {
      const PassDone& next = ledger_.backward(flow, stage + 1, p.mb);
      if (!next.end_s) return {false, 0.0, fmt::format("backward of mb {} at stage {}", p.mb, stage + 1)};
      r.at_s = std::max(r.at_s, *next.end_s + hop_s(next.rank, rank));
    }
    return r;
  }

  void record_forward(int rank, const PassRef& p, double end_s) {
    PassDone& f = ledger_.forward(flow_of(s_, p), stage_of(s_, rank, p), p.mb);
    if (f.end_s) {
      throw std::invalid_argument(fmt::format("timeline: rank {} runs the forward of mb {} (dir {}, chunk {}) twice",
                                              rank, p.mb, p.dir, p.chunk));
    }
    f = {end_s, rank};
  }
  void record_backward(int rank, const PassRef& p, double end_s, bool queues_weight) {
    PassDone& b = ledger_.backward(flow_of(s_, p), stage_of(s_, rank, p), p.mb);
    if (b.end_s) {
      throw std::invalid_argument(fmt::format("timeline: rank {} runs the backward of mb {} (dir {}, chunk {}) twice",
                                              rank, p.mb, p.dir, p.chunk));
    }
    b = {end_s, rank};
    if (queues_weight) weight_queue_[u(rank)].push_back(p);
  }

  // Runs rank r's next op if its dependencies are met; returns whether it ran.
  bool try_run(int r) {
    const std::size_t i = next_[u(r)];
    const ScheduleOp& op = rank_ops(r)[i];
    Readiness ready;
    switch (op.kind) {
      case OpKind::F: ready = forward_ready(r, op.pass); break;
      case OpKind::B:
      case OpKind::Bi: ready = backward_ready(r, op.pass); break;
      case OpKind::W:
        if (weight_queue_[u(r)].empty()) ready = {false, 0.0, "weight-grad work, but the W queue is empty"};
        break;
      case OpKind::FB: {
        const Readiness f = forward_ready(r, op.f);
        const Readiness b = backward_ready(r, op.b);
        ready = !f.ready ? f : !b.ready ? b : Readiness{true, std::max(f.at_s, b.at_s), {}};
        break;
      }
    }
    if (!ready.ready) {
      waiting_for_ = ready.waiting_for;
      return false;
    }

    OpTiming t;
    t.start_s = std::max(free_at_s_[u(r)], ready.at_s);
    if (op.kind == OpKind::W) {  // the duration of the weight-grad work it takes
      ScheduleOp w = op;
      w.pass = weight_queue_[u(r)].front();
      t.end_s = t.start_s + d_.op_s(r, w);
    } else {
      t.end_s = t.start_s + d_.op_s(r, op);
    }
    auto out = [&](bool forward) {
      return d_.out_s ? std::min(t.end_s, t.start_s + d_.out_s(r, op, forward)) : t.end_s;
    };
    switch (op.kind) {
      case OpKind::F: record_forward(r, op.pass, out(true)); break;
      case OpKind::B: record_backward(r, op.pass, out(false), false); break;
      case OpKind::Bi: record_backward(r, op.pass, out(false), true); break;
      case OpKind::W:
        t.w_pass = weight_queue_[u(r)].front();
        weight_queue_[u(r)].pop_front();
        break;
      case OpKind::FB:
        record_forward(r, op.f, out(true));
        record_backward(r, op.b, out(false), !op.full_b);
        break;
    }
    free_at_s_[u(r)] = t.end_s;
    out_.ops[u(r)].push_back(t);
    ++next_[u(r)];
    return true;
  }

  void collect_stuck() {
    for (int r = 0; r < s_.pp; ++r) {
      const std::size_t i = next_[u(r)];
      if (i >= rank_ops(r).size()) continue;
      try_run(r);  // cannot succeed (no progress was possible); fills waiting_for_
      out_.stuck.push_back(StuckRank{r, static_cast<int>(i), rank_ops(r)[i], waiting_for_});
    }
  }

  void summarise() {
    const std::vector<int> peaks = peak_activations(s_);
    for (int r = 0; r < s_.pp; ++r) {
      RankTiming& rt = out_.ranks[u(r)];
      rt.peak_activations = peaks[u(r)];
      const auto& times = out_.ops[u(r)];
      for (const OpTiming& t : times) rt.busy_s += t.end_s - t.start_s;
      if (!times.empty()) {
        rt.first_start_s = times.front().start_s;
        rt.last_end_s = times.back().end_s;
      }
      out_.makespan_s = std::max(out_.makespan_s, rt.last_end_s);
    }
    for (RankTiming& rt : out_.ranks) {
      rt.idle_s = out_.makespan_s - rt.busy_s;
      rt.span_idle_s = (rt.last_end_s - rt.first_start_s) - rt.busy_s;
    }
  }

  const Schedule& s_;
  const DurationModel& d_;
  int stages_;
  PassLedger ledger_;
  std::vector<std::size_t> next_;
  std::vector<double> free_at_s_;
  std::vector<std::deque<PassRef>> weight_queue_;
  std::string waiting_for_;
  Timeline out_;
};

}  // namespace

double Timeline::worst_idle_s() const {
  double worst = 0.0;
  for (const RankTiming& r : ranks) worst = std::max(worst, r.idle_s);
  return worst;
}

std::string Timeline::deadlock_report() const {
  std::string text;
  for (const StuckRank& st : stuck) {
    text += fmt::format("rank {} stuck at op {} ({}): waiting for {}\n", st.rank, st.op_index,
                        op_label(st.op), st.waiting_for);
  }
  return text;
}

Timeline evaluate_timeline(const Schedule& s, const DurationModel& d, std::stop_token stop) {
  return TimelineRun(s, d).run(stop);
}

Timeline evaluate_timeline(const Schedule& s, const OpDurations& d, std::stop_token stop) {
  DurationModel model;
  model.op_s = [&d](int, const ScheduleOp& op) {
    switch (op.kind) {
      case OpKind::F: return d.f_s;
      case OpKind::B: return d.b_s;
      case OpKind::Bi: return d.bi_s;
      case OpKind::W: return d.w_s;
      case OpKind::FB: return d.fb_s;
    }
    return 0.0;
  };
  model.hop_s = [&d](int, int) { return d.p2p_latency_s; };
  return evaluate_timeline(s, model, stop);
}

std::vector<int> peak_activations(const Schedule& s) {
  std::vector<int> peaks;
  peaks.reserve(s.ranks.size());
  for (const auto& ops : s.ranks) {
    int live = 0;
    int peak = 0;
    for (const ScheduleOp& op : ops) {
      switch (op.kind) {
        case OpKind::F: peak = std::max(peak, ++live); break;
        case OpKind::B:
        case OpKind::Bi: --live; break;
        case OpKind::W: break;
        case OpKind::FB:
          peak = std::max(peak, ++live);
          --live;
          break;
      }
    }
    peaks.push_back(peak);
  }
  return peaks;
}

}  // namespace moeplan::schedule
