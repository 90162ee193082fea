#include "sim/workload/build_program.h"

#include <type_traits>

#include "sim/workload/serve_step.h"
#include "sim/workload/train_step.h"

namespace moeplan::workload {

program::Program build_program(const config::Scenario& sc, const plan::ValidatedPlan& vp, const BuildOptions& opt) {
  return std::visit(
      [&](const auto& kind) -> program::Program {
        using Kind = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<Kind, config::ServingWorkload>)
          return build_serve_step(sc, vp, {.reduced = opt.reduced, .stop = opt.stop, .pipeline = opt.pipeline, .shape = {}});
        else
          return build_train_step(sc, vp, {.reduced = opt.reduced, .stop = opt.stop, .pipeline = opt.pipeline});
      },
      sc.workload);
}

}  // namespace moeplan::workload
