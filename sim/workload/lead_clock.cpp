#include "sim/workload/lead_clock.h"

#include <algorithm>

#include "sim/cost/layer_work.h"
#include "sim/schedule/schedule.h"
#include "sim/util/check.h"

namespace moeplan::workload {

using program::Pass;

LeadClock::LeadClock(const config::Scenario& sc, const plan::ValidatedPlan& vp, MoeTraffic& traffic,
                     program::Program& prog)
    : sc_(sc), vp_(vp), traffic_(traffic), prog_(prog), stages_(schedule::stage_count(vp.schedule)) {}

const LeadClock::MemberWork& LeadClock::work_of_layer(int layer, Pass pass) {
  auto [it, added] = layer_work_.try_emplace({layer, pass});
  if (added)
    for (const auto& tokens : traffic_.layer(layer, prog_).local_expert_tokens) {
      const auto w = cost::routed_experts_work(sc_.model, tokens, pass, sc_.plan.precision);
      it->second.flops.push_back(w.flops);
      it->second.bytes.push_back(w.bytes);
    }
  return it->second;
}

void LeadClock::advance(int rank, int layer, Pass pass) {
  const auto& work = work_of_layer(layer, pass);
  auto& done = clock_of_rank_[rank].done;
  const auto members = work.flops.size();
  done.flops.resize(members, 0.0);
  done.bytes.resize(members, 0.0);
  for (std::size_t g = 0; g < members; ++g) {
    done.flops[g] += work.flops[g];
    done.bytes[g] += work.bytes[g];
  }
}

int LeadClock::take_lead(int rank, Pass pass, int mb, int dir) {
  auto& clock = clock_of_rank_[rank];
  const MemberWork now = clock.done;
  const auto chain = std::make_tuple(pass, mb, dir);
  const auto it = clock.at_chain.find(chain);
  const MemberWork* since = it != clock.at_chain.end() ? &it->second : (clock.at_last ? &*clock.at_last : nullptr);
  int id = -1;
  if (since && !now.flops.empty()) {
    program::Lead lead{now.flops, now.bytes, sc_.plan.precision};
    for (std::size_t g = 0; g < lead.flops.size(); ++g) {
      lead.flops[g] -= g < since->flops.size() ? since->flops[g] : 0.0;
      lead.bytes[g] -= g < since->bytes.size() ? since->bytes[g] : 0.0;
    }
    const auto [lo, hi] = std::minmax_element(lead.flops.begin(), lead.flops.end());
    if (*hi > *lo) {
      auto [known, added] =
          lead_id_.try_emplace(std::make_pair(lead.flops, lead.bytes), static_cast<int>(prog_.leads.size()));
      if (added) prog_.leads.push_back(std::move(lead));
      id = known->second;
    }
  }
  clock.at_chain[chain] = now;
  clock.at_last = now;
  return id;
}

const std::vector<int>& LeadClock::stage_layers(int stage) const {
  return vp_.layers.layers[static_cast<std::size_t>(stage % vp_.layers.stages())];
}

int LeadClock::busiest_over_stage(int layer) {
  for (int s = 0; s < stages_; ++s) {
    const auto& layers = stage_layers(s);
    const bool mtp_here = s == stages_ - 1 && layer >= sc_.model.layers;
    if (!mtp_here && std::find(layers.begin(), layers.end(), layer) == layers.end()) continue;
    auto [it, inserted] = busiest_of_stage_.try_emplace(s, 0);
    if (inserted) {
      auto all = layers;
      if (s == stages_ - 1)
        for (int k = 0; k < sc_.model.mtp_layers; ++k) all.push_back(sc_.model.layers + k);
      it->second = traffic_.busiest_rank(all, prog_);
    }
    return it->second;
  }
  MOEPLAN_CHECK(false, "layer {} is on no stage", layer);
  return 0;
}

}  // namespace moeplan::workload
