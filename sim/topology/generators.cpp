#include "sim/topology/generators.h"

#include <fmt/format.h>

#include "sim/util/check.h"

namespace moeplan::topology {
namespace {

// One two-level fat-tree over `nics` (already created). Returns nothing; adds
// leaves and spines tagged with `plane`.
void add_two_level_tree(Topology& t, const std::vector<VertexId>& nics, int plane, const ClusterSpec& s) {
  const int down = s.switch_ports / 2;
  const int endpoints = static_cast<int>(nics.size());
  MOEPLAN_CHECK(down >= 1, "switch ports {}", s.switch_ports);
  if (endpoints <= s.switch_ports) {  // one switch is enough
    const auto sw = t.add_vertex({VertexKind::Switch, fmt::format("p{}-leaf0", plane), -1, -1, plane, 0});
    for (auto nic : nics) t.add_link(nic, sw, LinkKind::Ib, s.nic.Bps, s.nic.latency_s);
    return;
  }
  const int leaves = (endpoints + down - 1) / down;
  const int spines = (leaves + 1) / 2;
  const int links_per_pair = std::max(1, down / spines);
  std::vector<VertexId> leaf(static_cast<std::size_t>(leaves)), spine(static_cast<std::size_t>(spines));
  for (int l = 0; l < leaves; ++l)
    leaf[static_cast<std::size_t>(l)] =
        t.add_vertex({VertexKind::Switch, fmt::format("p{}-leaf{}", plane, l), -1, -1, plane, 0});
  for (int sp = 0; sp < spines; ++sp)
    spine[static_cast<std::size_t>(sp)] =
        t.add_vertex({VertexKind::Switch, fmt::format("p{}-spine{}", plane, sp), -1, -1, plane, 1});
  for (int i = 0; i < endpoints; ++i)
    t.add_link(nics[static_cast<std::size_t>(i)], leaf[static_cast<std::size_t>(i / down)], LinkKind::Ib,
               s.nic.Bps, s.nic.latency_s);
  for (auto l : leaf)
    for (auto sp : spine)
      for (int k = 0; k < links_per_pair; ++k) t.add_link(l, sp, LinkKind::Ib, s.fabric.Bps, s.fabric.latency_s);
}

// GPUs of every node with their NVSwitch and one NIC per GPU; returns NICs by [node][rail].
std::vector<std::vector<VertexId>> add_nodes_with_nics(Topology& t, const ClusterSpec& s) {
  std::vector<std::vector<VertexId>> nics(static_cast<std::size_t>(s.nodes));
  for (int n = 0; n < s.nodes; ++n) {
    add_nvswitch_node(t, n, s);
    for (int g = 0; g < s.gpus_per_node; ++g) {
      const auto nic = t.add_vertex({VertexKind::Nic, fmt::format("n{}-nic{}", n, g), n, g, -1, -1});
      t.add_link(t.gpu_vertex(n * s.gpus_per_node + g), nic, LinkKind::Pcie, s.pcie.Bps, s.pcie.latency_s);
      nics[static_cast<std::size_t>(n)].push_back(nic);
    }
  }
  return nics;
}

}  // namespace

void add_nvswitch_node(Topology& t, int node, const ClusterSpec& s) {
  std::vector<VertexId> gpus;
  for (int g = 0; g < s.gpus_per_node; ++g)
    gpus.push_back(t.add_vertex({VertexKind::Gpu, fmt::format("n{}-gpu{}", node, g), node, g, -1, -1}));
  if (s.gpus_per_node < 2) return;  // a lone GPU has no NVLink peer
  const auto sw = t.add_vertex({VertexKind::NvSwitch, fmt::format("n{}-nvswitch", node), node, -1, -1, -1});
  for (auto g : gpus) t.add_link(g, sw, LinkKind::NvLink, s.nvlink.Bps, s.nvlink.latency_s);
}

Topology build_single_node(const ClusterSpec& s) {
  Topology t;
  add_nvswitch_node(t, 0, s);
  return t;
}

Topology build_fat_tree(const ClusterSpec& s) {
  Topology t;
  const auto nics = add_nodes_with_nics(t, s);
  std::vector<VertexId> all;
  for (const auto& node : nics) all.insert(all.end(), node.begin(), node.end());
  add_two_level_tree(t, all, 0, s);
  return t;
}

Topology build_multi_plane_fat_tree(const ClusterSpec& s) {
  Topology t;
  const auto nics = add_nodes_with_nics(t, s);
  for (int rail = 0; rail < s.gpus_per_node; ++rail) {
    std::vector<VertexId> plane;
    for (const auto& node : nics) plane.push_back(node[static_cast<std::size_t>(rail)]);
    add_two_level_tree(t, plane, rail, s);
  }
  return t;
}

}  // namespace moeplan::topology
