#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/cli/commands.h"
#include "sim/moe/load_stats.h"
#include "sim/moe/placement.h"
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

void write_placement_json(const std::vector<moe::Placement>& placements, const std::string& path) {
  nlohmann::ordered_json doc;  // keys in the order EPLB returns the arrays
  doc["phy2log"] = nlohmann::ordered_json::array();
  doc["log2phy"] = nlohmann::ordered_json::array();
  doc["logcnt"] = nlohmann::ordered_json::array();
  for (const auto& p : placements) {
    doc["phy2log"].push_back(p.phy2log);
    doc["log2phy"].push_back(p.log2phy);
    doc["logcnt"].push_back(p.logcnt);
  }
  std::ofstream out(path);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot open for writing (check the folder exists)", path));
  out << doc.dump() << "\n";
}

void run_placement(const PlacementOptions& o) {
  Diagnostics diag;
  const auto stats = moe::read_load_stats(o.load_path, diag);
  diag.throw_if_any();
  const moe::EplbConfig config{o.replicas, o.groups, o.nodes, o.gpus};
  const auto placements = moe::eplb_placement(stats.tokens, config);
  const int experts = stats.experts();
  const bool contiguous_fits = experts % o.gpus == 0;

  fmt::print("load            {} ({} layers x {} experts)\n", o.load_path, stats.layers(), experts);
  fmt::print("policy          EPLB {} ({} groups, {} nodes, {} GPUs)\n",
             moe::eplb_is_hierarchical(config) ? "hierarchical" : "global", o.groups, o.nodes, o.gpus);
  fmt::print("slots           {} = {} experts + {} redundant, {} per GPU\n", o.replicas, experts,
             o.replicas - experts, o.replicas / o.gpus);

  if (!o.summary_only) {
    fmt::print("\nper-GPU load (tokens; an expert's load split evenly over its replicas)\n");
    for (std::size_t l = 0; l < placements.size(); ++l)
      fmt::print("layer {:>3}:{}\n", l, format_loads(moe::gpu_loads(placements[l], stats.tokens[l])));
  }

  fmt::print("\n{:>5}  {:>12}  {:>12}  {:>10}  {:>10}  {:>8}\n", "layer", "max GPU", "mean GPU", "EPLB",
             "contiguous", "replicas");
  fmt::print("{:>5}  {:>12}  {:>12}  {:>10}  {:>10}  {:>8}\n", "", "load", "load", "max/mean", "max/mean",
             "max");
  double worst_eplb = 0, worst_contiguous = 0, sum_eplb = 0, sum_contiguous = 0;
  const auto contiguous = contiguous_fits ? moe::contiguous_placement(experts, o.gpus) : moe::Placement{};
  for (std::size_t l = 0; l < placements.size(); ++l) {
    const auto loads = moe::gpu_loads(placements[l], stats.tokens[l]);
    const double eplb = moe::imbalance(loads);
    double mean = 0;
    for (const double v : loads) mean += v / static_cast<double>(loads.size());
    const double max_load = *std::max_element(loads.begin(), loads.end());
    const double contig = contiguous_fits ? moe::imbalance(moe::gpu_loads(contiguous, stats.tokens[l])) : 0.0;
    const int max_replicas = *std::max_element(placements[l].logcnt.begin(), placements[l].logcnt.end());
    fmt::print("{:>5}  {:>12.6g}  {:>12.6g}  {:>10.4f}  {:>10}  {:>8}\n", l, max_load, mean, eplb,
               contiguous_fits ? fmt::format("{:.4f}", contig) : std::string("n/a"), max_replicas);
    worst_eplb = std::max(worst_eplb, eplb);
    worst_contiguous = std::max(worst_contiguous, contig);
    sum_eplb += eplb;
    sum_contiguous += contig;
  }
  const double layers = static_cast<double>(placements.size());
  fmt::print("\nimbalance       EPLB mean {:.4f}, worst {:.4f}", sum_eplb / layers, worst_eplb);
  if (contiguous_fits)
    fmt::print("; contiguous mean {:.4f}, worst {:.4f}\n", sum_contiguous / layers, worst_contiguous);
  else
    fmt::print("; contiguous n/a ({} experts do not split over {} GPUs)\n", experts, o.gpus);

  if (!o.output_path.empty()) {
    write_placement_json(placements, o.output_path);
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
