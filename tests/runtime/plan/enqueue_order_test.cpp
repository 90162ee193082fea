// The enqueue order against an abstract model of the executor: per rank a
// window of at most W unfinished ops handed to the GPU, FIFO streams, a
// transfer or collective running only when every member op heads its stream.
// The order must let every op finish for any W >= 1 (no deadlock in the queues).
#include "runtime/plan/enqueue_order.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/runtime/runtime_test_program.h"

namespace moeplan::runtime {
namespace {

using program::Op;
using program::OpId;
using program::OpType;

using test::program_of;

// Runs the abstract machine; returns the number of ops that finished.
std::size_t ops_finished(const program::Program& p, const CommPlan& plan, const EnqueueOrder& order, int window) {
  const auto ranks = p.by_rank.size();
  std::vector<std::size_t> enqueued(ranks, 0);  // prefix of order.by_rank[r] handed over
  std::vector<char> done(p.ops.size(), 0);
  // CUDA stream of an op: (rank, program stream) or (rank, 100 + receive channel).
  auto stream_key = [&](const Op& op) {
    const int s = op.type == OpType::Recv ? 100 + plan.channel_of_op[static_cast<std::size_t>(op.id)]
                                          : static_cast<int>(op.stream);
    return std::make_pair(op.rank, s);
  };
  // Partners that must run together: the receive of a send, the members of an instance.
  std::map<std::pair<int, int>, std::vector<OpId>> together;
  for (const auto& ch : plan.channels)
    for (std::size_t i = 0; i < ch.recvs_in_order.size(); ++i)  // p2p channels only
      together[{-1 - static_cast<int>(ch.ops_in_order[i]), 0}] = {ch.ops_in_order[i], ch.recvs_in_order[i]};
  for (const Op& op : p.ops)
    if (op.type == OpType::Collective)
      together[{plan.channel_of_op[static_cast<std::size_t>(op.id)], op.instance}].push_back(op.id);
  std::map<OpId, std::vector<OpId>> partners;
  for (const auto& [key, ids] : together)
    for (const OpId id : ids) partners[id] = ids;

  std::size_t finished = 0;
  for (bool progress = true; progress;) {
    progress = false;
    // Hand ops over while the window allows.
    for (std::size_t r = 0; r < ranks; ++r) {
      const auto& ops = order.by_rank[r];
      std::size_t first_open = 0;
      while (first_open < ops.size() && done[static_cast<std::size_t>(ops[first_open])]) ++first_open;
      while (enqueued[r] < ops.size() && enqueued[r] < first_open + static_cast<std::size_t>(window)) ++enqueued[r];
    }
    // Heads of every stream: the first handed-over, unfinished op.
    std::map<std::pair<int, int>, OpId> head;
    for (std::size_t r = 0; r < ranks; ++r)
      for (std::size_t i = 0; i < enqueued[r]; ++i) {
        const Op& op = p.op(order.by_rank[r][i]);
        if (!done[static_cast<std::size_t>(op.id)]) head.try_emplace(stream_key(op), op.id);
      }
    auto ready = [&](OpId id) {
      const Op& op = p.op(id);
      const auto h = head.find(stream_key(op));
      if (h == head.end() || h->second != id) return false;
      for (const OpId d : op.deps)
        if (!done[static_cast<std::size_t>(d)]) return false;
      return true;
    };
    for (const auto& [key, id] : head) {
      if (done[static_cast<std::size_t>(id)] || !ready(id)) continue;
      const auto it = partners.find(id);
      std::vector<OpId> members = it == partners.end() ? std::vector<OpId>{id} : it->second;
      bool all = true;
      for (const OpId m : members) all = all && ready(m);
      if (!all) continue;
      for (const OpId m : members) done[static_cast<std::size_t>(m)] = 1;
      finished += members.size();
      progress = true;
      break;  // heads changed
    }
  }
  return finished;
}

class EnqueueOrderOf : public ::testing::TestWithParam<std::string> {};

TEST_P(EnqueueOrderOf, EveryOpFinishesEvenWithAWindowOfOne) {
  const auto p = program_of(GetParam());
  const auto plan = plan_comm_channels(p);
  const auto order = plan_enqueue_order(p, plan);
  for (std::size_t r = 0; r < p.by_rank.size(); ++r) {  // a permutation of each rank's ops
    auto a = order.by_rank[r], b = p.by_rank[r];
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b) << "rank " << r;
  }
  for (const int window : {1, 2, 16})
    EXPECT_EQ(ops_finished(p, plan, order, window), p.ops.size()) << "window " << window;
}

INSTANTIATE_TEST_SUITE_P(RuntimeScenarios, EnqueueOrderOf,
                         ::testing::Values("h200x2-pp2-1f1b.yaml", "h200x2-pp2-dualpipe.yaml", "h200x2-ep2.yaml",
                                           "h200x4-pp2-ep2-dualpipe.yaml"),
                         [](const auto& param_info) {
                           auto name = param_info.param.substr(0, param_info.param.find('.'));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Posting every receive first, as the runtime once did, is not such an order:
// with a window of one the first receive's rank waits for an op its peer has
// not been allowed to hand over yet.
TEST(EnqueueOrder, ReceivesFirstIsNotDeadlockFreeUnderAWindow) {
  const auto p = program_of("h200x2-pp2-1f1b.yaml");
  const auto plan = plan_comm_channels(p);
  EnqueueOrder receives_first;
  receives_first.by_rank.resize(p.by_rank.size());
  for (std::size_t r = 0; r < p.by_rank.size(); ++r) {
    for (const OpId id : p.by_rank[r])
      if (p.op(id).type == OpType::Recv) receives_first.by_rank[r].push_back(id);
    for (const OpId id : p.by_rank[r])
      if (p.op(id).type != OpType::Recv) receives_first.by_rank[r].push_back(id);
  }
  EXPECT_LT(ops_finished(p, plan, receives_first, 1), p.ops.size());
  EXPECT_EQ(ops_finished(p, plan, plan_enqueue_order(p, plan), 1), p.ops.size());
}

// Two ranks whose compute each waits for the other's send: a cycle through
// the transfers, reported with the ops involved.
TEST(EnqueueOrder, ACycleThroughTransfersIsReported) {
  program::Program p;
  p.world_size = 2;
  p.by_rank.resize(2);
  auto add = [&](int rank, OpType type, int peer, int tag, std::vector<OpId> deps) {
    Op op;
    op.rank = rank;
    op.type = type;
    op.peer = peer;
    op.tag = tag;
    op.bytes = 1024;
    op.stream = type == OpType::Compute ? program::Stream::Compute : program::Stream::Comm;
    op.part = type == OpType::Compute ? program::Part::Attention : program::Part::PipelineActivation;
    op.deps = std::move(deps);
    return p.add(op).id;
  };
  const OpId r0 = add(0, OpType::Recv, 1, 2, {});
  const OpId c0 = add(0, OpType::Compute, -1, -1, {r0});
  add(0, OpType::Send, 1, 1, {c0});
  const OpId r1 = add(1, OpType::Recv, 0, 1, {});
  const OpId c1 = add(1, OpType::Compute, -1, -1, {r1});
  add(1, OpType::Send, 0, 2, {c1});
  const auto plan = plan_comm_channels(p);
  try {
    (void)plan_enqueue_order(p, plan);
    FAIL() << "expected a deadlock report";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot run without deadlock"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace moeplan::runtime
