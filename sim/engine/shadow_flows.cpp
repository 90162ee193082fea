#include "sim/engine/shadow_flows.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <simgrid/s4u.hpp>
#include <string>

namespace moeplan::engine {
namespace {

namespace s4u = simgrid::s4u;

// Shadow flows carry no data, only a simulated size.
char g_shadow_payload = 0;
void* g_shadow_sink = nullptr;

s4u::CommPtr post_shadow_end(const std::string& mailbox, bool sends, std::uint64_t bytes) {
  auto* m = s4u::Mailbox::by_name(mailbox);
  return sends ? m->put_init(&g_shadow_payload, bytes) : m->get_init()->set_dst_data(&g_shadow_sink, sizeof(void*));
}

}  // namespace

// The far end of shadow flows on one mailbox, on the peer GPU: a daemon that
// posts the matching receive or send of each flow asked of it, and waits for
// it to end or for the near end to cancel it. Both ends carry the rate: which
// end's rate SimGrid keeps depends on which end posts first (a receive posted
// first lost its rate to the later, rate-less send).
struct ShadowFarEnd {
  struct Flow {
    ShadowDirection direction;
    std::uint64_t bytes;
    double rate_Bps;
  };
  std::string mailbox;
  s4u::MutexPtr mutex = s4u::Mutex::create();
  s4u::ConditionVariablePtr asked = s4u::ConditionVariable::create();
  std::deque<Flow> flows;

  void serve() {
    for (;;) {
      Flow flow;
      {
        std::unique_lock lock(*mutex);
        while (flows.empty()) asked->wait(lock);
        flow = flows.front();
        flows.pop_front();
      }
      auto c = post_shadow_end(mailbox, flow.direction == ShadowDirection::ToHere, flow.bytes);
      c->set_rate(flow.rate_Bps);
      try {
        c->start();
        c->wait();
      } catch (const simgrid::NetworkFailureException&) {  // cancelled by the near end (SimGrid 3.32)
      } catch (const simgrid::CancelException&) {          // the same, as later versions may report it
      }
    }
  }
};

// SimGrid 3.32 to 3.35 hand a comm's rate (Comm::set_rate) to the network
// model only on the mailbox path: a host-to-host comm (Comm::sendto_init)
// keeps it in the s4u object and runs uncapped.
s4u::CommPtr ShadowFlows::start(const std::string& name, s4u::Host* peer, ShadowDirection direction, double bytes,
                                double rate_Bps) {
  const auto size = static_cast<std::uint64_t>(bytes);
  const auto mailbox = name + "@" + peer->get_name();
  auto& far = far_ends_[mailbox];
  if (!far) {
    far = std::make_shared<ShadowFarEnd>();
    far->mailbox = mailbox;
    s4u::Actor::create(mailbox, peer, &ShadowFarEnd::serve, far)->daemonize();
  }
  far->flows.push_back({direction, size, rate_Bps});
  far->asked->notify_all();
  auto c = post_shadow_end(mailbox, direction == ShadowDirection::FromHere, size);
  c->set_rate(rate_Bps);
  c->start();
  return c;
}

}  // namespace moeplan::engine
