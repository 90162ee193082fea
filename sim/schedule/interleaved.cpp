#include "sim/schedule/interleaved.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/schedule/ops.h"

namespace moeplan::schedule {

namespace {

// Virtual micro-batch k: group k / (P v), chunk (k mod P v) / P, micro-batch
// group * P + k mod P. Backwards walk the chunks in reverse.
PassRef virtual_pass(int pp, int chunks, int k, bool forward) {
  const int group_size = pp * chunks;
  const int chunk_in_order = (k % group_size) / pp;
  const int chunk = forward ? chunk_in_order : chunks - 1 - chunk_in_order;
  const int mb = (k / group_size) * pp + k % pp;
  return PassRef{0, chunk, mb};
}

std::vector<ScheduleOp> rank_ops(int pp, int n, int chunks, int rank) {
  std::vector<ScheduleOp> ops;
  const int total = n * chunks;
  ops.reserve(static_cast<std::size_t>(2 * total));

  // Phase 1, warm-up: min((P-r-1)*2 + (v-1)*P, N v) x F.
  const int warmup = std::min((pp - rank - 1) * 2 + (chunks - 1) * pp, total);
  for (int k = 0; k < warmup; ++k) ops.push_back(forward_op(virtual_pass(pp, chunks, k, true)));

  // Phase 2, steady state: N v - warm-up x (F of k + warm-up, B of k).
  const int steady = total - warmup;
  for (int k = 0; k < steady; ++k) {
    ops.push_back(forward_op(virtual_pass(pp, chunks, k + warmup, true)));
    ops.push_back(backward_op(virtual_pass(pp, chunks, k, false)));
  }

  // Phase 3, cool-down: warm-up x B.
  for (int k = steady; k < total; ++k) ops.push_back(backward_op(virtual_pass(pp, chunks, k, false)));
  return ops;
}

}  // namespace

Schedule interleaved(int pp, int microbatches, int chunks) {
  if (pp < 1 || microbatches < 1) {
    throw std::invalid_argument(fmt::format(
        "interleaved: pp = {} and microbatches = {}; both must be at least 1", pp, microbatches));
  }
  if (microbatches % pp != 0) {
    throw std::invalid_argument(fmt::format(
        "interleaved: microbatches = {} is not a multiple of pp = {} (Megatron's interleaved "
        "schedule requires it); use e.g. {}",
        microbatches, pp, (microbatches / pp + 1) * pp));
  }
  if (chunks < 2) {
    throw std::invalid_argument(fmt::format(
        "interleaved: chunks (virtual stages per device) = {}; must be at least 2 "
        "(with 1 chunk use the 1f1b schedule)",
        chunks));
  }
  auto s = empty_schedule(Kind::Interleaved, pp, microbatches, chunks);
  for (int r = 0; r < pp; ++r) s.ranks.push_back(rank_ops(pp, microbatches, chunks, r));
  return s;
}

}  // namespace moeplan::schedule
