#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/cli/commands.h"
#include "sim/moe/load_stats.h"
#include "sim/moe/placement.h"
#include "sim/moe/placement_table.h"
#include "sim/util/diagnostics.h"

namespace moeplan::cli {
namespace {

struct PlacementOptions {
  std::string load_path;
  std::string output_path;
  int replicas = 0;
  int groups = 1;
  int nodes = 1;
  int gpus = 0;
  bool summary_only = false;
};

std::string format_loads(const std::vector<double>& loads) {
  std::string out;
  for (const double v : loads) out += fmt::format(" {:.6g}", v);
  return out;
}

void run_placement(const PlacementOptions& o) {
  Diagnostics diag;
  const auto stats = moe::read_load_stats(o.load_path, diag);
  diag.throw_if_any();
  const moe::EplbConfig config{o.replicas, o.groups, o.nodes, o.gpus};
  const auto placements = moe::eplb_placement(stats.tokens, config);
  const int experts = stats.experts();
  const auto table = moe::placement_table(stats.tokens, placements, o.gpus);

  fmt::print("load            {} ({} layers x {} experts)\n", o.load_path, stats.layers(), experts);
  fmt::print("policy          EPLB {} ({} groups, {} nodes, {} GPUs)\n",
             moe::eplb_is_hierarchical(config) ? "hierarchical" : "global", o.groups, o.nodes, o.gpus);
  fmt::print("slots           {} = {} experts + {} redundant, {} per GPU\n", o.replicas, experts,
             o.replicas - experts, o.replicas / o.gpus);

  if (!o.summary_only) {
    fmt::print("\nper-GPU load (tokens; an expert's load split evenly over its replicas)\n");
    for (std::size_t l = 0; l < table.layers.size(); ++l)
      fmt::print("layer {:>3}:{}\n", l, format_loads(table.layers[l].gpu_loads));
  }

  fmt::print("\n{:>5}  {:>12}  {:>12}  {:>10}  {:>10}  {:>8}\n", "layer", "max GPU", "mean GPU", "EPLB",
             "contiguous", "replicas");
  fmt::print("{:>5}  {:>12}  {:>12}  {:>10}  {:>10}  {:>8}\n", "", "load", "load", "max/mean", "max/mean",
             "max");
  for (std::size_t l = 0; l < table.layers.size(); ++l) {
    const auto& row = table.layers[l];
    fmt::print("{:>5}  {:>12.6g}  {:>12.6g}  {:>10.4f}  {:>10}  {:>8}\n", l, row.max_load, row.mean_load,
               row.eplb_imbalance,
               row.contiguous_imbalance ? fmt::format("{:.4f}", *row.contiguous_imbalance) : std::string("n/a"),
               row.max_replicas);
  }
  fmt::print("\nimbalance       EPLB mean {:.4f}, worst {:.4f}", table.eplb_mean, table.eplb_worst);
  if (table.contiguous_mean)
    fmt::print("; contiguous mean {:.4f}, worst {:.4f}\n", *table.contiguous_mean, *table.contiguous_worst);
  else
    fmt::print("; contiguous n/a ({} experts do not split over {} GPUs)\n", experts, o.gpus);

  if (!o.output_path.empty()) {
    moe::write_placement_json(placements, o.output_path);
    fmt::print("wrote           {}\n", o.output_path);
  }
}

}  // namespace

void add_placement_command(CLI::App& app) {
  auto o = std::make_shared<PlacementOptions>();
  auto* cmd = app.add_subcommand(
      "placement", "Place experts with EPLB (redundant experts) from measured load; print per-GPU load and imbalance");
  cmd->add_option("--load", o->load_path,
                  "Per-layer, per-expert token counts: JSON {\"layers\": [[...], ...]} or CSV, one row per MoE layer")
      ->required();
  cmd->add_option("--replicas", o->replicas, "Physical expert slots R = experts + redundant, a multiple of --gpus")
      ->required();
  cmd->add_option("--groups", o->groups, "Expert groups (n_group); hierarchical policy when a multiple of --nodes")
      ->capture_default_str();
  cmd->add_option("--nodes", o->nodes, "Nodes of the expert-parallel group")->capture_default_str();
  cmd->add_option("--gpus", o->gpus, "GPUs of the expert-parallel group (a multiple of --nodes)")->required();
  cmd->add_option("-o,--output", o->output_path, "Write {\"phy2log\", \"log2phy\", \"logcnt\"} JSON, one entry per layer");
  cmd->add_flag("--summary-only", o->summary_only, "Print only the per-layer imbalance table");
  cmd->callback([o] { run_placement(*o); });
}

}  // namespace moeplan::cli
