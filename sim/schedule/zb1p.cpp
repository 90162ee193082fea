#include "sim/schedule/zb1p.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/schedule/ops.h"

namespace moeplan::schedule {

namespace {

class ZeroBubbleRank {
 public:
  explicit ZeroBubbleRank(int rank) : deferred_(rank) {}

  void forward() { ops_.push_back(forward_op(pass_of(0, next_f_++))); }
  // Bi, then its W unless this rank still owes deferred W's to the cool-down.
  void input_grad_then_maybe_weight() {
    ops_.push_back(input_grad_op(pass_of(0, next_b_++)));
    if (next_b_ > deferred_) weight();
  }
  void weight() {
    ops_.push_back(weight_op());
    ++weights_;
  }
  int weights_left() const { return next_b_ - weights_; }
  std::vector<ScheduleOp> take() { return std::move(ops_); }

 private:
  int deferred_;
  int next_f_ = 0;
  int next_b_ = 0;
  int weights_ = 0;
  std::vector<ScheduleOp> ops_;
};

std::vector<ScheduleOp> rank_ops(int pp, int n, int rank) {
  ZeroBubbleRank r(rank);

  // Phase 1, warm-up: min(P-r-1, N) x F.
  const int warmup = std::min(pp - rank - 1, n);
  for (int i = 0; i < warmup; ++i) r.forward();

  // Phase 2, steady state: N - warm-up x (F, Bi, [W]); the first r skip their W.
  const int steady = n - warmup;
  for (int i = 0; i < steady; ++i) {
    r.forward();
    r.input_grad_then_maybe_weight();
  }

  // Phase 3, cool-down: warm-up x (Bi, [W]).
  for (int i = 0; i < warmup; ++i) r.input_grad_then_maybe_weight();

  // Phase 4, drain: the deferred W's, min(r, N) of them.
  const int drain = r.weights_left();
  for (int i = 0; i < drain; ++i) r.weight();
  return r.take();
}

}  // namespace

Schedule zb1p(int pp, int microbatches) {
  if (pp < 1 || microbatches < 1) {
    throw std::invalid_argument(fmt::format(
        "zb1p: pp = {} and microbatches = {}; both must be at least 1", pp, microbatches));
  }
  auto s = empty_schedule(Kind::ZB1P, pp, microbatches, 1);
  for (int r = 0; r < pp; ++r) s.ranks.push_back(rank_ops(pp, microbatches, r));
  return s;
}

}  // namespace moeplan::schedule
