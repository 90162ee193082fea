// A SimGrid platform built straight from the topology graph (no XML): one
// host per GPU that takes part, one split-duplex link per graph edge that a
// route uses, and an explicit route (deterministic ECMP path) for every
// ordered GPU pair that communicates.
#pragma once

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "sim/topology/routing.h"

namespace simgrid::s4u {
class Host;
class SplitDuplexLink;
class NetZone;
}  // namespace simgrid::s4u

namespace moeplan::engine {

// Nominal host speed: a compute op of d seconds executes d * kHostSpeed flops.
inline constexpr double kHostSpeed = 1e9;

class Platform {
 public:
  // Must be called once the SimGrid engine exists and before it runs.
  Platform(const topology::Topology& t, const std::set<int>& gpus, const std::set<std::pair<int, int>>& pairs);

  simgrid::s4u::Host* host(int gpu) const { return hosts_.at(gpu); }
  std::size_t route_count() const { return routes_; }
  std::size_t link_count() const { return links_.size(); }

 private:
  simgrid::s4u::SplitDuplexLink* link(const topology::Topology& t, int id);
  simgrid::s4u::NetZone* zone_ = nullptr;
  std::map<int, simgrid::s4u::Host*> hosts_;
  std::map<int, simgrid::s4u::SplitDuplexLink*> links_;
  std::size_t routes_ = 0;
};

// Configures the flow model for GPU fabrics: CM02 (no TCP bandwidth or latency
// factors), no ACK cross-traffic, no TCP window cap, so a lone flow gets its
// path's full bandwidth (see shared/reference/simgrid-notes.md). The window
// cap (a flow at most TCP-gamma / (2 x route latency)) is removed with a
// gamma that never binds (1e30 bytes), not with 0: SimGrid takes a flow's
// bound as min(its Comm::set_rate, gamma / (2 x latency)), and a bound of 0
// means none, so gamma 0 would also drop explicit rates on routes with latency.
void configure_network_model();

}  // namespace moeplan::engine
