#include "sim/topology/topology.h"

#include <algorithm>

namespace moeplan::topology {

std::string_view to_string(VertexKind k) {
  switch (k) {
    case VertexKind::Gpu: return "gpu";
    case VertexKind::NvSwitch: return "nvswitch";
    case VertexKind::Nic: return "nic";
    case VertexKind::Switch: return "switch";
  }
  return "?";
}

std::string_view to_string(LinkKind k) {
  switch (k) {
    case LinkKind::NvLink: return "nvlink";
    case LinkKind::Pcie: return "pcie";
    case LinkKind::Ib: return "ib";
  }
  return "?";
}

VertexId Topology::add_vertex(Vertex v) {
  const bool gpu = v.kind == VertexKind::Gpu;
  const int node = v.node;
  if (v.kind == VertexKind::Switch && v.plane > 0) multi_plane_ = true;
  const auto id = boost::add_vertex(std::move(v), g_);
  if (gpu) {
    gpus_.push_back(id);
    nodes_ = std::max(nodes_, node + 1);
  }
  return id;
}

int Topology::add_link(VertexId a, VertexId b, LinkKind kind, double Bps, double latency_s) {
  const int id = link_count();
  boost::add_edge(a, b, EdgeRef{id}, g_);  // parallel edges are allowed (vecS)
  links_.push_back(Link{kind, Bps, latency_s, id, a, b});
  return id;
}

}  // namespace moeplan::topology
