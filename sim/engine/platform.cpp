#include "sim/engine/platform.h"

#include <fmt/format.h>
#include <simgrid/plugins/load.h>
#include <simgrid/s4u.hpp>

namespace moeplan::engine {

void configure_network_model() {
  simgrid::s4u::Engine::set_config("network/model:CM02");
  simgrid::s4u::Engine::set_config("network/crosstraffic:0");
  simgrid::s4u::Engine::set_config("network/TCP-gamma:1e30");
}

void load_plugin_init() { sg_link_load_plugin_init(); }

Platform::Platform(const topology::Topology& t, const std::set<int>& gpus, const std::set<std::pair<int, int>>& pairs) {
  zone_ = simgrid::s4u::create_full_zone("cluster");
  for (int g : gpus) hosts_[g] = zone_->create_host(fmt::format("gpu{}", g), kHostSpeed);
  topology::Router router(t);
  for (const auto& [a, b] : pairs) {
    if (a == b) continue;
    std::vector<simgrid::s4u::LinkInRoute> route;
    for (const auto& hop : router.route(a, b)) {
      const auto& [forward, backward] = link(t, hop.link);
      route.emplace_back(hop.forward ? forward : backward);
    }
    zone_->add_route(hosts_.at(a)->get_netpoint(), hosts_.at(b)->get_netpoint(), nullptr, nullptr, route, false);
    ++routes_;
  }
  zone_->seal();
}

const std::pair<simgrid::s4u::Link*, simgrid::s4u::Link*>& Platform::link(const topology::Topology& t, int id) {
  auto it = links_.find(id);
  if (it != links_.end()) return it->second;
  const auto& l = t.link(id);
  auto make = [&](const char* direction) {
    auto* one = zone_->create_link(fmt::format("l{}_{}", id, direction), l.Bps);
    one->set_latency(l.latency_s);
    one->seal();
    return one;
  };
  auto* forward = make("UP");
  auto* backward = make("DOWN");
  return links_.emplace(id, std::make_pair(forward, backward)).first->second;
}

void Platform::reset_link_loads() const {
  for (const auto& [id, directions] : links_) {  // tracking starts (from zero) now
    sg_link_load_track(directions.first);
    sg_link_load_track(directions.second);
  }
}

std::vector<LinkLoad> Platform::link_loads() const {
  std::vector<LinkLoad> out;
  out.reserve(links_.size());
  for (const auto& [id, directions] : links_)
    out.push_back({id, sg_link_get_cum_load(directions.first), sg_link_get_cum_load(directions.second)});
  return out;
}

}  // namespace moeplan::engine
