#include "sim/comm/all_to_all_flows.h"

#include <algorithm>
#include <map>

#include "sim/util/check.h"

namespace moeplan::comm {
namespace {

class FlowSet {
 public:
  void add(int src, int dst, double bytes) {
    if (src != dst && bytes > 0) bytes_[{src, dst}] += bytes;
  }
  std::vector<Flow> flows() const {
    std::vector<Flow> out;
    for (const auto& [k, b] : bytes_) out.push_back({k.first, k.second, b});
    return out;
  }

 private:
  std::map<std::pair<int, int>, double> bytes_;
};

}  // namespace

std::vector<Flow> all_to_all_flows(const program::Traffic& t, program::AllToAllAlgorithm algorithm,
                                   const std::vector<MemberPlace>& places) {
  const int n = static_cast<int>(t.gpu_bytes.size());
  MOEPLAN_CHECK(static_cast<int>(places.size()) == n, "{} places for {} members", places.size(), n);
  auto gpu = [&](int i, int j) { return t.gpu_bytes[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]; };
  FlowSet fs;
  // Direction-aware add: traffic is stored in dispatch orientation.
  auto add = [&](int from, int to, double bytes) {
    if (t.reverse) fs.add(to, from, bytes);
    else fs.add(from, to, bytes);
  };
  // Pairwise and low-latency (GPU-initiated RDMA) send every token copy
  // straight to its expert's GPU; they differ in the SMs they hold, not in flows.
  if (algorithm != program::AllToAllAlgorithm::Hierarchical || t.node_bytes.empty()) {
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) add(i, j, gpu(i, j));
    return fs.flows();
  }
  // The same-rail GPU of each node (first member of the node if that rail is absent).
  std::map<std::pair<int, int>, int> rail;
  std::map<int, int> first_of_node;
  for (int i = 0; i < n; ++i) {
    const auto& p = places[static_cast<std::size_t>(i)];
    rail.try_emplace({p.node, p.local}, i);
    first_of_node.try_emplace(p.node, i);
  }
  auto rail_of = [&](int node, int local) {
    const auto it = rail.find({node, local});
    return it != rail.end() ? it->second : first_of_node.at(node);
  };
  for (int i = 0; i < n; ++i) {
    const auto& pi = places[static_cast<std::size_t>(i)];
    for (const auto& [node, first] : first_of_node) {
      if (node == pi.node) {
        for (int j = 0; j < n; ++j)
          if (places[static_cast<std::size_t>(j)].node == node) add(i, j, gpu(i, j));
        continue;
      }
      const int r = rail_of(node, pi.local);
      add(i, r, t.node_bytes[static_cast<std::size_t>(i)][static_cast<std::size_t>(node)]);
      for (int j = 0; j < n; ++j)
        if (places[static_cast<std::size_t>(j)].node == node) add(r, j, gpu(i, j));
    }
  }
  return fs.flows();
}

std::vector<MemberPlace> member_places(const program::Program& p, const topology::Topology& t, int group) {
  std::vector<MemberPlace> places;
  std::map<int, int> node_ordinal;
  for (int r : p.groups[static_cast<std::size_t>(group)].ranks) {
    const auto v = t.gpu_vertex(p.rank_gpu[static_cast<std::size_t>(r)]);
    const int node = t.graph()[v].node;
    const int ordinal = node_ordinal.try_emplace(node, static_cast<int>(node_ordinal.size())).first->second;
    places.push_back({ordinal, t.graph()[v].local});
  }
  return places;
}

std::vector<Flow> instance_flows(const program::Program& p, const topology::Topology& t, int group,
                                 const std::vector<program::OpId>& member_ops) {
  return all_to_all_flows(program::all_to_all_traffic(p, group, member_ops), p.all_to_all,
                          member_places(p, t, group));
}

}  // namespace moeplan::comm
