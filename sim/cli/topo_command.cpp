#include <fmt/format.h>
#include <fstream>

#include "sim/cli/commands.h"
#include "sim/topology/dot.h"
#include "sim/config/topology_file.h"
#include "sim/topology/metrics.h"
#include "sim/util/atomic_file.h"
#include "sim/util/units.h"

namespace moeplan::cli {

void add_topo_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto dot = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("topo", "Describe a topology: GPUs, links, bandwidths, bisection, diameter");
  cmd->add_option("topology", *path, "Topology YAML")->required();
  cmd->add_option("--dot", *dot, "Write the graph in Graphviz format");
  cmd->callback([path, dot] {
    Diagnostics diag;
    const auto tf = config::load_topology(*path, diag);
    diag.throw_if_any();
    const auto m = topology::compute_metrics(tf.topology);
    fmt::print("topology        {} ({})\n", tf.topology.name, tf.generator);
    fmt::print("GPUs            {} in {} nodes\n", m.gpus, m.nodes);
    fmt::print("vertices        {} NVSwitch fabrics, {} NICs, {} network switches\n", m.nvswitches, m.nics, m.switches);
    fmt::print("links           {}\n", m.links);
    fmt::print("per GPU         NVLink {} and IB {} per direction\n", format_rate(m.nvlink_Bps_per_gpu),
               format_rate(m.ib_Bps_per_gpu));
    fmt::print("bisection       {} per direction (GPUs 0..{} vs the rest)\n", format_rate(m.bisection_Bps), m.gpus / 2 - 1);
    fmt::print("diameter        {} hops{}\n", m.diameter_hops,
               m.diameter_exact ? "" : fmt::format(" (from the first and last nodes' GPUs: above {} GPUs every pair "
                                                   "would take minutes)", topology::kExactDiameterGpus));
    if (!dot->empty()) {
      write_file_atomically(*dot, [&](std::ostream& out) { topology::write_dot(tf.topology, out); });
      fmt::print("wrote           {}\n", *dot);
    }
  });
}

}  // namespace moeplan::cli
