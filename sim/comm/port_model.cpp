#include "sim/comm/port_model.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "sim/comm/ring.h"
#include "sim/topology/routing.h"

namespace moeplan::comm {
namespace {

using topology::LinkKind;

// Bandwidth per direction of the links of `kind` at vertex `v` (summed: a
// GPU may have several NVLinks), and the vertex at the other end of the last.
double links_at(const topology::Topology& t, topology::VertexId v, LinkKind kind, topology::VertexId* other) {
  double Bps = 0;
  for (auto [e, end] = boost::out_edges(v, t.graph()); e != end; ++e) {
    const auto& l = t.link(*e);
    if (l.kind != kind) continue;
    Bps += l.Bps;
    if (other) *other = boost::target(*e, t.graph());
  }
  return Bps;
}

struct Ports {
  double nvlink_out = 0, nvlink_in = 0, network_out = 0, network_in = 0;
};

}  // namespace

PortModel::PortModel(const topology::Topology& t) : t_(t) {
  if (t.gpu_count() == 0) return;
  const auto g0 = t.gpu_vertex(0);
  nvlink_Bps_ = links_at(t, g0, LinkKind::NvLink, nullptr);
  topology::VertexId nic = g0;
  const double pcie = links_at(t, g0, LinkKind::Pcie, &nic);
  const double ib = nic != g0 ? links_at(t, nic, LinkKind::Ib, nullptr) : 0.0;
  network_Bps_ = pcie > 0 && ib > 0 ? std::min(pcie, ib) : std::max(pcie, ib);
  // Latencies of the nearest other GPU of the node and of the farthest GPU
  // of the cluster (across the spine), from the routes the engine takes.
  topology::Router router(t);
  const int per_node = t.gpus_per_node();
  if (per_node > 1) intra_latency_s_ = router.path_latency(router.route(0, 1));
  if (t.node_count() > 1) inter_latency_s_ = router.path_latency(router.route(0, t.gpu_count() - 1));
}

double PortModel::flows_seconds(const std::vector<Flow>& flows, const std::vector<int>& member_gpus) const {
  std::unordered_map<int, Ports> ports;
  bool intra = false, inter = false;
  for (const auto& f : flows) {
    if (f.bytes <= 0 || f.src == f.dst) continue;
    const int a = member_gpus[static_cast<std::size_t>(f.src)], b = member_gpus[static_cast<std::size_t>(f.dst)];
    if (same_node(a, b)) {
      ports[a].nvlink_out += f.bytes;
      ports[b].nvlink_in += f.bytes;
      intra = true;
      continue;
    }
    inter = true;
    const int rail_a = t_.graph()[t_.gpu_vertex(a)].local, rail_b = t_.graph()[t_.gpu_vertex(b)].local;
    int out = a;
    if (t_.multi_plane() && rail_a != rail_b) {  // over NVLink to the GPU of b's rail first
      out = a - rail_a + rail_b;
      ports[a].nvlink_out += f.bytes;
      ports[out].nvlink_in += f.bytes;
    }
    ports[out].network_out += f.bytes;
    ports[b].network_in += f.bytes;
  }
  double busiest = 0;
  for (const auto& [gpu, p] : ports) {
    if (nvlink_Bps_ > 0) busiest = std::max(busiest, std::max(p.nvlink_out, p.nvlink_in) / nvlink_Bps_);
    if (network_Bps_ > 0) busiest = std::max(busiest, std::max(p.network_out, p.network_in) / network_Bps_);
  }
  return busiest + (inter ? inter_latency_s_ : intra ? intra_latency_s_ : 0.0);
}

double PortModel::transfer_seconds(int src_gpu, int dst_gpu, double bytes) const {
  if (src_gpu == dst_gpu) return 0.0;
  return flows_seconds({{0, 1, bytes}}, {src_gpu, dst_gpu});
}

double PortModel::ring_seconds(program::CollectiveKind kind, const std::vector<int>& gpus, double bytes) const {
  const int n = static_cast<int>(gpus.size());
  if (n < 2) return 0.0;
  // Every step, each member sends bytes/n to the next at once: the slowest hop paces the ring.
  double step = 0;
  for (int i = 0; i < n; ++i)
    step = std::max(step, transfer_seconds(gpus[static_cast<std::size_t>(i)],
                                           gpus[static_cast<std::size_t>((i + 1) % n)], bytes / n));
  return ring_steps(kind, n) * step;
}

}  // namespace moeplan::comm
