// Reduced mode's collective replay. A reduced program holds one pipeline's
// ranks, so most of its collectives have members that are not simulated.
// Such a collective is replayed instead of run:
//
//   signatures    what it moves: kind, bytes, the hop-count shape of its group
//                 (groups the fabric treats alike share one), its traffic and
//                 the routed-expert work its members do right before it;
//   measurements  before the step, each signature is run alone on its group,
//                 members entering staggered as in the step (quantised, so
//                 repeating patterns share one measurement, and a stagger
//                 that rounds away reuses the unstaggered one);
//   replay        in the step, the held rank waits the measured duration while
//                 shadow flows load its NIC with its share of the group's
//                 inter-node traffic, so overlapping PP transfers share it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <simgrid/forward.h>
#include <string>
#include <utility>
#include <vector>

#include "sim/cost/cost_model.h"
#include "sim/engine/collectives.h"
#include "sim/engine/platform.h"
#include "sim/engine/shadow_flows.h"
#include "sim/program/program.h"
#include "sim/topology/routing.h"
#include "sim/topology/topology.h"

namespace moeplan::engine {

class CollectiveReplay {
 public:
  CollectiveReplay(const program::Program& p, const topology::Topology& t, const cost::CostModel& cost);

  // Indexing, before the platform exists: collective `instance` over `group`,
  // of which only `member_ops` are held.
  void add_instance(int instance, int group, const std::vector<program::OpId>& member_ops);
  // The GPUs and ordered GPU pairs that measurements and shadow flows use.
  const std::set<int>& gpus() const { return gpus_; }
  const std::set<std::pair<int, int>>& pairs() const { return pairs_; }

  // Phase 1, from an actor before the step: measures every added instance.
  void measure_all(const Platform& platform);
  std::size_t measurement_count() const { return measurements_.size(); }
  // The measured duration of an instance as the held rank sees it.
  double duration_s(int instance) const;

  // Phase 2, from the held rank's actor (on its GPU): its part of `instance`.
  void replay(int instance, const program::Op& held, const Platform& platform);
  // The shadow flows replays carry: flows that may share links with them
  // announce themselves here (ShadowFlows::observe).
  ShadowFlows& shadow_flows() { return shadow_flows_; }
  // Whether any added instance carries shadows (an all-to-all with inter-node
  // flows on a held GPU).
  bool has_shadows() const { return has_shadows_; }

  // Staggers below half this fraction of a collective's unstaggered duration
  // are rounded away (and larger ones to a multiple of it): a repeating
  // pattern then reuses one measurement, at an entry error below half the
  // quantum; a pattern that rounds to all zeros reuses the unstaggered one.
  // 0.2 (was 0.01: the EP144 low-latency decode step took 134 measurements
  // of 3,456 flows, 11 s; 14 at 0.2); step times moved by at most 0.2% on the bundled
  // reduced scenarios (docs/architecture.md, "Reduced mode").
  static constexpr double kStaggerQuantum = 0.2;

 private:
  // What a replayed collective moves, and the routed-expert work each member
  // does right before it (`lead_s`, from the op's program::Lead).
  struct Signature {
    program::CollectiveKind kind;
    double bytes = 0;
    std::vector<Flow> flows;     // all-to-all
    std::vector<int> gpus;       // the group measured
    std::vector<double> lead_s;  // per member
    int alone = -1;              // its measurement with every member entering together
  };

  // An isolated measurement of a signature with members entering staggered as
  // they would in the step: by how much earlier than the last they left the
  // predecessor (the previous all-to-all of the pass, or for a pass's first one
  // the previous stage's) plus how much less expert work they did in between.
  // The held rank stands for the last to enter; `duration_s` runs from its
  // entry to the end.
  struct Measurement {
    std::vector<double> exit_s;  // per member: leaving time relative to the held rank's entry
    double duration_s = 0;
  };

  struct Instance {
    int signature = -1;
    int predecessor = -1;  // instance whose exits stagger its entries; -1: none
    int measurement = -1;
    // All-to-all: the held member's inter-node flows out and in (bytes each),
    // and a GPU on another node to carry them as shadow flows.
    std::vector<double> shadow_out, shadow_in;
    int shadow_peer = -1;
  };

  std::map<program::OpId, program::OpId> previous_all_to_all() const;
  int shape_of(int group);
  Signature make_signature(int group, const std::vector<program::OpId>& member_ops);
  void add_shadow(Instance& inst, const program::Op& held, const std::vector<int>& members);
  int measure_instance(int instance, const Platform& platform);
  int measurement(int signature, const std::vector<std::int64_t>& steps, const std::vector<double>& entry,
                  const Platform& platform);
  Measurement measure(const Signature& sig, const std::vector<double>& entry, const Platform& platform);
  int gpu(int rank) const { return p_.rank_gpu[static_cast<std::size_t>(rank)]; }

  const program::Program& p_;
  const topology::Topology& t_;
  const cost::CostModel& cost_;
  topology::Router router_;
  std::map<program::OpId, program::OpId> previous_;
  std::map<int, Instance> instances_;
  std::vector<Signature> signatures_;
  std::map<std::tuple<int, int, int, std::vector<double>, double, int>, int> signature_of_;
  std::vector<Measurement> measurements_;
  std::map<std::pair<int, std::vector<std::int64_t>>, int> measurement_of_;
  std::map<int, int> group_shape_;
  std::map<std::vector<int>, int> shape_ids_;
  std::set<int> gpus_;
  std::set<std::pair<int, int>> pairs_;
  ShadowFlows shadow_flows_;
  bool has_shadows_ = false;
};

}  // namespace moeplan::engine
