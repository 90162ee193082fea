#include "sim/engine/shadow_flows.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <fmt/format.h>
#include <memory>
#include <simgrid/s4u.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sim/util/check.h"

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

// One end of the shadow flows on one mailbox, on one GPU: a daemon that posts
// its end of each flow asked of it (handing the comm back through `comm` if
// asked), and waits for it to end or be cancelled from the other end or by a
// carry. Waiting matters: SimGrid 3.32 keeps a mailbox comm in its poster's
// list of activities until the poster's wait or test finishes it, and scans
// that list whenever one of the poster's activities ends; shadows posted and
// cancelled by the held ranks' actors piled up there (84 s of step wall time
// at 2048 GPUs, against 1.6 s uncapped). Both ends carry the rate: which end's
// rate SimGrid keeps depends on which posts first (a receive posted first lost
// its rate to the later, rate-less send).
struct ShadowEnd {
  struct Flow {
    bool sends;
    std::uint64_t bytes;
    double rate_Bps;
    std::shared_ptr<s4u::CommPtr> comm;  // filled once posted; may be null
  };
  std::string mailbox;
  s4u::MutexPtr mutex = s4u::Mutex::create();
  s4u::ConditionVariablePtr asked = s4u::ConditionVariable::create();
  std::deque<Flow> flows;

  void ask(Flow flow) {
    flows.push_back(std::move(flow));
    asked->notify_all();
  }

  void serve() {
    for (;;) {
      Flow flow;
      {
        std::unique_lock lock(*mutex);
        while (flows.empty()) asked->wait(lock);
        flow = flows.front();
        flows.pop_front();
      }
      auto c = post_shadow_end(mailbox, flow.sends, flow.bytes);
      c->set_rate(flow.rate_Bps);
      if (flow.comm) *flow.comm = c;
      try {
        c->start();
        c->wait();
      } catch (const simgrid::NetworkFailureException&) {  // cancelled (SimGrid 3.32)
      } catch (const simgrid::CancelException&) {          // the same, as later versions may report it
      }
    }
  }
};

// One carry in progress.
struct ShadowCarrier {
  std::string name;
  s4u::Host* here = nullptr;
  s4u::Host* peer = nullptr;
  std::vector<ShadowFlow> flows;
  double duration_s = 0, end_s = 0;
  std::vector<s4u::Link*> links;  // that its flows use
  s4u::MutexPtr mutex = s4u::Mutex::create();  // observers on several actors may update it at one instant
  bool done = false;
  bool in_model = false;
  bool entered = false;             // ever in the flow model
  double since_s = 0;               // when it last entered or left the flow model
  std::vector<double> left_bytes;   // per flow, as of since_s
  std::vector<std::shared_ptr<s4u::CommPtr>> comms;  // per flow, while in the model
  double rate_Bps(std::size_t i) const { return flows[i].bytes / duration_s; }
};

ShadowEnd& ShadowFlows::end_on(s4u::Host* host, const std::string& mailbox) {
  auto& end = ends_[mailbox + "@" + host->get_name()];
  if (!end) {
    end = std::make_shared<ShadowEnd>();
    end->mailbox = mailbox;
    s4u::Actor::create(mailbox + "@" + host->get_name(), host, &ShadowEnd::serve, end)->daemonize();
  }
  return *end;
}

// SimGrid 3.32 to 3.35 hand a comm's rate (Comm::set_rate) to the network
// model only on the mailbox path: a host-to-host comm (Comm::sendto_init)
// keeps it in the s4u object and runs uncapped.
s4u::CommPtr ShadowFlows::start(const std::string& name, s4u::Host* peer, ShadowDirection direction, double bytes,
                                double rate_Bps) {
  const auto size = static_cast<std::uint64_t>(bytes);
  const auto mailbox = name + "@" + peer->get_name();
  end_on(peer, mailbox).ask({direction == ShadowDirection::ToHere, size, rate_Bps, nullptr});
  auto c = post_shadow_end(mailbox, direction == ShadowDirection::FromHere, size);
  c->set_rate(rate_Bps);
  c->start();
  return c;
}

// The held actor sleeps out the duration; observers move the flows in and
// out of the flow model meanwhile (update). The flows out of its GPU and those
// into it use different links (split-duplex), so each direction is carried
// on its own: an observer sending from the GPU brings in only those going out.
void ShadowFlows::carry(const std::string& name, s4u::Host* peer, const std::vector<ShadowFlow>& flows,
                        double duration_s) {
  if (duration_s <= 0) return;
  std::vector<std::shared_ptr<ShadowCarrier>> carriers;
  for (const auto direction : {ShadowDirection::FromHere, ShadowDirection::ToHere}) {
    auto c = std::make_shared<ShadowCarrier>();
    c->name = name + (direction == ShadowDirection::FromHere ? "o" : "i");
    c->here = s4u::this_actor::get_host();
    c->peer = peer;
    for (const auto& f : flows)
      if (f.direction == direction) c->flows.push_back(f);
    if (c->flows.empty()) continue;
    c->duration_s = duration_s;
    c->since_s = s4u::Engine::get_clock();
    c->end_s = c->since_s + duration_s;
    c->links = direction == ShadowDirection::FromHere ? route(c->here, peer) : route(peer, c->here);
    for (const auto& f : c->flows) c->left_bytes.push_back(f.bytes);
    for (auto* l : c->links) watches_[l].carriers.insert(c);
    carriers.push_back(std::move(c));
  }
  for (auto& c : carriers) update(*c);
  s4u::this_actor::sleep_for(duration_s);
  for (auto& c : carriers) {
    {
      std::unique_lock lock(*c->mutex);
      c->done = true;
      if (c->in_model)
        for (auto& comm : c->comms)
          if (comm && *comm && !(*comm)->test()) (*comm)->cancel();
    }
    for (auto* l : c->links) watches_[l].carriers.erase(c);
    if (!c->entered) ++unobserved_carries_;
  }
}

// In the flow model while observed, out of it otherwise. Out of the model a
// flow is counted as running at its rate (what a capped flow that nothing
// shares a link with does); in it, SimGrid tracks what it has left.
void ShadowFlows::update(ShadowCarrier& c) {
  std::unique_lock lock(*c.mutex);
  if (c.done || s4u::Engine::get_clock() >= c.end_s) return;
  const bool seen = observed(c);
  if (seen && !c.in_model) enter(c);
  // An observer that came and went at one instant leaves them in: the ends
  // posted at that instant may not have met yet, and in or out they moved 0
  // bytes. The next observer change or the end of the carry takes them out.
  else if (!seen && c.in_model && s4u::Engine::get_clock() > c.since_s) leave(c);
}

void ShadowFlows::enter(ShadowCarrier& c) {
  const double now_s = s4u::Engine::get_clock();
  c.comms.assign(c.flows.size(), nullptr);
  for (std::size_t i = 0; i < c.flows.size(); ++i) {
    c.left_bytes[i] = std::max(0.0, c.left_bytes[i] - c.rate_Bps(i) * (now_s - c.since_s));
    if (c.left_bytes[i] < 1) continue;
    const auto size = static_cast<std::uint64_t>(c.left_bytes[i]);
    const bool out = c.flows[i].direction == ShadowDirection::FromHere;
    const auto mailbox = fmt::format("{}-{}@{}", c.name, i, c.peer->get_name());
    c.comms[i] = std::make_shared<s4u::CommPtr>();
    end_on(c.peer, mailbox).ask({!out, size, c.rate_Bps(i), nullptr});
    end_on(c.here, mailbox).ask({out, size, c.rate_Bps(i), c.comms[i]});
  }
  c.in_model = c.entered = true;
  c.since_s = now_s;
  ++entries_;
}

void ShadowFlows::leave(ShadowCarrier& c) {
  c.in_model = false;
  c.since_s = s4u::Engine::get_clock();
  for (std::size_t i = 0; i < c.flows.size(); ++i) {
    if (!c.comms[i]) continue;
    auto comm = *c.comms[i];
    MOEPLAN_CHECK(comm, "shadow flow {}-{} left the flow model before its near end was posted", c.name, i);
    if (comm->test()) {
      c.left_bytes[i] = 0;
    } else {
      c.left_bytes[i] = comm->get_remaining();
      comm->cancel();
    }
  }
  c.comms.clear();
}

const std::vector<s4u::Link*>& ShadowFlows::route(s4u::Host* src, s4u::Host* dst) {
  auto [it, added] = routes_.try_emplace({src, dst});
  if (added) {
    double latency_s = 0;
    src->route_to(dst, it->second, &latency_s);
  }
  return it->second;
}

bool ShadowFlows::observed(const ShadowCarrier& carrier) const {
  return std::any_of(carrier.links.begin(), carrier.links.end(), [&](s4u::Link* l) {
    auto it = watches_.find(l);
    return it != watches_.end() && it->second.observers > 0;
  });
}

// Updates the carriers on links whose observer count goes to or from zero.
void ShadowFlows::watch(const std::vector<s4u::Link*>& links, int change) {
  std::set<std::shared_ptr<ShadowCarrier>> affected;
  for (auto* l : links) {
    auto& w = watches_[l];
    const bool was = w.observers > 0;
    w.observers += change;
    if (was != (w.observers > 0)) affected.insert(w.carriers.begin(), w.carriers.end());
  }
  for (const auto& c : affected) update(*c);  // may yield: `affected` holds them meanwhile
}

ShadowFlows::Observation ShadowFlows::observe(s4u::Host* src, s4u::Host* dst) { return {this, route(src, dst)}; }

ShadowFlows::Observation::Observation(ShadowFlows* owner, std::vector<s4u::Link*> links)
    : owner_(owner), links_(std::move(links)) {
  owner_->watch(links_, +1);
}

ShadowFlows::Observation::Observation(Observation&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), links_(std::move(other.links_)) {}

ShadowFlows::Observation::~Observation() {
  if (owner_) owner_->watch(links_, -1);
}

}  // namespace moeplan::engine
