#include "sim/engine/platform.h"

#include <fmt/format.h>
#include <simgrid/s4u.hpp>

namespace moeplan::engine {

void configure_network_model() {
  simgrid::s4u::Engine::set_config("network/model:CM02");
  simgrid::s4u::Engine::set_config("network/crosstraffic:0");
  simgrid::s4u::Engine::set_config("network/TCP-gamma:1e30");
}

Platform::Platform(const topology::Topology& t, const std::set<int>& gpus, const std::set<std::pair<int, int>>& pairs) {
  zone_ = simgrid::s4u::create_full_zone("cluster");
  for (int g : gpus) hosts_[g] = zone_->create_host(fmt::format("gpu{}", g), kHostSpeed);
  topology::Router router(t);
  for (const auto& [a, b] : pairs) {
    if (a == b) continue;
    std::vector<simgrid::s4u::LinkInRoute> route;
    for (const auto& hop : router.route(a, b))
      route.emplace_back(link(t, hop.link), hop.forward ? simgrid::s4u::LinkInRoute::Direction::UP
                                                        : simgrid::s4u::LinkInRoute::Direction::DOWN);
    zone_->add_route(hosts_.at(a)->get_netpoint(), hosts_.at(b)->get_netpoint(), nullptr, nullptr, route, false);
    ++routes_;
  }
  zone_->seal();
}

simgrid::s4u::SplitDuplexLink* Platform::link(const topology::Topology& t, int id) {
  auto it = links_.find(id);
  if (it != links_.end()) return it->second;
  const auto& l = t.link(id);
  auto* sl = zone_->create_split_duplex_link(fmt::format("l{}", id), l.Bps);
  sl->set_latency(l.latency_s);
  sl->seal();
  return links_.emplace(id, sl).first->second;
}

}  // namespace moeplan::engine
