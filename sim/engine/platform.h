// A SimGrid platform built straight from the topology graph (no XML): one
// host per GPU that takes part, two links (one per direction, as a
// split-duplex link is, but plain links, which SimGrid's link-load plugin
// tracks) per graph edge that a route uses, and an explicit route (deterministic ECMP path) for every
// ordered GPU pair that communicates.
#pragma once

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "sim/topology/routing.h"

namespace simgrid::s4u {
class Host;
class Link;
class NetZone;
}  // namespace simgrid::s4u

namespace moeplan::engine {

// Bytes one topology link carried, per direction ("forward" is the link's a -> b).
struct LinkLoad {
  int link = -1;  // topology link id
  double forward_bytes = 0;
  double backward_bytes = 0;
};

// Nominal host speed: a compute op of d seconds executes d * kHostSpeed flops.
inline constexpr double kHostSpeed = 1e9;

class Platform {
 public:
  // Must be called once the SimGrid engine exists and before it runs.
  Platform(const topology::Topology& t, const std::set<int>& gpus, const std::set<std::pair<int, int>>& pairs);

  simgrid::s4u::Host* host(int gpu) const { return hosts_.at(gpu); }
  std::size_t route_count() const { return routes_; }
  std::size_t link_count() const { return links_.size(); }
  // Link loads (SimGrid's link-load plugin, load_plugin_init() before the
  // platform is built): start counting now (once); the bytes since, per link
  // a route uses, by link id.
  void reset_link_loads() const;
  std::vector<LinkLoad> link_loads() const;

 private:
  // The two directions of topology link `id` (forward a -> b, backward), made on first use.
  const std::pair<simgrid::s4u::Link*, simgrid::s4u::Link*>& link(const topology::Topology& t, int id);
  simgrid::s4u::NetZone* zone_ = nullptr;
  std::map<int, simgrid::s4u::Host*> hosts_;
  std::map<int, std::pair<simgrid::s4u::Link*, simgrid::s4u::Link*>> links_;
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

// Turns on SimGrid's link-load plugin: call once the engine exists and before a Platform is built.
void load_plugin_init();

}  // namespace moeplan::engine
