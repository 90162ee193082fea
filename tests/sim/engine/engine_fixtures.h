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
  for (auto d : {config::DType::FP8, config::DType::BF16, config::DType::FP32}) g.peak_flops[d] = 1e12;
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
