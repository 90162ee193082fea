#include "sim/schedule/one_f_one_b.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/schedule/ops.h"

namespace moeplan::schedule {

namespace {

std::vector<ScheduleOp> rank_ops(int pp, int n, int rank) {
  std::vector<ScheduleOp> ops;
  ops.reserve(static_cast<std::size_t>(2 * n));
  int next_f = 0;
  int next_b = 0;

  // Phase 1, warm-up: min(P-r-1, N) x F.
  const int warmup = std::min(pp - rank - 1, n);
  for (int i = 0; i < warmup; ++i) ops.push_back(forward_op(pass_of(0, next_f++)));

  // Phase 2, steady state: N - warm-up x (F, B).
  const int steady = n - warmup;
  for (int i = 0; i < steady; ++i) {
    ops.push_back(forward_op(pass_of(0, next_f++)));
    ops.push_back(backward_op(pass_of(0, next_b++)));
  }

  // Phase 3, cool-down: warm-up x B.
  for (int i = 0; i < warmup; ++i) ops.push_back(backward_op(pass_of(0, next_b++)));
  return ops;
}

}  // namespace

Schedule one_f_one_b(int pp, int microbatches) {
  if (pp < 1 || microbatches < 1) {
    throw std::invalid_argument(fmt::format(
        "1f1b: pp = {} and microbatches = {}; both must be at least 1", pp, microbatches));
  }
  auto s = empty_schedule(Kind::OneFOneB, pp, microbatches, 1);
  for (int r = 0; r < pp; ++r) s.ranks.push_back(rank_ops(pp, microbatches, r));
  return s;
}

}  // namespace moeplan::schedule
