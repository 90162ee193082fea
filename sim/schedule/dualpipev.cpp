#include "sim/schedule/dualpipev.h"

#include <stdexcept>

#include <fmt/format.h>

#include "sim/schedule/dual_phases.h"

namespace moeplan::schedule {

namespace {

void check_dualpipev(int pp, int n) {
  if (pp < 1) {
    throw std::invalid_argument(fmt::format("dualpipev: pp = {}; must be at least 1", pp));
  }
  if (n < 2 * pp) {
    throw std::invalid_argument(fmt::format(
        "dualpipev: microbatches = {} with pp = {}; DualPipeV needs at least 2 x pp = {} "
        "micro-batches (any parity)",
        n, pp, 2 * pp));
  }
}

}  // namespace

Schedule dualpipev(int pp, int microbatches) {
  check_dualpipev(pp, microbatches);
  auto s = empty_schedule(Kind::DualPipeV, pp, microbatches, 2);
  for (int r = 0; r < pp; ++r) {
    DualPhaseRank rank;
    rank.span = pp;
    rank.position = r;
    rank.per_direction = microbatches;
    rank.near_dir = 0;
    rank.far_dir = 1;
    rank.split_first_pair = r == pp - 1;
    s.ranks.push_back(dual_phase_ops(rank));
  }
  return s;
}

}  // namespace moeplan::schedule
