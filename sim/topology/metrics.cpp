#include "sim/topology/metrics.h"

#include <boost/graph/push_relabel_max_flow.hpp>
#include <limits>
#include <vector>

#include "sim/topology/routing.h"

namespace moeplan::topology {
namespace {

using FlowTraits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using FlowGraph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<boost::edge_capacity_t, double,
                    boost::property<boost::edge_residual_capacity_t, double,
                                    boost::property<boost::edge_reverse_t, FlowTraits::edge_descriptor>>>>;

void add_arc(FlowGraph& fg, std::size_t a, std::size_t b, double cap) {
  auto cap_map = boost::get(boost::edge_capacity, fg);
  auto rev_map = boost::get(boost::edge_reverse, fg);
  const auto e = boost::add_edge(a, b, fg).first;
  const auto r = boost::add_edge(b, a, fg).first;
  cap_map[e] = cap;
  cap_map[r] = 0;
  rev_map[e] = r;
  rev_map[r] = e;
}

}  // namespace

double bisection_bandwidth(const Topology& t) {
  const auto& g = t.graph();
  const auto n = boost::num_vertices(g);
  if (t.gpu_count() < 2) return 0.0;
  FlowGraph fg(n + 2);
  const std::size_t source = n, sink = n + 1;
  for (auto [e, end] = boost::edges(g); e != end; ++e) {  // each direction has its own capacity
    const auto a = boost::source(*e, g), b = boost::target(*e, g);
    add_arc(fg, a, b, t.link(*e).Bps);
    add_arc(fg, b, a, t.link(*e).Bps);
  }
  const double inf = std::numeric_limits<double>::infinity();
  const int half = t.gpu_count() / 2;
  for (int i = 0; i < t.gpu_count(); ++i) {
    if (i < half) add_arc(fg, source, t.gpu_vertex(i), inf);
    else add_arc(fg, t.gpu_vertex(i), sink, inf);
  }
  return boost::push_relabel_max_flow(fg, source, sink);
}

int diameter(const Topology& t, int exact_up_to_gpus) {
  Router router(t);
  const int n = t.gpu_count();
  std::vector<int> sources;  // every GPU, or the GPUs of the first and the last node
  if (n <= exact_up_to_gpus || t.node_count() < 2) {
    for (int a = 0; a < n; ++a) sources.push_back(a);
  } else {
    const int per_node = t.gpus_per_node();
    for (int a = 0; a < per_node; ++a) sources.push_back(a);
    for (int a = n - per_node; a < n; ++a) sources.push_back(a);
  }
  int d = 0;
  for (const int a : sources)
    for (int b = 0; b < n; ++b) d = std::max(d, router.hops(a, b));
  return d;
}

TopologyMetrics compute_metrics(const Topology& t) {
  TopologyMetrics m;
  const auto& g = t.graph();
  m.gpus = t.gpu_count();
  m.nodes = t.node_count();
  m.links = t.link_count();
  for (auto [v, end] = boost::vertices(g); v != end; ++v) {
    switch (g[*v].kind) {
      case VertexKind::NvSwitch: ++m.nvswitches; break;
      case VertexKind::Nic: ++m.nics; break;
      case VertexKind::Switch: ++m.switches; break;
      case VertexKind::Gpu: break;
    }
  }
  if (m.gpus > 0) {
    const auto gpu = t.gpu_vertex(0);
    for (auto [e, end] = boost::out_edges(gpu, g); e != end; ++e) {
      const auto& l = t.link(*e);
      if (l.kind == LinkKind::NvLink) m.nvlink_Bps_per_gpu += l.Bps;
      if (l.kind == LinkKind::Pcie) {
        const auto nic = boost::target(*e, g);
        double ib = 0;
        for (auto [f, fend] = boost::out_edges(nic, g); f != fend; ++f)
          if (t.link(*f).kind == LinkKind::Ib) ib += t.link(*f).Bps;
        m.ib_Bps_per_gpu += std::min(ib, l.Bps);
      }
    }
  }
  m.bisection_Bps = bisection_bandwidth(t);
  m.diameter_hops = diameter(t);
  m.diameter_exact = m.gpus <= kExactDiameterGpus || m.nodes < 2;
  return m;
}

}  // namespace moeplan::topology
