#include "runtime/plan/enqueue_order.h"

#include <fmt/format.h>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>

#include <optional>
#include <stdexcept>
#include <utility>

#include "sim/trace/trace.h"

namespace moeplan::runtime {

using program::Op;
using program::OpId;
using program::OpType;

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;

// Depth-first search that records vertices as they finish (reverse topological
// order) and the first back edge, which closes a cycle.
struct OrderVisitor : boost::default_dfs_visitor {
  std::vector<Vertex>* finished;
  std::optional<std::pair<Vertex, Vertex>>* back;
  void finish_vertex(Vertex v, const Graph&) const { finished->push_back(v); }
  template <class Edge>
  void back_edge(Edge e, const Graph& g) const {
    if (!*back) *back = std::make_pair(boost::source(e, g), boost::target(e, g));
  }
};

}  // namespace

EnqueueOrder plan_enqueue_order(const program::Program& p, const CommPlan& plan) {
  const auto& index = plan.index;
  // Node of each op, numbered in the order of their first op's id: a transfer
  // (the send with its receive) or a collective instance (all members) is one node.
  std::vector<int> node_of(p.ops.size(), -1);
  std::vector<OpId> first_op;  // an op of each node, for messages
  for (const Op& op : p.ops) {
    // A receive joins its send's node; one whose send is in another rank file (a partial program) is its own.
    if (node_of[static_cast<std::size_t>(op.id)] >= 0 || (op.type == OpType::Recv && index.partner(op.id) >= 0)) continue;
    const int node = static_cast<int>(first_op.size());
    first_op.push_back(op.id);
    node_of[static_cast<std::size_t>(op.id)] = node;
    const auto join = [&](OpId other) {
      if (other >= 0) node_of[static_cast<std::size_t>(other)] = node;
    };
    if (op.type == OpType::Send) join(index.partner(op.id));
    if (op.type == OpType::Collective)
      for (const OpId member : index.members(op.instance)) join(member);
  }

  Graph g(first_op.size());
  auto edge = [&](OpId from, OpId to) {
    const auto u = node_of[static_cast<std::size_t>(from)], v = node_of[static_cast<std::size_t>(to)];
    if (u != v) boost::add_edge(static_cast<Vertex>(u), static_cast<Vertex>(v), g);
  };
  for (const Op& op : p.ops)
    for (const OpId dep : op.deps) edge(dep, op.id);
  // FIFO order of every CUDA stream the executor uses: program streams, and one
  // receive stream per p2p channel (its receives in the send order).
  for (std::size_t r = 0; r < p.by_rank.size(); ++r)
    for (int s = 0; s < program::kStreamCount; ++s) {
      std::optional<OpId> prev;
      for (const OpId id : index.stream_ops(static_cast<int>(r), static_cast<program::Stream>(s))) {
        if (p.op(id).type == OpType::Recv) continue;
        if (prev) edge(*prev, id);
        prev = id;
      }
    }
  for (const auto& ch : plan.channels)
    for (std::size_t i = 1; i < ch.recvs_in_order.size(); ++i) edge(ch.recvs_in_order[i - 1], ch.recvs_in_order[i]);

  std::vector<Vertex> finished;
  std::optional<std::pair<Vertex, Vertex>> back;
  finished.reserve(first_op.size());
  boost::depth_first_search(g, boost::visitor(OrderVisitor{{}, &finished, &back}));
  if (back) {
    const Op& a = p.op(first_op[back->first]);
    const Op& b = p.op(first_op[back->second]);
    throw std::runtime_error(fmt::format(
        "the program cannot run without deadlock: op {} ({}, rank {}) and op {} ({}, rank {}) wait on each other "
        "through dependencies, stream order and NCCL's in-order matching",
        a.id, trace::op_name(a), a.rank, b.id, trace::op_name(b), b.rank));
  }

  std::vector<std::vector<OpId>> members(first_op.size());
  for (const auto& ops : p.by_rank)  // members of a node in program order
    for (const OpId id : ops) members[static_cast<std::size_t>(node_of[static_cast<std::size_t>(id)])].push_back(id);
  EnqueueOrder order;
  order.by_rank.resize(p.by_rank.size());
  for (auto it = finished.rbegin(); it != finished.rend(); ++it)
    for (const OpId id : members[*it]) order.by_rank[static_cast<std::size_t>(p.op(id).rank)].push_back(id);
  return order;
}

}  // namespace moeplan::runtime
