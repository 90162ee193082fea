#include "sim/schedule/generate.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/schedule/dualpipe.h"
#include "sim/schedule/dualpipev.h"
#include "sim/schedule/interleaved.h"
#include "sim/schedule/one_f_one_b.h"
#include "sim/schedule/zb1p.h"

namespace moeplan::schedule {

Schedule generate(Kind kind, int pp, int microbatches, int chunks) {
  const long long chunk_count = kind == Kind::Interleaved ? std::max(chunks, 1) : kind == Kind::DualPipe || kind == Kind::DualPipeV ? 2 : 1;
  const long long entries = static_cast<long long>(std::max(pp, 1)) * std::max(microbatches, 1) * chunk_count * 3;
  if (entries > kMaxScheduleEntries)
    throw std::invalid_argument(fmt::format(
        "pp {} x {} micro-batches x {} chunk{} x 3 passes = {} schedule entries would need ~{:.1f} GB before any "
        "simulation; the limit is {} entries: lower pp or the micro-batches (global_batch / (dp x micro_batch))",
        pp, microbatches, chunk_count, chunk_count == 1 ? "" : "s", entries, static_cast<double>(entries) * 60 / 1e9,
        kMaxScheduleEntries));
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
