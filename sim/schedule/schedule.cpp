// Implements the vocabulary of schedule.h: stage mapping, names and parsing.
#include "sim/schedule/schedule.h"

#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace moeplan::schedule {

int stage_count(Kind kind, int pp, int chunks) {
  switch (kind) {
    case Kind::OneFOneB:
    case Kind::ZB1P:
    case Kind::DualPipe:
      return pp;
    case Kind::Interleaved:
      return pp * chunks;
    case Kind::DualPipeV:
      return 2 * pp;
  }
  throw std::logic_error(fmt::format("stage_count: unknown schedule kind {}", static_cast<int>(kind)));
}

int stage_count(const Schedule& s) { return stage_count(s.kind, s.pp, s.chunks); }

int stage_of(const Schedule& s, int rank, const PassRef& p) {
  switch (s.kind) {
    case Kind::OneFOneB:
    case Kind::ZB1P:
      return rank;
    case Kind::Interleaved:
      // Chunk c of rank r is stage c*P + r: stage s lives on device s mod P.
      return p.chunk * s.pp + rank;
    case Kind::DualPipe:
      // Two copies of the model: direction 0 runs stage r on rank r,
      // direction 1 enters at rank P-1, so rank r is its stage P-1-r.
      return p.dir == 0 ? rank : s.pp - 1 - rank;
    case Kind::DualPipeV:
      // Down through stages 0..P-1, back up through P..2P-1.
      return p.dir == 0 ? rank : 2 * s.pp - 1 - rank;
  }
  throw std::logic_error(fmt::format("stage_of: unknown schedule kind {}", static_cast<int>(s.kind)));
}

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::OneFOneB: return "1f1b";
    case Kind::Interleaved: return "interleaved";
    case Kind::ZB1P: return "zb1p";
    case Kind::DualPipe: return "dualpipe";
    case Kind::DualPipeV: return "dualpipev";
  }
  return "unknown";
}

std::string_view to_string(OpKind k) {
  switch (k) {
    case OpKind::F: return "F";
    case OpKind::B: return "B";
    case OpKind::Bi: return "Bi";
    case OpKind::W: return "W";
    case OpKind::FB: return "FB";
  }
  return "?";
}

std::vector<std::string> kind_names() {
  std::vector<std::string> out;
  for (Kind k : kAllKinds) out.emplace_back(to_string(k));
  return out;
}

Kind parse_kind(std::string_view name) {
  for (Kind k : kAllKinds) {
    if (name == to_string(k)) return k;
  }
  throw std::invalid_argument(fmt::format("unknown pipeline schedule '{}'; valid schedules are {}", name,
                                          fmt::join(kind_names(), ", ")));
}

PassRef chunk_pass(const Schedule& s, int chunk) {
  return s.kind == Kind::Interleaved ? PassRef{0, chunk, 0} : PassRef{chunk, chunk, 0};
}

Schedule empty_schedule(Kind kind, int pp, int microbatches, int chunks) {
  Schedule s;
  s.kind = kind;
  s.pp = pp;
  s.microbatches = microbatches;
  s.chunks = chunks;
  return s;
}

}  // namespace moeplan::schedule
