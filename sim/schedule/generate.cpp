#include "sim/schedule/generate.h"

#include <stdexcept>

#include <fmt/format.h>

#include "sim/schedule/dualpipe.h"
#include "sim/schedule/dualpipev.h"
#include "sim/schedule/interleaved.h"
#include "sim/schedule/one_f_one_b.h"
#include "sim/schedule/zb1p.h"

namespace moeplan::schedule {

Schedule generate(Kind kind, int pp, int microbatches, int chunks) {
  switch (kind) {
    case Kind::OneFOneB: return one_f_one_b(pp, microbatches);
    case Kind::Interleaved: return interleaved(pp, microbatches, chunks);
    case Kind::ZB1P: return zb1p(pp, microbatches);
    case Kind::DualPipe: return dualpipe(pp, microbatches);
    case Kind::DualPipeV: return dualpipev(pp, microbatches);
  }
  throw std::invalid_argument(fmt::format("generate: unknown schedule kind {}", static_cast<int>(kind)));
}

void check_layers(const Schedule& s, int layers) {
  const int stages = stage_count(s);
  if (layers < 1 || layers % stages != 0) {
    const int below = layers / stages * stages;
    const int above = (layers / stages + 1) * stages;
    throw std::invalid_argument(fmt::format(
        "{}: layers = {} does not split evenly into its {} pipeline stages (pp = {}, {} stage(s) "
        "per device); use a multiple of {}, e.g. {}",
        to_string(s.kind), layers, stages, s.pp, stages / s.pp, stages,
        below >= stages ? fmt::format("{} or {}", below, above) : fmt::format("{}", above)));
  }
}

}  // namespace moeplan::schedule
