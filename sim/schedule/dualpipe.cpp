#include "sim/schedule/dualpipe.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/schedule/dual_phases.h"

namespace moeplan::schedule {

namespace {

void check_dualpipe(int pp, int n) {
  if (pp < 2 || pp % 2 != 0) {
    throw std::invalid_argument(fmt::format(
        "dualpipe: pp = {}; DualPipe needs an even number of ranks, at least 2 "
        "(for odd pp use dualpipev, which needs no parity)",
        pp));
  }
  if (n < 1 || n % 2 != 0 || n < 2 * pp) {
    throw std::invalid_argument(fmt::format(
        "dualpipe: microbatches = {} with pp = {}; DualPipe needs an even number of "
        "micro-batches (half per direction) and at least 2 x pp = {}",
        n, pp, 2 * pp));
  }
}

}  // namespace

Schedule dualpipe(int pp, int microbatches) {
  check_dualpipe(pp, microbatches);
  auto s = empty_schedule(Kind::DualPipe, pp, microbatches, 2);
  const int hp = pp / 2;
  for (int r = 0; r < pp; ++r) {
    DualPhaseRank rank;
    rank.span = hp;
    rank.position = std::min(r, pp - 1 - r);
    rank.per_direction = microbatches / 2;
    rank.near_dir = r < hp ? 0 : 1;
    rank.far_dir = 1 - rank.near_dir;
    rank.split_first_pair = r == hp - 1 || r == hp;
    s.ranks.push_back(dual_phase_ops(rank));
  }
  return s;
}

}  // namespace moeplan::schedule
