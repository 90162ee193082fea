#include "sim/topology/routing.h"

#include <algorithm>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/visitors.hpp>
#include <cstdint>
#include <limits>

#include "sim/util/check.h"

namespace moeplan::topology {
namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

const std::vector<int>& Router::distances_from(VertexId v) {
  auto it = dist_.find(v);
  if (it != dist_.end()) return it->second;
  const auto& g = t_.graph();
  std::vector<int> d(boost::num_vertices(g), std::numeric_limits<int>::max());
  d[v] = 0;
  boost::breadth_first_search(
      g, v, boost::visitor(boost::make_bfs_visitor(boost::record_distances(d.data(), boost::on_tree_edge()))));
  return dist_.emplace(v, std::move(d)).first->second;
}

int Router::hops(int src_gpu, int dst_gpu) {
  const auto& d = distances_from(t_.gpu_vertex(src_gpu));
  return d[t_.gpu_vertex(dst_gpu)];
}

Path Router::route(int src_gpu, int dst_gpu) {
  const auto& g = t_.graph();
  const auto src = t_.gpu_vertex(src_gpu), dst = t_.gpu_vertex(dst_gpu);
  const auto& d = distances_from(src);
  MOEPLAN_CHECK(d[dst] != std::numeric_limits<int>::max(), "GPU {} cannot reach GPU {}", src_gpu, dst_gpu);
  // Walk back from the destination, choosing among equal-cost predecessors.
  Path reversed;
  auto v = dst;
  int step = 0;
  while (v != src) {
    std::vector<EdgeId> candidates;
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e)
      if (d[boost::target(*e, g)] == d[v] - 1) candidates.push_back(*e);
    MOEPLAN_CHECK(!candidates.empty(), "no predecessor at distance {}", d[v] - 1);
    std::sort(candidates.begin(), candidates.end(),
              [&](const EdgeId& a, const EdgeId& b) { return g[a].id < g[b].id; });
    const auto h = mix((static_cast<std::uint64_t>(src_gpu) << 40) ^ (static_cast<std::uint64_t>(dst_gpu) << 16) ^
                       static_cast<std::uint64_t>(step));
    const auto e = candidates[h % candidates.size()];
    const auto prev = boost::target(e, g);  // out_edges of v: source is v
    // Traversal goes prev -> v; "forward" means from the stored edge source to its target.
    reversed.push_back({g[e].id, t_.link(g[e].id).a == prev});
    v = prev;
    ++step;
  }
  return Path(reversed.rbegin(), reversed.rend());
}

double Router::path_bandwidth(const Path& p) const {
  double bw = std::numeric_limits<double>::infinity();
  for (const auto& h : p) bw = std::min(bw, t_.link(h.link).Bps);
  return bw;
}

double Router::path_latency(const Path& p) const {
  double lat = 0;
  for (const auto& h : p) lat += t_.link(h.link).latency_s;
  return lat;
}

}  // namespace moeplan::topology
