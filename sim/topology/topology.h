// The cluster as a Boost.Graph: GPUs, NVSwitches, NICs and network switches
// are vertices; full-duplex links (bandwidth per direction, latency) are edges.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <string>
#include <vector>

namespace moeplan::topology {

enum class VertexKind { Gpu, NvSwitch, Nic, Switch };
enum class LinkKind { NvLink, Pcie, Ib };

std::string_view to_string(VertexKind k);
std::string_view to_string(LinkKind k);

struct Vertex {
  VertexKind kind = VertexKind::Gpu;
  std::string name;
  int node = -1;   // server index (GPUs, NVSwitches, NICs)
  int local = -1;  // GPU / NIC index inside its node (its rail)
  int plane = -1;  // network plane (multi-plane fat-tree), else 0 for network parts
  int level = -1;  // switch level: 0 leaf, 1 spine
};

struct Link {
  LinkKind kind = LinkKind::NvLink;
  double Bps = 0;        // bandwidth per direction
  double latency_s = 0;  // one-way latency
  int id = -1;           // dense link index, 0..link_count-1
  std::size_t a = 0, b = 0;  // end vertices; "forward" is a -> b
};

// The graph's edges carry only the link id: link data lives in Topology's own
// vector, so copying a Topology never leaves descriptors pointing into the
// old graph's storage.
struct EdgeRef {
  int id = -1;
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, Vertex, EdgeRef>;
using VertexId = Graph::vertex_descriptor;
using EdgeId = Graph::edge_descriptor;

class Topology {
 public:
  std::string name;

  VertexId add_vertex(Vertex v);
  int add_link(VertexId a, VertexId b, LinkKind kind, double Bps, double latency_s);

  const Graph& graph() const { return g_; }
  int gpu_count() const { return static_cast<int>(gpus_.size()); }
  VertexId gpu_vertex(int gpu) const { return gpus_.at(static_cast<std::size_t>(gpu)); }
  int node_of_gpu(int gpu) const { return g_[gpu_vertex(gpu)].node; }
  int node_count() const { return nodes_; }
  int gpus_per_node() const { return nodes_ > 0 ? gpu_count() / nodes_ : 0; }
  int link_count() const { return static_cast<int>(links_.size()); }
  // Whether the network is split into isolated planes, one per rail (a GPU's
  // NIC reaches only the NICs of its own rail): switches of a plane above 0.
  bool multi_plane() const { return multi_plane_; }
  const Link& link(int link_id) const { return links_.at(static_cast<std::size_t>(link_id)); }
  const Link& link(EdgeId e) const { return link(g_[e].id); }

 private:
  Graph g_;
  std::vector<VertexId> gpus_;
  std::vector<Link> links_;
  int nodes_ = 0;
  bool multi_plane_ = false;
};

}  // namespace moeplan::topology
