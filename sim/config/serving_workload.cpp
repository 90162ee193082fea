#include "sim/config/serving_workload.h"

#include <fmt/format.h>

namespace moeplan::config {

const char* to_string(ServingPhase p) { return p == ServingPhase::Prefill ? "prefill" : "decode"; }

namespace {

ServingTraffic read_traffic(YamlReader& t) {
  ServingTraffic x;
  if (auto v = t.text("prefill", true)) x.prefill_scenario = resolve_path(t.file(), *v);
  if (auto v = t.integer("prefill_units", true, 1, 1 << 16)) x.prefill_units = static_cast<int>(*v);
  if (auto v = t.integer("decode_units", true, 1, 1 << 16)) x.decode_units = static_cast<int>(*v);
  const auto arrivals = t.text("arrivals", true, {"poisson", "trace"});
  x.arrivals = arrivals && *arrivals == "trace" ? Arrivals::Trace : Arrivals::Poisson;
  if (x.arrivals == Arrivals::Trace) {
    if (auto v = t.text("trace", true)) x.trace_file = resolve_path(t.file(), *v);
  } else {
    if (auto v = t.number("rate_per_s", true, 0)) x.rate_per_s = *v;
    if (x.rate_per_s <= 0 && t.has("rate_per_s"))
      t.error("rate_per_s", "must be positive (requests per second)");
    if (auto v = t.number("duration_s", true, 0)) x.duration_s = *v;
    if (x.duration_s <= 0 && t.has("duration_s")) t.error("duration_s", "must be positive (seconds of arrivals)");
    if (auto v = t.integer("prompt_tokens", true, 1, 1 << 20)) x.prompt_tokens = static_cast<int>(*v);
    if (auto v = t.integer("output_tokens", true, 1, 1 << 20)) x.output_tokens = static_cast<int>(*v);
    if (auto v = t.number("cached_fraction", false, 0)) {
      x.cached_fraction = *v;
      if (*v >= 1) t.error("cached_fraction", fmt::format("{} must be in [0, 1): a prompt's last token is always computed", *v));
    }
  }
  if (auto v = t.integer("seed", false, 0, 1LL << 62)) x.seed = static_cast<std::uint64_t>(*v);
  t.finish();
  return x;
}

}  // namespace

ServingWorkload read_serving_workload(YamlReader& w) {
  ServingWorkload s;
  const auto phase = w.text("phase", true, {"prefill", "decode"});
  s.phase = phase && *phase == "prefill" ? ServingPhase::Prefill : ServingPhase::Decode;
  if (auto v = w.integer("batch", true, 1, 1 << 20)) s.batch = static_cast<int>(*v);
  const bool prefill = s.phase == ServingPhase::Prefill;
  if (auto v = w.integer("prompt_tokens", prefill, 1, 1 << 20)) s.prompt_tokens = static_cast<int>(*v);
  if (auto v = w.integer("cached_tokens", false, 0, 1 << 24)) s.cached_tokens = static_cast<int>(*v);
  if (auto v = w.integer("context_tokens", !prefill, 1, 1 << 24)) s.context_tokens = static_cast<int>(*v);
  if (auto v = w.integer("micro_batches", false, 1, 2)) s.micro_batches = static_cast<int>(*v);
  if (auto v = w.number("mtp_acceptance", false, 0)) {
    s.mtp_acceptance = *v;
    if (*v > 1) w.error("mtp_acceptance", fmt::format("{} is a probability: give a value in [0, 1] (DeepSeek-V3 reports 0.85-0.9)", *v));
  }
  if (auto v = w.number("price_per_gpu_hour", false, 0)) s.price_per_gpu_hour = *v;
  if (w.has("traffic")) {
    auto t = w.child("traffic", true);
    if (t.valid()) s.traffic = read_traffic(t);
    if (s.traffic && prefill)
      w.error("traffic", "a request stream belongs to the decode unit's scenario (phase: decode), which names the "
                         "prefill unit's scenario in traffic.prefill");
  }
  return s;
}

}  // namespace moeplan::config
