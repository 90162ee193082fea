#include <fmt/format.h>

#include "sim/cli/commands.h"
#include "sim/cli/load.h"
#include "sim/util/units.h"

namespace moeplan::cli {

void add_validate_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("validate", "Check a scenario and print every error at once");
  cmd->add_option("scenario", *path, "Scenario YAML")->required();
  cmd->callback([path] {
    auto loaded = load_and_validate(*path);
    if (!loaded) throw CLI::RuntimeError(2);
    const auto& sc = loaded->scenario;
    const auto& m = loaded->plan.peak_memory;
    if (sc.is_serving()) {
      const auto& s = loaded->plan.serving_memory;
      fmt::print("{}: ok: {} step on {} GPUs, attention {} EP{}, {} requests per GPU, {} of {} per GPU "
                 "(weights {}, KV cache {}); at most {} requests of this length fit\n",
                 *path, config::to_string(sc.serving().phase), sc.gpus(), config::attention_layout_name(sc.plan),
                 sc.plan.ep, sc.serving().batch,
                 format_bytes(s.total_bytes()), format_bytes(sc.gpu.hbm_bytes), format_bytes(s.weights_bytes()),
                 format_bytes(s.kv_cache_bytes), s.max_requests);
      return;
    }
    fmt::print("{}: ok: {} GPUs, PP{} DP{} EP{}, {} micro-batches per pipeline, peak {} of {} per GPU\n", *path,
               sc.gpus(), sc.plan.pp, sc.plan.dp, sc.plan.ep, sc.microbatches(), format_bytes(m.total_bytes()),
               format_bytes(sc.gpu.hbm_bytes));
  });
}

}  // namespace moeplan::cli
