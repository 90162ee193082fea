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

// The same-rail GPU of each node (first member of the node if that rail is absent).
class Rails {
 public:
  explicit Rails(const std::vector<MemberPlace>& places) {
    for (int i = 0; i < static_cast<int>(places.size()); ++i) {
      const auto& p = places[static_cast<std::size_t>(i)];
      rail_.try_emplace({p.node, p.local}, i);
      first_of_node_.try_emplace(p.node, i);
    }
  }
  int of(int node, int local) const {
    const auto it = rail_.find({node, local});
    return it != rail_.end() ? it->second : first_of_node_.at(node);
  }
  const std::map<int, int>& nodes() const { return first_of_node_; }

 private:
  std::map<std::pair<int, int>, int> rail_;
  std::map<int, int> first_of_node_;
};

}  // namespace

std::vector<Flow> all_to_all_flows(const program::Traffic& t, program::AllToAllAlgorithm algorithm,
                                   const std::vector<MemberPlace>& places) {
  using program::AllToAllAlgorithm;
  const int n = static_cast<int>(t.gpu_bytes.size());
  MOEPLAN_CHECK(static_cast<int>(places.size()) == n, "{} places for {} members", places.size(), n);
  auto gpu = [&](int i, int j) { return t.gpu_bytes[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]; };
  auto place = [&](int i) -> const MemberPlace& { return places[static_cast<std::size_t>(i)]; };
  FlowSet fs;
  // Direction-aware add: traffic is stored in dispatch orientation.
  auto add = [&](int from, int to, double bytes) {
    if (t.reverse) fs.add(to, from, bytes);
    else fs.add(from, to, bytes);
  };
  const Rails rails(places);
  // Low-latency: each copy on the owner's plane, forwarded on the expert's node across planes.
  if (algorithm == AllToAllAlgorithm::LowLatency) {
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        if (place(j).node == place(i).node || place(j).plane == place(i).plane) {
          add(i, j, gpu(i, j));
          continue;
        }
        const int r = rails.of(place(j).node, place(i).local);
        add(i, r, gpu(i, j));
        add(r, j, gpu(i, j));
      }
    return fs.flows();
  }
  // Pairwise (and hierarchical without node statistics): every copy straight to its GPU.
  if (algorithm == AllToAllAlgorithm::Pairwise || t.node_bytes.empty()) {
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) add(i, j, gpu(i, j));
    return fs.flows();
  }
  // Hierarchical: NVLink inside the node, IB once per other node, then NVLink forward.
  for (int i = 0; i < n; ++i) {
    for (const auto& [node, first] : rails.nodes()) {
      if (node == place(i).node) {
        for (int j = 0; j < n; ++j)
          if (place(j).node == node) add(i, j, gpu(i, j));
        continue;
      }
      const int r = rails.of(node, place(i).local);
      add(i, r, t.node_bytes[static_cast<std::size_t>(i)][static_cast<std::size_t>(node)]);
      for (int j = 0; j < n; ++j)
        if (place(j).node == node) add(r, j, gpu(i, j));
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
    const int local = t.graph()[v].local;
    places.push_back({ordinal, local, t.multi_plane() ? local : 0});
  }
  return places;
}

std::vector<Flow> instance_flows(const program::Program& p, const topology::Topology& t, int group,
                                 const std::vector<program::OpId>& member_ops) {
  return all_to_all_flows(program::all_to_all_traffic(p, group, member_ops), p.all_to_all,
                          member_places(p, t, group));
}

}  // namespace moeplan::comm
