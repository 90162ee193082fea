#include "sim/config/topology_file.h"

#include <fmt/format.h>

#include "sim/config/yaml_reader.h"

namespace moeplan::config {

using topology::ClusterSpec;
using topology::LinkSpec;

namespace {

LinkSpec read_link(config::YamlReader& parent, const std::string& key, bool required) {
  LinkSpec l;
  auto r = parent.child(key, required);
  if (!r.valid()) return l;
  if (auto v = r.quantity("bandwidth", Dimension::BytesPerSecond, true)) l.Bps = *v;
  if (auto v = r.quantity("latency", Dimension::Seconds, true)) l.latency_s = *v;
  r.text("source", false);  // free text: where the figures come from
  r.finish();
  return l;
}

}  // namespace

TopologyFile load_topology(const std::string& path, Diagnostics& diag) {
  Diagnostics local;
  auto root = config::load_yaml_file(path, local);
  if (!root) {
    diag.append(local);
    TopologyFile out;
    out.path = path;
    return out;
  }
  auto out = read_topology(*root, path, "", local);
  diag.append(local);
  return out;
}

TopologyFile read_topology(const YAML::Node& node, const std::string& file, const std::string& field,
                           Diagnostics& diag) {
  TopologyFile out;
  out.path = file;
  out.inline_mapping = !field.empty();
  Diagnostics local;
  config::YamlReader r(node, file, field, local);
  if (!r.valid()) {
    local.add(file, 1, field, "a topology is a YAML mapping with name, generator, nodes, ...");
    diag.append(local);
    return out;
  }
  const auto name = r.text("name", true);
  r.text("description", false);
  const auto gen = r.text("generator", true, {"nvswitch_node", "fat_tree", "multi_plane_fat_tree"});
  auto& s = out.spec;
  if (auto v = r.integer("nodes", gen && *gen != "nvswitch_node", 1, 1 << 20)) s.nodes = static_cast<int>(*v);
  if (auto v = r.integer("gpus_per_node", true, 1, 1024)) s.gpus_per_node = static_cast<int>(*v);
  s.nvlink = read_link(r, "nvlink", s.gpus_per_node > 1);
  const bool network = gen && *gen != "nvswitch_node";
  if (network) {
    s.pcie = read_link(r, "pcie", true);
    s.nic = read_link(r, "nic", true);
    auto sw = r.child("switch", true);
    if (sw.valid()) {
      if (auto v = sw.integer("ports", true, 2, 1 << 16)) s.switch_ports = static_cast<int>(*v);
      if (auto v = sw.quantity("bandwidth", Dimension::BytesPerSecond, true)) s.fabric.Bps = *v;
      if (auto v = sw.quantity("latency", Dimension::Seconds, true)) s.fabric.latency_s = *v;
      sw.text("source", false);
      sw.finish();
    }
  } else if (gen && *gen == "nvswitch_node" && r.has("nodes")) {
    if (s.nodes != 1) r.error("nodes", "an nvswitch_node topology has exactly 1 node; use fat_tree for more");
  }
  if (static_cast<long long>(s.nodes) * s.gpus_per_node > kMaxTopologyGpus)
    r.error("nodes", fmt::format("{} nodes x {} GPUs = {} GPUs; the limit is {} GPUs", s.nodes, s.gpus_per_node,
                                 static_cast<long long>(s.nodes) * s.gpus_per_node, kMaxTopologyGpus));
  r.finish();
  diag.append(local);
  if (!local.empty() || !gen) return out;
  out.generator = *gen;
  if (*gen == "nvswitch_node") out.topology = topology::build_single_node(s);
  else if (*gen == "fat_tree") out.topology = topology::build_fat_tree(s);
  else out.topology = topology::build_multi_plane_fat_tree(s);
  out.topology.name = name.value_or(file);
  return out;
}

}  // namespace moeplan::config
