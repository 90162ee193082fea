// Shadow flows: rate-capped flows between the calling actor's GPU (the near
// end) and a peer GPU that carry no data, only load. Reduced mode uses them to
// put a replayed all-to-all's inter-node traffic on the held GPU's NIC
// (collective_replay.h).
#pragma once

#include <map>
#include <memory>
#include <simgrid/forward.h>
#include <string>

namespace moeplan::engine {

enum class ShadowDirection { FromHere, ToHere };
struct ShadowFarEnd;

// SimGrid 3.32-3.35 honour a comm's rate only on the mailbox path, so each
// shadow is a mailbox transfer whose far end a daemon actor on the peer posts,
// one daemon per flow name and peer, reused by later flows of that name (with
// one short-lived actor per flow, 3.32 ran out of stack mappings after ~32k
// flows, with only ~130 actors alive at a time).
class ShadowFlows {
 public:
  // Starts a flow of `bytes` capped at `rate_Bps`; `name` must be unique among
  // the flows in flight. The caller may wait for it, test it or cancel it.
  simgrid::s4u::CommPtr start(const std::string& name, simgrid::s4u::Host* peer, ShadowDirection direction,
                              double bytes, double rate_Bps);

 private:
  std::map<std::string, std::shared_ptr<ShadowFarEnd>> far_ends_;  // by mailbox
};

}  // namespace moeplan::engine
