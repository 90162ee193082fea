// Hand-built programs and platforms for engine tests.
#pragma once

#include "sim/cost/cost_model.h"
#include "sim/program/program.h"
#include "sim/topology/generators.h"

namespace moeplan::test {

// A GPU whose compute ops take exactly flops / 1e12 seconds.
inline cost::CostModel unit_cost_model() {
  config::GpuSpec g;
  g.name = "unit";
  g.sms = 132;
  for (auto d : {DType::FP8, DType::BF16, DType::FP32}) g.peak_flops[d] = 1e12;
  g.hbm_Bps = 1e12;
  g.hbm_bytes = 1e12;
  g.gemm = {1.0, "test"};
  g.attention = {1.0, "test"};
  g.memory = {1.0, "test"};
  return cost::CostModel(g);
}

inline topology::Topology node(int gpus, double nvlink_Bps, double latency_s) {
  topology::ClusterSpec s;
  s.gpus_per_node = gpus;
  s.nvlink = {nvlink_Bps, latency_s};
  return topology::build_single_node(s);
}

inline program::Program empty_program(int world) {
  program::Program p;
  p.scenario = "test";
  p.world_size = world;
  for (int r = 0; r < world; ++r) p.rank_gpu.push_back(r);
  p.by_rank.resize(static_cast<std::size_t>(world));
  return p;
}

inline program::OpId add_compute(program::Program& p, int rank, double seconds, std::vector<program::OpId> deps = {}) {
  program::Op op;
  op.rank = rank;
  op.type = program::OpType::Compute;
  op.part = program::Part::Attention;
  op.flops = seconds * 1e12;
  op.deps = std::move(deps);
  return p.add(std::move(op)).id;
}

inline void add_transfer(program::Program& p, int from, int to, double bytes, int tag) {
  program::Op s;
  s.rank = from;
  s.type = program::OpType::Send;
  s.stream = program::Stream::Comm;
  s.part = program::Part::PipelineActivation;
  s.peer = to;
  s.tag = tag;
  s.bytes = bytes;
  p.add(s);
  program::Op r = s;
  r.rank = to;
  r.type = program::OpType::Recv;
  r.peer = from;
  p.add(r);
}

}  // namespace moeplan::test

namespace moeplan::test {

// Nodes of 8 GPUs on a multi-plane fat-tree: 160 GB/s NVLink, 50 GB/s NICs,
// no latency (pure bandwidth closed forms).
inline topology::Topology h800_nodes(int nodes) {
  topology::ClusterSpec s;
  s.nodes = nodes;
  s.gpus_per_node = 8;
  s.nvlink = {160e9, 0};
  s.pcie = {64e9, 0};
  s.nic = {50e9, 0};
  s.fabric = {50e9, 0};
  s.switch_ports = 64;
  return topology::build_multi_plane_fat_tree(s);
}

// One all-to-all instance over ranks 0..n-1 using traffic 0.
inline void add_group_all_to_all(program::Program& p, const program::Traffic& t) {
  const int n = static_cast<int>(t.gpu_bytes.size());
  program::RankGroup g{"ep", {}};
  for (int r = 0; r < n; ++r) g.ranks.push_back(r);
  p.groups.push_back(g);
  p.traffic.push_back(t);
  for (int r = 0; r < n; ++r) {
    program::Op op;
    op.rank = r;
    op.type = program::OpType::Collective;
    op.stream = program::Stream::Comm;
    op.part = program::Part::Dispatch;
    op.collective = program::CollectiveKind::AllToAll;
    op.group = static_cast<int>(p.groups.size()) - 1;
    op.instance = 0;
    op.traffic = static_cast<int>(p.traffic.size()) - 1;
    op.send_bytes = t.gpu_bytes[static_cast<std::size_t>(r)];
    p.add(op);
  }
}

inline program::Traffic uniform_traffic(int n, int gpus_per_node, double per_pair, double per_node) {
  program::Traffic t;
  t.gpu_bytes.assign(static_cast<std::size_t>(n), std::vector<double>(static_cast<std::size_t>(n), per_pair));
  for (int i = 0; i < n; ++i) t.gpu_bytes[static_cast<std::size_t>(i)][static_cast<std::size_t>(i)] = 0;
  if (per_node > 0)
    t.node_bytes.assign(static_cast<std::size_t>(n), std::vector<double>(static_cast<std::size_t>(n / gpus_per_node), per_node));
  return t;
}

}  // namespace moeplan::test
