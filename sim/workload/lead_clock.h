// Leads: the routed-expert work each member of an EP group does between two
// of its all-to-alls (program::Lead). Per held rank the clock sums, for every
// member of the rank's EP group, the routed-expert work done so far, each
// member with its own token load. An all-to-all's lead is the difference since
// the previous all-to-all of the same (pass, micro-batch, direction), else
// since the rank's previous one. Only skewed loads make members differ; alike
// members need no lead.
#pragma once

#include <map>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "sim/program/program.h"
#include "sim/workload/moe_traffic.h"

namespace moeplan::workload {

class LeadClock {
 public:
  LeadClock(const config::Scenario& sc, const plan::ValidatedPlan& vp, MoeTraffic& traffic, program::Program& prog);

  // `rank` ran the routed experts of `layer` in `pass`: every member's clock
  // advances by that member's own work.
  void advance(int rank, int layer, program::Pass pass);
  // The lead of `rank`'s next all-to-all, in (pass, micro-batch, direction):
  // an index into Program::leads (equal leads share one), -1 when members are alike.
  int take_lead(int rank, program::Pass pass, int mb, int dir);
  // The EP member with the most routed-expert tokens over the pipeline stage
  // that holds `layer` (the MTP modules sit on the last stage): in a reduced
  // program, the GPU whose weight-grad work, which no collective
  // re-synchronises, sets the stage's pace.
  int busiest_over_stage(int layer);

 private:
  struct MemberWork {
    std::vector<double> flops, bytes;  // per member of the EP group
  };
  struct RankClock {
    MemberWork done;  // cumulative
    std::map<std::tuple<program::Pass, int, int>, MemberWork> at_chain;  // at the last all-to-all of (pass, mb, dir)
    std::optional<MemberWork> at_last;                                   // at the rank's last all-to-all
  };
  const MemberWork& work_of_layer(int layer, program::Pass pass);
  const std::vector<int>& stage_layers(int stage) const;

  const config::Scenario& sc_;
  const plan::ValidatedPlan& vp_;
  MoeTraffic& traffic_;
  program::Program& prog_;
  int stages_ = 1;
  std::map<int, RankClock> clock_of_rank_;
  std::map<std::pair<int, program::Pass>, MemberWork> layer_work_;               // (layer, pass)
  std::map<std::pair<std::vector<double>, std::vector<double>>, int> lead_id_;  // (flops, bytes) -> lead
  std::map<int, int> busiest_of_stage_;
};

}  // namespace moeplan::workload
