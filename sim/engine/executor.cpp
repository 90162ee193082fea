#include "sim/engine/executor.h"

#include <fmt/format.h>
#include <chrono>
#include <map>
#include <set>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include "sim/engine/collectives.h"
#include "sim/engine/platform.h"
#include "sim/program/program_index.h"
#include "sim/topology/routing.h"
#include "sim/util/check.h"

namespace moeplan::engine {
namespace {

using program::CollectiveKind;
using program::Op;
using program::OpId;
using program::OpType;
namespace s4u = simgrid::s4u;


// A collective as the executor sees it.
struct Instance {
  int group = -1;
  std::vector<OpId> member_ops;  // held members' ops
  bool live = false;             // every member held: run flow by flow
  int signature = -1;            // otherwise: what it moves (Signature)
  int predecessor = -1;          // instance whose exits stagger its entries; -1: none
  int measurement = -1;          // its isolated measurement (Measurement)
  std::vector<Flow> flows;       // live all-to-all: its flows
  // Replayed all-to-all: the held member's inter-node flows out and in (bytes
  // each), and a GPU on another node to carry them as shadow flows.
  std::vector<double> shadow_out, shadow_in;
  int shadow_peer = -1;
};

// What a replayed collective moves, and the routed-expert work each member
// does right before it (`lead_s`, from the op's program::Lead).
struct Signature {
  CollectiveKind kind;
  double bytes = 0;
  std::vector<Flow> flows;       // all-to-all
  std::vector<int> gpus;         // the group measured
  std::vector<double> lead_s;    // per member
  double alone_s = -1;           // measured with every member entering together
};

// An isolated measurement of a signature with members entering staggered as
// they would in the step: by how much earlier than the last they left the
// predecessor (the previous all-to-all of the pass, or for a pass's first one
// the previous stage's) plus how much less expert work they did in between.
// The held rank stands for the last to enter; `duration_s` runs from its
// entry to the end. Staggers are quantised (Executor::kStaggerQuantum of the
// unstaggered duration) so that repeating patterns share one measurement.
struct Measurement {
  std::vector<double> exit_s;  // per member: leaving time relative to the held rank's entry
  double duration_s = 0;
};

struct StreamWaiter {
  s4u::MutexPtr mutex;
  s4u::ConditionVariablePtr cv;
};

class Executor {
 public:
  Executor(const program::Program& p, const topology::Topology& t, const cost::CostModel& cost,
           const EngineOptions& opt)
      : p_(p), t_(t), cost_(cost), opt_(opt), router_(t), index_(p) {}

  SimOutput run() {
    index_dependencies();
    index_collectives();
    build_platform();
    s4u::Actor::create("conductor", platform_->host(*gpus_.begin()), [this] { conduct(); });
    const auto wall0 = std::chrono::steady_clock::now();
    s4u::Engine::get_instance()->run();
    out_.stats.step_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count() -
                             out_.stats.measurement_wall_s;
    check_all_done();
    out_.makespan_s = makespan_;
    out_.trace.source = "simgrid";
    out_.stats.ops = p_.ops.size();
    out_.stats.routes = platform_->route_count();
    return std::move(out_);
  }

 private:
  // ---- indexing (pairs, successors, stream orders and instances: the program's index) ----
  void index_dependencies() {
    const auto n = p_.ops.size();
    remaining_.assign(n, 0);
    done_.assign(n, false);
    waiter_of_.assign(n, -1);
    for (const auto& op : p_.ops) {
      remaining_[static_cast<std::size_t>(op.id)] = static_cast<int>(op.deps.size());
      if (op.type == OpType::Recv)
        MOEPLAN_CHECK(op.deps.empty(), "recv op {} has dependencies; receives are posted eagerly", op.id);
    }
    for (int r : p_.present_ranks()) {
      for (int s = 0; s < program::kStreamCount; ++s) {
        const int w = static_cast<int>(streams_.size());
        streams_.push_back({r, s, {}});
        waiters_.push_back({});
        for (auto id : index_.stream_ops(r, static_cast<program::Stream>(s))) {
          const auto& op = p_.op(id);
          if (op.type == OpType::Send || op.type == OpType::Recv) continue;
          streams_.back().ops.push_back(id);
          waiter_of_[static_cast<std::size_t>(id)] = w;
        }
      }
      gpus_.insert(p_.rank_gpu[static_cast<std::size_t>(r)]);
    }
  }

  void index_collectives() {
    std::map<int, Instance> by_instance;
    for (const int id : index_.instances()) {
      auto& inst = by_instance[id];
      inst.group = index_.group_of(id);
      for (const OpId o : index_.members(id))
        if (o >= 0) inst.member_ops.push_back(o);
      std::sort(inst.member_ops.begin(), inst.member_ops.end());  // creation order: the first stands for the rest
    }
    const auto previous = previous_all_to_all();
    std::map<std::tuple<int, int, int, std::vector<double>, double, int>, int> signature_of;
    for (auto& [id, inst] : by_instance) {
      const auto& members = p_.groups[static_cast<std::size_t>(inst.group)].ranks;
      const auto& op = p_.op(inst.member_ops.front());
      inst.live = inst.member_ops.size() == members.size();
      if (inst.live) {
        ++out_.stats.live_collectives;
        for (int r : members) gpus_.insert(gpu(r));
        if (op.collective == CollectiveKind::AllToAll) inst.flows = flows_of(inst.group, traffic_of(inst));
        add_collective_pairs(op.collective, members_gpus(members), inst.flows);
      } else {
        ++out_.stats.replayed_collectives;
        if (auto before = previous.find(op.id); before != previous.end()) inst.predecessor = p_.op(before->second).instance;
        const auto key = std::make_tuple(static_cast<int>(op.collective), shape_of(inst.group), op.traffic,
                                         op.traffic >= 0 ? std::vector<double>{} : op.send_bytes, op.bytes, op.lead);
        auto [it, inserted] = signature_of.try_emplace(key, static_cast<int>(signatures_.size()));
        if (inserted) signatures_.push_back(make_signature(inst, op, members));
        inst.signature = it->second;
        if (op.collective == CollectiveKind::AllToAll) add_shadow(inst, op, members);
      }
      for (auto o : inst.member_ops) instance_of_op_[o] = id;
    }
    instances_ = std::move(by_instance);
  }

  // For each held all-to-all, the all-to-all whose exits stagger its members'
  // entries: the previous one of its chain (same rank, pass, micro-batch and
  // direction; an F&B pair interleaves two chains on one stream); for a
  // chain's first, the last one of the same chain on the rank that sent this
  // pass its PP input (the previous stage), or, for a backward that starts at
  // the loss, the rank's own forward of the micro-batch.
  std::map<OpId, OpId> previous_all_to_all() const {
    using Chain = std::tuple<int, program::Pass, int, int>;  // rank, pass, micro-batch, direction
    std::map<Chain, OpId> last;
    std::map<Chain, int> pp_sender;
    std::map<OpId, OpId> prev;
    std::vector<OpId> firsts;
    for (int r : p_.present_ranks())
      for (auto id : p_.by_rank[static_cast<std::size_t>(r)]) {
        const auto& op = p_.op(id);
        const Chain chain{r, op.pass, op.microbatch, op.dir};
        if (op.type == OpType::Recv) pp_sender[chain] = op.peer;
        if (op.type != OpType::Collective || op.collective != CollectiveKind::AllToAll) continue;
        if (auto it = last.find(chain); it != last.end()) prev[id] = it->second;
        else firsts.push_back(id);
        last[chain] = id;
      }
    for (const OpId id : firsts) {
      const auto& op = p_.op(id);
      std::map<Chain, OpId>::const_iterator up = last.end();
      if (auto s = pp_sender.find({op.rank, op.pass, op.microbatch, op.dir}); s != pp_sender.end())
        up = last.find({s->second, op.pass, op.microbatch, op.dir});
      else if (op.pass == program::Pass::Bi)
        up = last.find({op.rank, program::Pass::F, op.microbatch, op.dir});
      if (up != last.end()) prev[id] = up->second;
    }
    return prev;
  }

  // Groups whose members see the same hop counts between each other are
  // equivalent for the flow model on symmetric fabrics: they share one shape id.
  int shape_of(int group) {
    if (auto it = group_shape_.find(group); it != group_shape_.end()) return it->second;
    const auto& members = p_.groups[static_cast<std::size_t>(group)].ranks;
    std::vector<int> hops;
    for (int a : members)
      for (int b : members) hops.push_back(router_.hops(gpu(a), gpu(b)));
    auto [it, inserted] = shape_ids_.try_emplace(std::move(hops), static_cast<int>(shape_ids_.size()));
    return group_shape_[group] = it->second;
  }

  // The traffic of an all-to-all instance, as the program's index gives it
  // (ProgramIndex::all_to_all_traffic: the whole-group matrix, else the held
  // members' rows with the others rotated from the first's).
  program::Traffic traffic_of(const Instance& inst) const {
    return index_.all_to_all_traffic(p_, p_.op(inst.member_ops.front()).instance);
  }

  std::vector<Flow> flows_of(int group, const program::Traffic& t) const {
    std::vector<MemberPlace> places;
    std::map<int, int> node_ordinal;
    for (int r : p_.groups[static_cast<std::size_t>(group)].ranks) {
      const auto v = t_.gpu_vertex(gpu(r));
      const int node = t_.graph()[v].node;
      const int ordinal = node_ordinal.try_emplace(node, static_cast<int>(node_ordinal.size())).first->second;
      places.push_back({ordinal, t_.graph()[v].local});
    }
    return all_to_all_flows(t, p_.all_to_all, places);
  }

  Signature make_signature(const Instance& inst, const Op& held, const std::vector<int>& members) {
    Signature s{held.collective, held.bytes, {}, members_gpus(members), {}, -1.0};
    if (held.collective == CollectiveKind::AllToAll) {
      s.flows = flows_of(inst.group, traffic_of(inst));
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
    add_collective_pairs(s.kind, s.gpus, s.flows);
    return s;
  }

  // While a replayed all-to-all runs, the held GPU's NIC carries its share of
  // the group's inter-node traffic in the step; PP transfers overlapping it
  // (DualPipe overlaps them by design) must share that NIC. Shadow flows of
  // those bytes, rate-bounded to last the replay, stand in for it.
  void add_shadow(Instance& inst, const Op& held, const std::vector<int>& members) {
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
    gpus_.insert(inst.shadow_peer);
    pairs_.insert({gpu(held.rank), inst.shadow_peer});
    pairs_.insert({inst.shadow_peer, gpu(held.rank)});
  }

  void add_collective_pairs(CollectiveKind kind, const std::vector<int>& g, const std::vector<Flow>& flows) {
    const std::size_t n = g.size();
    if (kind == CollectiveKind::AllToAll) {
      for (const auto& f : flows) pairs_.insert({g[static_cast<std::size_t>(f.src)], g[static_cast<std::size_t>(f.dst)]});
      return;
    }
    for (std::size_t i = 0; i < n; ++i) pairs_.insert({g[i], g[(i + 1) % n]});
  }

  void build_platform() {
    for (const auto& op : p_.ops)
      if (op.type == OpType::Send && !p_.by_rank[static_cast<std::size_t>(op.peer)].empty())
        pairs_.insert({gpu(op.rank), gpu(op.peer)});
    platform_ = std::make_unique<Platform>(t_, gpus_, pairs_);
  }

  // ---- the run --------------------------------------------------------------------
  // Phase 1: measure each replayed collective alone (shared measurements).
  // Phase 2: run the step.
  void conduct() {
    const double t0 = s4u::Engine::get_clock();
    const auto wall0 = std::chrono::steady_clock::now();
    for (auto& [id, inst] : instances_)
      if (!inst.live) measure_instance(id);
    out_.stats.measured_signatures = measurements_.size();
    out_.stats.measurement_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    start_ = s4u::Engine::get_clock();
    out_.stats.measurement_sim_s = start_ - t0;
    for (std::size_t w = 0; w < streams_.size(); ++w) {
      waiters_[w] = {s4u::Mutex::create(), s4u::ConditionVariable::create()};
      const auto& st = streams_[w];
      if (st.ops.empty()) continue;
      s4u::Actor::create(fmt::format("r{}-{}", st.rank, st.stream), platform_->host(gpu(st.rank)),
                         [this, w] { run_stream(static_cast<int>(w)); });
    }
    for (const auto& op : p_.ops)
      if (op.type == OpType::Send && remaining_[static_cast<std::size_t>(op.id)] == 0) start_transfer(op.id);
  }

  // Staggers below this fraction of a collective's unstaggered duration are
  // rounded away (and larger ones to a multiple of it): a repeating pattern
  // then reuses one measurement, at an error below half the quantum.
  static constexpr double kStaggerQuantum = 0.01;

  // The instance's measurement: entry offsets from its predecessor's exits
  // and its members' leads, quantised, measured once per distinct pattern.
  int measure_instance(int id) {
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
    if (inst.predecessor >= 0 && instances_.count(inst.predecessor) && !instances_.at(inst.predecessor).live)
      add_relative(measurements_[static_cast<std::size_t>(measure_instance(inst.predecessor))].exit_s);
    add_relative(sig.lead_s);
    if (sig.alone_s < 0) sig.alone_s = measure(sig, std::vector<double>(n, 0.0)).duration_s;
    const double quantum = std::max(kStaggerQuantum * sig.alone_s, 1e-9);
    std::vector<std::int64_t> steps(n);
    const double last = *std::max_element(entry.begin(), entry.end());
    for (std::size_t i = 0; i < n; ++i) {
      steps[i] = std::llround((entry[i] - last) / quantum);
      entry[i] = static_cast<double>(steps[i]) * quantum;
    }
    auto [it, added] = measurement_of_.try_emplace({inst.signature, steps}, static_cast<int>(measurements_.size()));
    if (added) measurements_.push_back(measure(sig, entry));
    return inst.measurement = it->second;
  }

  Measurement measure(const Signature& sig, const std::vector<double>& entry) {
    const int n = static_cast<int>(sig.gpus.size());
    const double earliest = *std::min_element(entry.begin(), entry.end());
    const double reference = s4u::Engine::get_clock() - earliest;  // the held rank's entry
    Measurement m;
    m.exit_s.assign(static_cast<std::size_t>(n), 0.0);
    const int label = static_cast<int>(measurements_.size());
    std::vector<s4u::ActorPtr> actors;
    for (int i = 0; i < n; ++i)
      actors.push_back(s4u::Actor::create(fmt::format("m{}-{}", label, i), platform_->host(sig.gpus[static_cast<std::size_t>(i)]),
                                          [&sig, &entry, &m, label, i, n, earliest, reference] {
                                            s4u::this_actor::sleep_for(entry[static_cast<std::size_t>(i)] - earliest);
                                            run_member(sig.kind, fmt::format("m{}", label), i, n, sig.bytes, sig.flows);
                                            m.exit_s[static_cast<std::size_t>(i)] = s4u::Engine::get_clock() - reference;
                                          }));
    for (auto& a : actors) a->join();
    m.duration_s = std::max(0.0, s4u::Engine::get_clock() - reference);
    return m;
  }

  void run_stream(int w) {
    const auto& st = streams_[static_cast<std::size_t>(w)];
    auto& waiter = waiters_[static_cast<std::size_t>(w)];
    for (auto id : st.ops) {
      wait_ready(waiter, id);
      const double begin = s4u::Engine::get_clock();
      const auto& op = p_.op(id);
      if (op.type == OpType::Compute) {
        const double seconds = cost_.compute_seconds(op);
        if (seconds > 0) s4u::this_actor::execute(seconds * kHostSpeed);
      } else {
        run_collective(op);
      }
      complete(id, begin, s4u::Engine::get_clock());
    }
  }

  // Communication kernels hold `comm_sms` of the GPU's SMs while any of the
  // rank's collectives run: an exec bounded to that share of the host's
  // speed competes (max-min fair) with the compute execs on the same host.
  void hold_comm_sms(int rank, bool hold) {
    if (p_.comm_sms <= 0) return;
    auto& h = sm_holders_[rank];
    if (hold && h.active++ == 0) {
      const double share = static_cast<double>(p_.comm_sms) / cost_.gpu().sms;
      h.exec = s4u::this_actor::exec_init(1e30)->set_bound(kHostSpeed * share);
      h.exec->start();
    } else if (!hold && --h.active == 0) {
      h.exec->cancel();
      h.exec = nullptr;
    }
  }

  void run_collective(const Op& op) {
    hold_comm_sms(op.rank, true);
    run_collective_algorithm(op);
    hold_comm_sms(op.rank, false);
  }

  void run_collective_algorithm(const Op& op) {
    const auto& inst = instances_.at(instance_of_op_.at(op.id));
    if (!inst.live) {
      const double d = measurements_[static_cast<std::size_t>(inst.measurement)].duration_s;
      // One shadow per real flow: max-min sharing gives a PP transfer on the
      // NIC the share it would get among the all-to-all's flows.
      std::vector<s4u::CommPtr> shadows;
      auto shadow = [&](int from, int to, double bytes) {
        // The rate first: a comm whose hosts and size are set starts by itself.
        auto c = s4u::Comm::sendto_init();
        c->set_rate(bytes / d);
        c->set_source(platform_->host(from));
        c->set_destination(platform_->host(to));
        c->set_payload_size(static_cast<std::uint64_t>(bytes));
        c->start();
        shadows.push_back(c);
      };
      if (d > 0 && inst.shadow_peer >= 0) {
        for (const double b : inst.shadow_out) shadow(gpu(op.rank), inst.shadow_peer, b);
        for (const double b : inst.shadow_in) shadow(inst.shadow_peer, gpu(op.rank), b);
      }
      s4u::this_actor::sleep_for(d);
      for (auto& c : shadows)
        if (!c->test()) c->cancel();
      return;
    }
    const auto& members = p_.groups[static_cast<std::size_t>(inst.group)].ranks;
    const int me = static_cast<int>(std::find(members.begin(), members.end(), op.rank) - members.begin());
    run_member(op.collective, fmt::format("i{}", op.instance), me, static_cast<int>(members.size()), op.bytes,
               inst.flows);
  }

  void wait_ready(StreamWaiter& w, OpId id) {
    if (remaining_[static_cast<std::size_t>(id)] == 0) return;
    std::unique_lock lock(*w.mutex);
    while (remaining_[static_cast<std::size_t>(id)] > 0) w.cv->wait(lock);
  }

  void start_transfer(OpId send_id) {
    const auto& op = p_.op(send_id);
    ++out_.stats.transfers;
    s4u::Actor::create(fmt::format("x{}", send_id), platform_->host(gpu(op.rank)), [this, send_id] {
      const auto& send = p_.op(send_id);
      const double begin = s4u::Engine::get_clock();
      const OpId recv = index_.partner(send_id);  // -1: the peer rank is not held
      if (recv >= 0)
        s4u::Comm::sendto(platform_->host(gpu(send.rank)), platform_->host(gpu(send.peer)),
                          static_cast<std::uint64_t>(send.bytes));
      const double end = s4u::Engine::get_clock();
      complete(send_id, begin, end);
      if (recv >= 0) complete(recv, begin, end);
    });
  }

  void complete(OpId id, double begin, double end) {
    const auto i = static_cast<std::size_t>(id);
    MOEPLAN_CHECK(!done_[i], "op {} completed twice", id);
    done_[i] = true;
    const auto& op = p_.op(id);
    out_.trace.records.push_back({id, op.rank, op.stream, begin - start_, end - start_});
    makespan_ = std::max(makespan_, end - start_);
    for (auto succ : index_.successors(id)) {
      if (--remaining_[static_cast<std::size_t>(succ)] > 0) continue;
      if (p_.op(succ).type == OpType::Send) {
        start_transfer(succ);
      } else if (const int w = waiter_of_[static_cast<std::size_t>(succ)]; w >= 0) {
        waiters_[static_cast<std::size_t>(w)].cv->notify_all();
      }
    }
    ++completed_;
    if (opt_.progress && completed_ * 20 / p_.ops.size() != (completed_ - 1) * 20 / p_.ops.size())
      opt_.progress(static_cast<double>(completed_) / static_cast<double>(p_.ops.size()));
  }

  void check_all_done() const {
    for (const auto& st : streams_)
      for (auto id : st.ops)
        MOEPLAN_CHECK(done_[static_cast<std::size_t>(id)],
                      "simulation ended with rank {} stream {} stuck at op {} ({} dependencies unmet): the program "
                      "deadlocks", st.rank, st.stream, id, remaining_[static_cast<std::size_t>(id)]);
  }

  static void run_member(CollectiveKind kind, const std::string& prefix, int me, int n, double bytes,
                         const std::vector<Flow>& flows) {
    if (kind == CollectiveKind::AllToAll) run_flows_member(prefix, me, flows);
    else run_ring_member(kind, prefix, me, n, bytes);
  }

  int gpu(int rank) const { return p_.rank_gpu[static_cast<std::size_t>(rank)]; }
  std::vector<int> members_gpus(const std::vector<int>& ranks) const {
    std::vector<int> g;
    for (int r : ranks) g.push_back(gpu(r));
    return g;
  }

  struct StreamOps {
    int rank;
    int stream;
    std::vector<OpId> ops;
  };

  const program::Program& p_;
  const topology::Topology& t_;
  const cost::CostModel& cost_;
  EngineOptions opt_;
  topology::Router router_;
  program::ProgramIndex index_;
  std::vector<int> remaining_;
  std::vector<bool> done_;
  std::vector<int> waiter_of_;
  std::vector<StreamOps> streams_;
  std::vector<StreamWaiter> waiters_;
  std::map<int, Instance> instances_;
  std::unordered_map<OpId, int> instance_of_op_;
  std::vector<Signature> signatures_;
  std::vector<Measurement> measurements_;
  std::map<std::pair<int, std::vector<std::int64_t>>, int> measurement_of_;
  std::map<int, int> group_shape_;
  std::map<std::vector<int>, int> shape_ids_;
  std::set<int> gpus_;
  std::set<std::pair<int, int>> pairs_;
  std::unique_ptr<Platform> platform_;
  struct SmHolder {
    int active = 0;
    s4u::ExecPtr exec;
  };
  std::map<int, SmHolder> sm_holders_;
  SimOutput out_;
  double start_ = 0, makespan_ = 0;
  std::size_t completed_ = 0;
};

}  // namespace

SimOutput run_program(const program::Program& p, const topology::Topology& t, const cost::CostModel& cost,
                      const EngineOptions& opt) {
  int argc = 1;
  char name[] = "moeplan";
  char* argv[] = {name, nullptr};
  xbt_log_control_set("root.thresh:critical");
  s4u::Engine engine(&argc, argv);
  configure_network_model();
  return Executor(p, t, cost, opt).run();
}

}  // namespace moeplan::engine
