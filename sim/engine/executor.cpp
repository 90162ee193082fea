#include "sim/engine/executor.h"

#include <fmt/format.h>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include "sim/engine/collective_replay.h"
#include "sim/engine/collectives.h"
#include "sim/engine/platform.h"
#include "sim/program/program_index.h"
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
  bool live = false;             // every member held: run flow by flow; otherwise replayed (CollectiveReplay)
  std::vector<Flow> flows;       // live all-to-all: its flows
};

struct StreamWaiter {
  s4u::MutexPtr mutex;
  s4u::ConditionVariablePtr cv;
};

class Executor {
 public:
  Executor(const program::Program& p, const topology::Topology& t, const cost::CostModel& cost,
           const EngineOptions& opt)
      : p_(p), t_(t), cost_(cost), opt_(opt), index_(p), replay_(p, t, cost) {}

  SimOutput run() {
    index_dependencies();
    index_collectives();
    build_platform();
    s4u::Actor::create("conductor", platform_->host(*gpus_.begin()), &Executor::conduct, this);
    const auto wall0 = std::chrono::steady_clock::now();
    s4u::Engine::get_instance()->run();
    out_.stats.step_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count() -
                             out_.stats.measurement_wall_s;
    check_all_done();
    out_.link_loads = platform_->link_loads();
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
    // The eager runtime's host timeline (cost/eager_launch.h), per rank.
    if (const auto& l = cost_.eager_launch()) host_enqueued_ = cost::host_enqueue_ends(p_, *l, 0, static_cast<program::OpId>(n));
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
    for (auto& [id, inst] : by_instance) {
      const auto& members = p_.groups[static_cast<std::size_t>(inst.group)].ranks;
      const auto& op = p_.op(inst.member_ops.front());
      inst.live = inst.member_ops.size() == members.size();
      if (inst.live) {
        ++out_.stats.live_collectives;
        for (int r : members) gpus_.insert(gpu(r));
        if (op.collective == CollectiveKind::AllToAll) inst.flows = instance_flows(p_, t_, inst.group, inst.member_ops);
        for (const auto& pair : collective_pairs(op.collective, members_gpus(members), inst.flows)) pairs_.insert(pair);
      } else {
        ++out_.stats.replayed_collectives;
        replay_.add_instance(id, inst.group, inst.member_ops);
      }
      for (auto o : inst.member_ops) instance_of_op_[o] = id;
    }
    instances_ = std::move(by_instance);
  }

  void build_platform() {
    for (const auto& op : p_.ops)
      if (op.type == OpType::Send && !p_.by_rank[static_cast<std::size_t>(op.peer)].empty())
        pairs_.insert({gpu(op.rank), gpu(op.peer)});
    gpus_.insert(replay_.gpus().begin(), replay_.gpus().end());
    pairs_.insert(replay_.pairs().begin(), replay_.pairs().end());
    platform_ = std::make_unique<Platform>(t_, gpus_, pairs_);
  }

  // ---- the run --------------------------------------------------------------------
  // Actors: the conductor (one), a stream runner per (rank, stream), a
  // transfer per point-to-point send; collective members are in
  // collectives.h, measurements and shadow flows in collective_replay.h.

  // The conductor. Phase 1: measure each replayed collective alone (shared
  // measurements). Phase 2: start the step's streams and ready transfers.
  void conduct() {
    const double t0 = s4u::Engine::get_clock();
    const auto wall0 = std::chrono::steady_clock::now();
    replay_.measure_all(*platform_);
    out_.stats.measured_signatures = replay_.measurement_count();
    out_.stats.measurement_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    start_ = s4u::Engine::get_clock();
    platform_->reset_link_loads();
    out_.stats.measurement_sim_s = start_ - t0;
    for (std::size_t w = 0; w < streams_.size(); ++w) {
      waiters_[w] = {s4u::Mutex::create(), s4u::ConditionVariable::create()};
      const auto& st = streams_[w];
      if (st.ops.empty()) continue;
      s4u::Actor::create(fmt::format("r{}-{}", st.rank, st.stream), platform_->host(gpu(st.rank)),
                         &Executor::run_stream, this, static_cast<int>(w));
    }
    for (const auto& op : p_.ops)
      if (op.type == OpType::Send && remaining_[static_cast<std::size_t>(op.id)] == 0) start_transfer(op.id);
  }

  // A stream runner, on its rank's GPU: the stream's ops in program order,
  // each once its dependencies are done.
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
      if (!host_enqueued_.empty()) {  // no op ends before the host has enqueued it
        const double enqueued = start_ + host_enqueued_[static_cast<std::size_t>(id)];
        if (enqueued > s4u::Engine::get_clock()) s4u::this_actor::sleep_until(enqueued);
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
    const int id = instance_of_op_.at(op.id);
    const auto& inst = instances_.at(id);
    if (!inst.live) {
      replay_.replay(id, op, *platform_);
      return;
    }
    const auto& members = p_.groups[static_cast<std::size_t>(inst.group)].ranks;
    const int me = static_cast<int>(std::find(members.begin(), members.end(), op.rank) - members.begin());
    std::vector<ShadowFlows::Observation> seen;  // the member's sends, for the whole of its part
    if (replay_.has_shadows())
      for (const auto& [src, dst] : collective_pairs(op.collective, members_gpus(members), inst.flows))
        if (src == gpu(op.rank))
          seen.push_back(replay_.shadow_flows().observe(platform_->host(src), platform_->host(dst)));
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
    s4u::Actor::create(fmt::format("x{}", send_id), platform_->host(gpu(op.rank)), &Executor::transfer, this, send_id);
  }

  // A point-to-point transfer's actor, on the sending GPU: the flow to the
  // receiver (if the receiver is held), then both ops complete.
  void transfer(OpId send_id) {
    const auto& send = p_.op(send_id);
    const double begin = s4u::Engine::get_clock();
    const OpId recv = index_.partner(send_id);  // -1: the peer rank is not held
    if (recv >= 0) {
      std::optional<ShadowFlows::Observation> seen;  // shadows on its links enter the flow model meanwhile
      if (replay_.has_shadows())
        seen.emplace(replay_.shadow_flows().observe(platform_->host(gpu(send.rank)), platform_->host(gpu(send.peer))));
      s4u::Comm::sendto(platform_->host(gpu(send.rank)), platform_->host(gpu(send.peer)),
                        static_cast<std::uint64_t>(send.bytes));
    }
    const double end = s4u::Engine::get_clock();
    complete(send_id, begin, end);
    if (recv >= 0) complete(recv, begin, end);
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
  program::ProgramIndex index_;
  std::vector<int> remaining_;
  std::vector<bool> done_;
  std::vector<int> waiter_of_;
  std::vector<StreamOps> streams_;
  std::vector<StreamWaiter> waiters_;
  std::map<int, Instance> instances_;
  CollectiveReplay replay_;
  std::unordered_map<OpId, int> instance_of_op_;
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
  std::vector<double> host_enqueued_;  // by op id, from the step's start; empty without an eager-launch fit
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
  load_plugin_init();
  return Executor(p, t, cost, opt).run();
}

}  // namespace moeplan::engine
