#include "sim/sweep/search.h"

#include <algorithm>
#include <atomic>
#include <fmt/format.h>
#include <mutex>
#include <thread>

#include "sim/config/scenario_yaml.h"
#include "sim/estimate/estimate.h"
#include "sim/pipeline/simulate.h"
#include "sim/plan/validate.h"
#include "sim/sweep/results.h"

namespace moeplan::sweep {
namespace {

double score(const std::map<std::string, double>& m, Objective o) {
  switch (o) {
    case Objective::Throughput: return m.at("tokens_per_s_per_gpu");
    case Objective::Cost: return -m.at("gpu_hours_per_trillion_tokens");
    case Objective::Memory: return m.at("memory_headroom_bytes");
  }
  return 0;
}

// The kind of problem a layout has, for the dropped counts.
std::string reason_of(const Diagnostics& d) {
  if (d.empty()) return "invalid";
  const auto& first = d.items().front();
  if (first.message.find("does not fit in memory") != std::string::npos) return "does not fit in memory";
  return first.field.empty() ? "invalid" : first.field;
}

std::string label_of(const config::Scenario& s) {
  const auto& p = s.plan;
  return fmt::format("PP{} DP{} EP{} {}{} mb{} sms{} M{} zero{}", p.pp, p.dp, p.ep, schedule::to_string(p.schedule),
                     p.schedule == schedule::Kind::Interleaved ? fmt::format("x{}", p.chunks) : "",
                     s.training().micro_batch, p.comm_sms, s.routing.node_limit == 0 ? std::string("-") :
                     std::to_string(s.routing.node_limit), p.zero_stage);
}

std::vector<int> powers_of_two_up_to(int n) {
  std::vector<int> out;
  for (int v = 1; v <= n; v *= 2) out.push_back(v);
  return out;
}

}  // namespace

Objective parse_objective(const std::string& name) {
  if (name == "throughput") return Objective::Throughput;
  if (name == "cost") return Objective::Cost;
  if (name == "memory") return Objective::Memory;
  throw std::invalid_argument(fmt::format("objective \"{}\": choose throughput, cost or memory", name));
}

std::vector<int> balanced_layers(int layers, int stages) {
  const int per = (layers + stages - 1) / stages;
  std::vector<int> split(static_cast<std::size_t>(stages), per);
  int excess = per * stages - layers;
  for (int turn = 0; excess > 0; ++turn) {
    auto& s = split[turn % 2 == 0 ? split.size() - 1 : 0];
    if (s > 1) --s, --excess;
    else if (turn > 2 * stages) break;  // cannot thin the ends further; even split then
  }
  if (excess > 0) return {};
  return split;
}

SearchResult search_layouts(const config::Scenario& base, const SearchOptions& opt) {
  SearchResult r;
  const int gpus = base.topology.topology.gpu_count();
  const auto& m = base.model;
  std::vector<config::Scenario> legal;
  std::vector<plan::ValidatedPlan> plans;
  for (const int pp : powers_of_two_up_to(std::min(gpus, m.layers)))
    for (const int ep : powers_of_two_up_to(gpus / pp))
      for (const auto kind : schedule::kAllKinds)
        for (const int mb : {1, 2})
          for (const int sms : {16, 20, 24})
            for (const int node_limit : {2, 4, 0})
              for (const int zero : {0, 1}) {
                if (gpus % pp != 0) continue;
                ++r.enumerated;
                config::Scenario s = base;
                auto& p = s.plan;
                p.pp = pp;
                p.dp = gpus / pp;
                p.tp = 1;
                p.ep = ep;
                p.schedule = kind;
                p.chunks = kind == schedule::Kind::Interleaved ? 2 : 1;
                p.comm_sms = sms;
                p.zero_stage = zero;
                std::get<config::TrainingWorkload>(s.workload).micro_batch = mb;
                s.routing.node_limit = node_limit;
                p.layers_per_stage = balanced_layers(m.layers, schedule::stage_count(kind, pp, p.chunks));
                Diagnostics diag;
                auto vp = plan::validate_plan(s, diag);
                if (!vp || !diag.empty()) {
                  ++r.dropped[reason_of(diag)];
                  continue;
                }
                s.name = fmt::format("{}-{}", base.name, label_of(s));
                for (char& c : s.name)
                  if (c == ' ') c = '-';
                legal.push_back(std::move(s));
                plans.push_back(std::move(*vp));
              }

  // Analytic tier for every legal layout, `jobs` at a time.
  r.ranked.resize(legal.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex mutex;
  auto work = [&] {
    for (std::size_t i; (i = next++) < legal.size();) {
      if (opt.stop.stop_requested()) return;
      auto& c = r.ranked[i];
      c.scenario = legal[i];
      c.label = label_of(c.scenario);
      const auto cost = pipeline::cost_model_for(c.scenario, opt.evaluate.calibration_path);
      const auto e = estimate::estimate_step(c.scenario, plans[i], cost, opt.stop);
      c.analytic = metrics_of(report::to_json(e.report), c.scenario.gpu.hbm_bytes);
      std::lock_guard lock(mutex);
      if (opt.progress) opt.progress("analytic", ++done, legal.size());
    }
  };
  {
    std::vector<std::jthread> workers;
    for (int j = 0; j < std::max(1, opt.jobs); ++j) workers.emplace_back(work);
  }
  std::stable_sort(r.ranked.begin(), r.ranked.end(), [&](const Candidate& a, const Candidate& b) {
    return score(a.analytic, opt.objective) > score(b.analytic, opt.objective);
  });

  // The best few again with SimGrid, then ordered by what SimGrid says.
  const std::size_t k = std::min(opt.des_top, r.ranked.size());
  next = 0;
  done = 0;
  auto simulate = [&] {
    for (std::size_t i; (i = next++) < k;) {
      if (opt.stop.stop_requested()) return;
      auto& c = r.ranked[i];
      const auto text = config::to_yaml(c.scenario, base.path);
      const auto e = evaluate(text, base.path, Tier::Des, opt.evaluate, opt.stop);
      if (e.status == "ok") c.des = e.metrics;
      std::lock_guard lock(mutex);
      if (opt.progress) opt.progress("simgrid", ++done, k);
    }
  };
  {
    std::vector<std::jthread> workers;
    for (int j = 0; j < std::max(1, opt.jobs); ++j) workers.emplace_back(simulate);
  }
  std::stable_sort(r.ranked.begin(), r.ranked.begin() + static_cast<long>(k), [&](const Candidate& a, const Candidate& b) {
    const auto& ma = a.des.empty() ? a.analytic : a.des;
    const auto& mb = b.des.empty() ? b.analytic : b.des;
    return score(ma, opt.objective) > score(mb, opt.objective);
  });

  // Pareto frontier: no other layout has both more throughput per GPU and more memory headroom.
  for (auto& c : r.ranked) {
    c.pareto = std::none_of(r.ranked.begin(), r.ranked.end(), [&](const Candidate& o) {
      const double t = o.analytic.at("tokens_per_s_per_gpu"), h = o.analytic.at("memory_headroom_bytes");
      const double ct = c.analytic.at("tokens_per_s_per_gpu"), chd = c.analytic.at("memory_headroom_bytes");
      return t >= ct && h >= chd && (t > ct || h > chd);
    });
  }
  const auto base_label = label_of(base);
  for (std::size_t i = 0; i < r.ranked.size(); ++i)
    if (r.ranked[i].label == base_label && r.ranked[i].scenario.plan.layers_per_stage == base.plan.layers_per_stage)
      r.base_rank = static_cast<long>(i);
  return r;
}

}  // namespace moeplan::sweep
