// Runs a program on SimGrid: one actor per (rank, stream) executes that
// stream's ops in program order, each after its dependencies; compute ops are
// host executions lasting the cost model's time; point-to-point transfers are
// flows over the platform; collectives run their algorithm (collectives.h)
// across member actors. In a reduced program, a collective whose members are
// not all held is timed once in isolation per traffic signature before the
// step starts, and replayed as a delay (collective_replay.h).
#pragma once

#include <functional>
#include <string>

#include "sim/cost/cost_model.h"
#include "sim/engine/platform.h"
#include "sim/program/program.h"
#include "sim/topology/topology.h"
#include "sim/trace/trace.h"

namespace moeplan::engine {

struct EngineStats {
  std::size_t ops = 0;
  std::size_t live_collectives = 0;      // collective instances simulated flow by flow
  std::size_t replayed_collectives = 0;  // instances replayed from an isolated measurement
  std::size_t measured_signatures = 0;   // isolated measurements taken
  std::size_t transfers = 0;             // point-to-point transfers
  std::size_t routes = 0;
  double measurement_sim_s = 0;          // simulated time spent on isolated measurements
  double measurement_wall_s = 0;         // wall time spent taking them
  double step_wall_s = 0;                // wall time of the step itself (the rest: building)
};

struct SimOutput {
  trace::Trace trace;
  double makespan_s = 0;
  EngineStats stats;
  // Bytes each link a route uses carried during the step (from the step's
  // start: the isolated measurements of replayed collectives are not
  // counted; the shadow flows that stand for them during the step are).
  std::vector<LinkLoad> link_loads;
};

struct EngineOptions {
  std::function<void(double fraction_done)> progress;  // called as ops complete (every ~5%)
};

// One SimGrid engine per process: call at most once per process.
SimOutput run_program(const program::Program& p, const topology::Topology& t, const cost::CostModel& cost,
                      const EngineOptions& opt = {});

}  // namespace moeplan::engine
