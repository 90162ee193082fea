// Times a run of one rank's ops (the chunk a schedule op produced) without a
// flow simulation, under the same rules the SimGrid executor follows:
//   - each stream runs its ops in program order, each once its dependencies
//     inside the run are done (those outside count as done at the start);
//   - a compute op lasts the cost model's time when it has the GPU alone;
//     compute ops running together share the GPU, and while any
//     communication op runs, communication kernels hold `comm_sms` of the
//     GPU's SMs, so compute runs at (1 - comm_sms / sms) of its speed;
//   - communication lasts what the port model says (comm/port_model.h):
//     all-to-alls from their traffic matrix and the all-to-all algorithm,
//     ring collectives in closed form, a receive nothing (the pipeline hop is
//     the schedule timeline's), a send its transfer.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "sim/comm/port_model.h"
#include "sim/cost/cost_model.h"
#include "sim/program/program.h"
#include "sim/report/report.h"
#include "sim/topology/topology.h"

namespace moeplan::estimate {

struct RunTiming {
  double span_s = 0;  // to the end of its last op that is not a send
  // When its activation (forward) or gradient (backward) send to the
  // neighbouring stage starts, i.e. its output is ready; -1: it sends none.
  double activation_out_s = -1, gradient_out_s = -1;
  report::Breakdown time;  // compute per part and exposed communication of the run (bubble unused)
  double model_flops = 0;  // FLOPs of its compute ops (routed experts at the mean load), optimizer excluded
};

class OpTimer {
 public:
  OpTimer(const program::Program& p, const topology::Topology& t, const cost::CostModel& cost,
          const config::Scenario& sc);

  // The ops [first, last) of `rank`.
  RunTiming time(int rank, program::OpId first, program::OpId last);
  // Seconds a communication op takes on its own.
  double comm_seconds(const program::Op& op);
  const comm::PortModel& ports() const { return ports_; }

 private:
  double model_flops(const program::Op& op) const;
  int gpu(int rank) const { return p_.rank_gpu[static_cast<std::size_t>(rank)]; }

  const program::Program& p_;
  const topology::Topology& t_;
  const cost::CostModel& cost_;
  const config::Scenario& sc_;
  comm::PortModel ports_;
  // A group's GPUs, and its members' places on the fabric (`layout`: an id
  // shared by groups placed alike, as every pipeline rank's EP group is).
  struct GroupPlaces {
    std::vector<int> gpus;
    std::vector<comm::MemberPlace> places;
    int layout = 0;
  };
  const GroupPlaces& group_places(int group);
  std::map<int, GroupPlaces> groups_;
  std::map<std::vector<int>, int> layouts_;
  std::map<std::pair<int, int>, double> all_to_all_s_;  // (traffic or -1 - op id, layout) -> seconds
};

}  // namespace moeplan::estimate
