#include "sim/config/routing_spec.h"

#include <fmt/format.h>
#include <limits>

namespace moeplan::config {

const char* to_string(RoutingDistribution d) {
  switch (d) {
    case RoutingDistribution::uniform: return "uniform";
    case RoutingDistribution::zipf: return "zipf";
    case RoutingDistribution::hot: return "hot";
    case RoutingDistribution::measured: return "measured";
  }
  return "?";
}

RoutingSpec read_routing(YamlReader& r) {
  RoutingSpec s;
  if (auto d = r.text("distribution", false, {"uniform", "zipf", "hot", "measured"})) {
    if (*d == "zipf") s.distribution = RoutingDistribution::zipf;
    else if (*d == "hot") s.distribution = RoutingDistribution::hot;
    else if (*d == "measured") s.distribution = RoutingDistribution::measured;
  }
  const bool zipf = s.distribution == RoutingDistribution::zipf;
  const bool hot = s.distribution == RoutingDistribution::hot;
  const bool measured = s.distribution == RoutingDistribution::measured;
  auto only_for = [&](const char* key, bool applies, const char* distribution) {
    if (r.has(key) && !applies)
      r.error(key, fmt::format("only used with distribution: {}; remove it or set distribution: {}", distribution,
                               distribution));
  };

  if (auto v = r.number("zipf_s", false, 0.0)) s.zipf_s = *v;
  only_for("zipf_s", zipf, "zipf");
  if (auto v = r.number("hot_fraction", false, 0.0)) {
    if (*v > 1.0) r.error("hot_fraction", fmt::format("{} is out of range; expected a share in [0, 1]", *v));
    else s.hot_fraction = *v;
  }
  only_for("hot_fraction", hot, "hot");
  if (auto v = r.integer("hot_experts", false, 1, 1 << 20)) s.hot_experts = static_cast<int>(*v);
  only_for("hot_experts", hot, "hot");
  if (auto v = r.text("load_file", measured)) s.load_file = resolve_path(r.file(), *v);
  only_for("load_file", measured, "measured");

  if (auto v = r.integer("node_limit", false, 0, 1 << 20)) s.node_limit = static_cast<int>(*v);
  if (auto v = r.integer("seed", false, 0, std::numeric_limits<long long>::max()))
    s.seed = static_cast<std::uint64_t>(*v);
  if (auto v = r.integer("sample_tokens", false, 1, 1 << 24)) s.sample_tokens = static_cast<int>(*v);
  r.finish();
  return s;
}

}  // namespace moeplan::config
