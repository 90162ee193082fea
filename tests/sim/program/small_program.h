// A hand-made program for program tests: small enough to break one field at a
// time and to work out by hand.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/program/program.h"
#include "sim/program/program_json.h"

namespace moeplan::program {

// A small well-formed program of 4 ranks, every kind of op once:
//
//   op 0  r0 compute                       op 4  r0 all_to_all  group 0 {0,1}, instance 0
//   op 1  r0 send  pp_activation -> r2    op 5  r1 all_to_all  group 0, instance 0
//   op 2  r2 recv  pp_activation <- r0    op 6-9 r0..r3 all_reduce group 1 {0,1,2,3}, instance 1
//   op 3  r2 compute (after op 2)
inline Program small_program() {
  Program p;
  p.scenario = "hand-made";
  p.world_size = 4;
  p.rank_gpu = {0, 1, 2, 3};
  p.groups = {{"ep", {0, 1}}, {"dp", {0, 1, 2, 3}}};
  p.traffic = {{{{0, 100}, {200, 0}}, {}, false}};
  p.leads = {{{1e9, 2e9}, {1e6, 2e6}, DType::BF16}};
  auto compute = [&](int rank, std::vector<OpId> deps) {
    Op op;
    op.rank = rank;
    op.part = Part::Attention;
    op.pass = Pass::F;
    op.flops = 1e9;
    op.deps = std::move(deps);
    return p.add(op).id;
  };
  auto transfer = [&](OpType type, int rank, int peer, std::vector<OpId> deps) {
    Op op;
    op.type = type;
    op.rank = rank;
    op.stream = Stream::Comm;
    op.part = Part::PipelineActivation;
    op.peer = peer;
    op.tag = 0;
    op.bytes = 4096;
    op.deps = std::move(deps);
    return p.add(op).id;
  };
  auto collective = [&](int rank, CollectiveKind kind, int group, int instance, std::vector<OpId> deps) {
    Op op;
    op.type = OpType::Collective;
    op.rank = rank;
    op.stream = Stream::Comm;
    op.collective = kind;
    op.group = group;
    op.instance = instance;
    op.bytes = 300;
    op.deps = std::move(deps);
    if (kind == CollectiveKind::AllToAll) {
      op.part = Part::Dispatch;
      op.send_bytes = {100, 200};
      op.traffic = 0;
      op.lead = 0;
    } else {
      op.part = Part::GradSync;
    }
    return p.add(op).id;
  };
  const auto c0 = compute(0, {});
  transfer(OpType::Send, 0, 2, {c0});
  const auto recv = transfer(OpType::Recv, 2, 0, {});
  compute(2, {recv});
  collective(0, CollectiveKind::AllToAll, 0, 0, {c0});
  collective(1, CollectiveKind::AllToAll, 0, 0, {});
  for (int r = 0; r < 4; ++r) collective(r, CollectiveKind::AllReduce, 1, 1, {});
  return p;
}

// The message of the std::runtime_error program_from_json throws on `j`
// (empty when it reads the program). An InvariantError escapes and fails the test.
inline std::string read_error(const nlohmann::json& j) {
  try {
    program_from_json(j);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace moeplan::program
