// Shadow flows: rate-capped flows between the calling actor's GPU (the near
// end) and a peer GPU that carry no data, only load. Reduced mode uses them to
// put a replayed all-to-all's inter-node traffic on the held GPU's NIC
// (collective_replay.h).
//
// A shadow changes nothing but the bandwidth other flows on its links get,
// and nothing waits for it. So `carry` keeps shadows out of the flow model
// while no other flow shares a link with them (an *observer*, announced with
// `observe`), counting them as progressing at their rate meanwhile, and puts
// them in, with the bytes they have left, while one does.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <simgrid/forward.h>
#include <string>
#include <utility>
#include <vector>

namespace moeplan::engine {

enum class ShadowDirection { FromHere, ToHere };
struct ShadowEnd;
struct ShadowCarrier;

struct ShadowFlow {
  ShadowDirection direction;
  double bytes = 0;
};

// SimGrid 3.32-3.35 honour a comm's rate only on the mailbox path, so each
// shadow is a mailbox transfer. Its ends are posted by daemon actors, one per
// mailbox and GPU, reused by later flows of that mailbox (with one
// short-lived actor per flow, 3.32 ran out of stack mappings after ~32k
// flows, with only ~130 actors alive at a time).
class ShadowFlows {
 public:
  // Starts a flow of `bytes` capped at `rate_Bps` now, its near end posted by
  // the calling actor; `name` must be unique among the flows in flight. The
  // caller may wait for it, test it or cancel it.
  simgrid::s4u::CommPtr start(const std::string& name, simgrid::s4u::Host* peer, ShadowDirection direction,
                              double bytes, double rate_Bps);

  // From the near end's actor: `flows` between its GPU and `peer`, each at
  // bytes / duration_s, for `duration_s`; returns when that has passed. The
  // flows are in the flow model (as mailbox transfers named `name`-i) only
  // while an observer shares a link with them, with the bytes they have left
  // at their rate. `name` must be unique among the carries in progress.
  void carry(const std::string& name, simgrid::s4u::Host* peer, const std::vector<ShadowFlow>& flows,
             double duration_s);

  // An observer: a flow from `src` to `dst` in flight while the returned
  // object lives (from an actor). Observing more than is in flight is
  // harmless; observing less leaves out shadows that should load it.
  class Observation {
   public:
    Observation(ShadowFlows* owner, std::vector<simgrid::s4u::Link*> links);
    Observation(Observation&& other) noexcept;
    Observation(const Observation&) = delete;
    Observation& operator=(const Observation&) = delete;
    Observation& operator=(Observation&&) = delete;
    ~Observation();

   private:
    ShadowFlows* owner_;
    std::vector<simgrid::s4u::Link*> links_;
  };
  Observation observe(simgrid::s4u::Host* src, simgrid::s4u::Host* dst);

  // How often carried shadows entered the flow model, and how many carries
  // never did (for reports and tests).
  std::size_t entries() const { return entries_; }
  std::size_t unobserved_carries() const { return unobserved_carries_; }

 private:
  struct LinkWatch {
    int observers = 0;
    std::set<std::shared_ptr<ShadowCarrier>> carriers;
  };
  ShadowEnd& end_on(simgrid::s4u::Host* host, const std::string& mailbox);
  const std::vector<simgrid::s4u::Link*>& route(simgrid::s4u::Host* src, simgrid::s4u::Host* dst);
  void watch(const std::vector<simgrid::s4u::Link*>& links, int change);
  bool observed(const ShadowCarrier& carrier) const;
  void update(ShadowCarrier& carrier);
  void enter(ShadowCarrier& carrier);
  void leave(ShadowCarrier& carrier);

  std::map<std::string, std::shared_ptr<ShadowEnd>> ends_;  // by mailbox and host
  std::map<std::pair<simgrid::s4u::Host*, simgrid::s4u::Host*>, std::vector<simgrid::s4u::Link*>> routes_;
  std::map<simgrid::s4u::Link*, LinkWatch> watches_;
  std::size_t entries_ = 0, unobserved_carries_ = 0;
};

}  // namespace moeplan::engine
