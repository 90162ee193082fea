#include "sim/engine/collective_replay.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <stdexcept>
#include <string>
#include <tuple>

#include "sim/engine/collectives.h"

namespace moeplan::engine {
namespace {

using program::CollectiveKind;
using program::Op;
using program::OpId;
namespace s4u = simgrid::s4u;

// One member of an isolated measurement, on its GPU: enters `delay_s` after
// the earliest member, runs its part of the collective, and records when it
// left relative to the held rank's entry.
class MeasuredMember {
 public:
  MeasuredMember(CollectiveKind kind, std::string prefix, int me, int n, double bytes, const std::vector<Flow>& flows,
                 double delay_s, double reference_s, double* exit_s)
      : kind_(kind), prefix_(std::move(prefix)), me_(me), n_(n), bytes_(bytes), flows_(&flows), delay_s_(delay_s),
        reference_s_(reference_s), exit_s_(exit_s) {}

  void operator()() const {
    s4u::this_actor::sleep_for(delay_s_);
    run_member(kind_, prefix_, me_, n_, bytes_, *flows_);
    *exit_s_ = s4u::Engine::get_clock() - reference_s_;
  }

 private:
  CollectiveKind kind_;
  std::string prefix_;
  int me_, n_;
  double bytes_;
  const std::vector<Flow>* flows_;
  double delay_s_, reference_s_;
  double* exit_s_;
};

}  // namespace

CollectiveReplay::CollectiveReplay(const program::Program& p, const topology::Topology& t, const cost::CostModel& cost)
    : p_(p), t_(t), cost_(cost), router_(t), previous_(previous_all_to_all()) {}

void CollectiveReplay::add_instance(int instance, int group, const std::vector<OpId>& member_ops) {
  const auto& members = p_.groups[static_cast<std::size_t>(group)].ranks;
  const auto& op = p_.op(member_ops.front());
  Instance inst;
  if (auto before = previous_.find(op.id); before != previous_.end()) inst.predecessor = p_.op(before->second).instance;
  const auto key = std::make_tuple(static_cast<int>(op.collective), shape_of(group), op.traffic,
                                   op.traffic >= 0 ? std::vector<double>{} : op.send_bytes, op.bytes, op.lead);
  auto [it, inserted] = signature_of_.try_emplace(key, static_cast<int>(signatures_.size()));
  if (inserted) signatures_.push_back(make_signature(group, member_ops));
  inst.signature = it->second;
  if (op.collective == CollectiveKind::AllToAll) add_shadow(inst, op, members);
  instances_[instance] = std::move(inst);
}

// For each held all-to-all, the all-to-all whose exits stagger its members'
// entries: the previous one of its chain (same rank, pass, micro-batch and
// direction or chunk; an F&B pair interleaves two chains on one stream). For a
// chain's first, whatever last handed this pass of the micro-batch to the
// rank: the sender's last all-to-all before its PP send when a PP receive came
// last (the previous stage), the rank's own all-to-all when another chunk of
// the same pass came last (DualPipeV's turn at the last rank), or, for a
// backward that starts at the loss, the rank's own forward of the micro-batch.
// Each points back to an all-to-all that started earlier on a FIFO comm
// stream, so the predecessors form no cycle.
std::map<OpId, OpId> CollectiveReplay::previous_all_to_all() const {
  using Chain = std::tuple<int, program::Pass, int, int>;  // rank, pass, micro-batch, direction
  using Message = std::tuple<int, int, int>;               // sender, receiver, tag
  struct Handoff {                                         // what last handed a pass to a rank
    OpId local = -1;                                       // an all-to-all of the rank's
    Message recv{-1, -1, -1};                              // or a PP receive
  };
  auto direction = [](program::Pass p) { return p == program::Pass::F ? 0 : 1; };
  std::map<Chain, OpId> last;
  std::map<Message, OpId> before_send;                  // the sender's last all-to-all of that pass
  std::vector<std::pair<OpId, Handoff>> firsts;
  std::map<OpId, OpId> prev;
  for (int r : p_.present_ranks()) {
    std::map<std::pair<int, int>, Handoff> handoff;  // (forward/backward, micro-batch)
    for (auto id : p_.by_rank[static_cast<std::size_t>(r)]) {
      const auto& op = p_.op(id);
      const std::pair<int, int> key{direction(op.pass), op.microbatch};
      if (op.type == program::OpType::Send) {
        if (auto h = handoff.find(key); h != handoff.end() && h->second.local >= 0)
          before_send[{r, op.peer, op.tag}] = h->second.local;
        continue;
      }
      if (op.type == program::OpType::Recv) {
        handoff[key] = Handoff{-1, {op.peer, r, op.tag}};
        continue;
      }
      if (op.type != program::OpType::Collective || op.collective != CollectiveKind::AllToAll) continue;
      const Chain chain{r, op.pass, op.microbatch, op.dir};
      if (auto it = last.find(chain); it != last.end()) prev[id] = it->second;
      else firsts.emplace_back(id, handoff[key]);
      last[chain] = id;
      handoff[key] = Handoff{id, {-1, -1, -1}};
    }
  }
  for (const auto& [id, from] : firsts) {
    const auto& op = p_.op(id);
    if (from.local >= 0) {
      prev[id] = from.local;
    } else if (std::get<0>(from.recv) >= 0) {
      if (auto s = before_send.find(from.recv); s != before_send.end()) prev[id] = s->second;
    } else if (op.pass == program::Pass::Bi) {
      if (auto f = last.find({op.rank, program::Pass::F, op.microbatch, op.dir}); f != last.end()) prev[id] = f->second;
    }
  }
  return prev;
}

// Groups whose members see the same hop counts between each other are
// equivalent for the flow model on symmetric fabrics: they share one shape id.
int CollectiveReplay::shape_of(int group) {
  if (auto it = group_shape_.find(group); it != group_shape_.end()) return it->second;
  const auto& members = p_.groups[static_cast<std::size_t>(group)].ranks;
  std::vector<int> hops;
  for (int a : members)
    for (int b : members) hops.push_back(router_.hops(gpu(a), gpu(b)));
  auto [it, inserted] = shape_ids_.try_emplace(std::move(hops), static_cast<int>(shape_ids_.size()));
  return group_shape_[group] = it->second;
}

CollectiveReplay::Signature CollectiveReplay::make_signature(int group, const std::vector<OpId>& member_ops) {
  const auto& held = p_.op(member_ops.front());
  Signature s{held.collective, held.bytes, {}, {}, {}, -1};
  for (int r : p_.groups[static_cast<std::size_t>(group)].ranks) s.gpus.push_back(gpu(r));
  if (held.collective == CollectiveKind::AllToAll) {
    s.flows = instance_flows(p_, t_, group, member_ops);
    if (held.lead >= 0) {
      const auto& l = p_.leads[static_cast<std::size_t>(held.lead)];
      for (std::size_t i = 0; i < l.flops.size(); ++i) {
        Op work;
        work.part = program::Part::RoutedExperts;
        work.flops = l.flops[i];
        work.bytes = l.bytes[i];
        work.dtype = l.dtype;
        s.lead_s.push_back(cost_.compute_seconds(work));
      }
    }
  }
  for (int g : s.gpus) gpus_.insert(g);
  for (const auto& pair : collective_pairs(s.kind, s.gpus, s.flows)) pairs_.insert(pair);
  return s;
}

// While a replayed all-to-all runs, the held GPU's NIC carries its share of
// the group's inter-node traffic in the step; PP transfers overlapping it
// (DualPipe overlaps them by design) must share that NIC. Shadow flows of
// those bytes, rate-bounded to last the replay, stand in for it.
void CollectiveReplay::add_shadow(Instance& inst, const Op& held, const std::vector<int>& members) {
  auto node_of = [&](int member) { return t_.graph()[t_.gpu_vertex(gpu(members[static_cast<std::size_t>(member)]))].node; };
  const int h = static_cast<int>(std::find(members.begin(), members.end(), held.rank) - members.begin());
  for (const auto& f : signatures_[static_cast<std::size_t>(inst.signature)].flows) {
    if (node_of(f.src) == node_of(f.dst) || f.bytes <= 0) continue;
    if (f.src == h) inst.shadow_out.push_back(f.bytes);
    if (f.dst == h) inst.shadow_in.push_back(f.bytes);
  }
  if (inst.shadow_out.empty() && inst.shadow_in.empty()) return;
  const auto me = t_.graph()[t_.gpu_vertex(gpu(held.rank))];
  for (std::size_t i = 0; i < members.size(); ++i) {  // a GPU on another node, same rail if there is one
    const auto v = t_.graph()[t_.gpu_vertex(gpu(members[i]))];
    if (v.node == me.node) continue;
    if (inst.shadow_peer < 0 || v.local == me.local) inst.shadow_peer = gpu(members[i]);
    if (v.local == me.local) break;
  }
  if (inst.shadow_peer < 0) return;
  has_shadows_ = true;
  gpus_.insert(inst.shadow_peer);
  pairs_.insert({gpu(held.rank), inst.shadow_peer});
  pairs_.insert({inst.shadow_peer, gpu(held.rank)});
}

// Each instance needs its predecessor's measurement first. The chains run
// through a whole pass (tens of thousands of instances with DualPipeV at
// scale), so they are walked, not recursed: a recursion that deep overflows
// the actor's stack.
void CollectiveReplay::measure_all(const Platform& platform) {
  for (const auto& [id, first] : instances_) {
    std::vector<int> chain;  // unmeasured, newest first
    std::set<int> seen;
    for (int at = id; at >= 0 && instances_.count(at) && instances_.at(at).measurement < 0;
         at = instances_.at(at).predecessor) {
      if (!seen.insert(at).second)
        throw std::logic_error(fmt::format("collective replay: instance {} is its own predecessor", at));
      chain.push_back(at);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) measure_instance(*it, platform);
  }
}

double CollectiveReplay::duration_s(int instance) const {
  return measurements_[static_cast<std::size_t>(instances_.at(instance).measurement)].duration_s;
}

// The instance's measurement: entry offsets from its predecessor's exits
// and its members' leads, quantised, measured once per distinct pattern.
// measure_all has measured the predecessor already.
int CollectiveReplay::measure_instance(int id, const Platform& platform) {
  auto& inst = instances_.at(id);
  if (inst.measurement >= 0) return inst.measurement;
  auto& sig = signatures_[static_cast<std::size_t>(inst.signature)];
  const auto n = sig.gpus.size();
  std::vector<double> entry(n, 0.0);  // relative to the last to enter
  auto add_relative = [&](const std::vector<double>& v) {
    if (v.size() != n) return;
    const double last = *std::max_element(v.begin(), v.end());
    for (std::size_t i = 0; i < n; ++i) entry[i] += v[i] - last;
  };
  if (inst.predecessor >= 0 && instances_.count(inst.predecessor)) {
    const int before = instances_.at(inst.predecessor).measurement;
    if (before < 0) throw std::logic_error(fmt::format("collective replay: instance {} measured before its predecessor", id));
    add_relative(measurements_[static_cast<std::size_t>(before)].exit_s);
  }
  add_relative(sig.lead_s);
  // Unstaggered first: it sets the quantum, and a stagger that rounds away reuses it.
  if (sig.alone < 0)
    sig.alone = measurement(inst.signature, std::vector<std::int64_t>(n, 0), std::vector<double>(n, 0.0), platform);
  const double quantum = std::max(kStaggerQuantum * measurements_[static_cast<std::size_t>(sig.alone)].duration_s, 1e-9);
  std::vector<std::int64_t> steps(n);
  const double last = *std::max_element(entry.begin(), entry.end());
  for (std::size_t i = 0; i < n; ++i) {
    steps[i] = std::llround((entry[i] - last) / quantum);
    entry[i] = static_cast<double>(steps[i]) * quantum;
  }
  return inst.measurement = measurement(inst.signature, steps, entry, platform);
}

// The measurement of `signature` with entries `entry` (`steps` quanta each),
// run once per distinct pattern.
int CollectiveReplay::measurement(int signature, const std::vector<std::int64_t>& steps, const std::vector<double>& entry,
                                  const Platform& platform) {
  auto [it, added] = measurement_of_.try_emplace({signature, steps}, static_cast<int>(measurements_.size()));
  if (added) measurements_.push_back(measure(signatures_[static_cast<std::size_t>(signature)], entry, platform));
  return it->second;
}

// Runs the signature's collective alone, one MeasuredMember per member.
CollectiveReplay::Measurement CollectiveReplay::measure(const Signature& sig, const std::vector<double>& entry,
                                                        const Platform& platform) {
  const int n = static_cast<int>(sig.gpus.size());
  const double earliest = *std::min_element(entry.begin(), entry.end());
  const double reference_s = s4u::Engine::get_clock() - earliest;  // the held rank's entry
  Measurement m;
  m.exit_s.assign(static_cast<std::size_t>(n), 0.0);
  const int label = static_cast<int>(measurements_.size());
  std::vector<s4u::ActorPtr> members;
  for (int i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    members.push_back(s4u::Actor::create(
        fmt::format("m{}-{}", label, i), platform.host(sig.gpus[u]),
        MeasuredMember(sig.kind, fmt::format("m{}", label), i, n, sig.bytes, sig.flows, entry[u] - earliest,
                       reference_s, &m.exit_s[u])));
  }
  for (auto& a : members) a->join();
  m.duration_s = std::max(0.0, s4u::Engine::get_clock() - reference_s);
  return m;
}

// The held rank waits the measured duration. One shadow per real flow
// crossing its NIC, each capped to last that long: max-min sharing then gives
// a PP transfer on the NIC the share it would get among the all-to-all's flows.
// The shadows enter the flow model only while such a transfer is in flight
// (ShadowFlows::carry).
void CollectiveReplay::replay(int instance, const Op& held, const Platform& platform) {
  const auto& inst = instances_.at(instance);
  const double d = duration_s(instance);
  if (d <= 0 || inst.shadow_peer < 0) {
    s4u::this_actor::sleep_for(d);
    return;
  }
  std::vector<ShadowFlow> flows;
  for (const double b : inst.shadow_out) flows.push_back({ShadowDirection::FromHere, b});
  for (const double b : inst.shadow_in) flows.push_back({ShadowDirection::ToHere, b});
  // Named by rank and stream: a stream replays one collective at a time, so
  // names are unique among the carries in progress, and reusing them keeps
  // SimGrid's mailboxes (never freed) to a few per stream.
  shadow_flows_.carry(fmt::format("s{}-{}", held.rank, static_cast<int>(held.stream)),
                      platform.host(inst.shadow_peer), flows, d);
}

}  // namespace moeplan::engine
