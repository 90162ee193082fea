// The program: for every rank, an ordered list of operations with explicit
// dependencies. It is the contract between the planner and both executors
// (the SimGrid engine and the CUDA/NCCL runtime), so it knows nothing of
// either. Serialised as JSON (docs/program.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/program/kernel.h"
#include "sim/util/dtype.h"

namespace moeplan::program {

using OpId = std::int32_t;
using moeplan::DType;

enum class OpType : std::uint8_t { Compute, Send, Recv, Collective };
enum class Pass : std::uint8_t { F, Bi, W, None };  // None: not part of a layer pass
// Streams of one rank. The workload builders emit only `compute` and `comm`
// (an overlapped F&B pair interleaves its two chunks on them); the `_b`
// streams remain part of the format, and the executors and the report still
// run and account a program that puts a second chunk on them.
enum class Stream : std::uint8_t { Compute, Comm, ComputeB, CommB };
inline constexpr int kStreamCount = 4;
inline bool is_compute_stream(Stream s) { return s == Stream::Compute || s == Stream::ComputeB; }
enum class CollectiveKind : std::uint8_t { AllToAll, AllReduce, ReduceScatter, AllGather };

// What a compute op computes, or what a communication op carries.
enum class Part : std::uint8_t {
  Embedding,       // token embedding lookup
  Attention,       // MLA projections (q down/up, kv down/up, output)
  AttentionCore,   // softmax(QK^T)V
  DenseFfn,        // SwiGLU FFN of a dense layer
  Gating,          // router scores and top-k
  RoutedExperts,   // the routed experts this rank holds
  SharedExpert,    // the shared expert(s)
  Head,            // output projection to the vocabulary
  Loss,            // softmax cross-entropy
  Optimizer,       // AdamW update of this rank's optimizer shard
  PipelineActivation,  // PP send/recv of forward activations
  PipelineGradient,    // PP send/recv of activation gradients
  Dispatch,        // EP all-to-all, tokens to their experts
  Combine,         // EP all-to-all, expert outputs back to their tokens
  GradSync,        // DP reduce-scatter of gradients (ZeRO-1)
  ParamSync,       // DP all-gather of updated parameters (ZeRO-1)
  SequenceGather,  // TP all-gather of the hidden states before attention (sequence parallelism)
  SequenceScatter, // TP reduce-scatter of the attention output back to each GPU's tokens
};

std::string_view to_string(OpType t);
std::string_view to_string(Pass p);
std::string_view to_string(Stream s);
std::string_view to_string(CollectiveKind k);
std::string_view to_string(Part p);
OpType parse_op_type(std::string_view s);
Pass parse_pass(std::string_view s);
Stream parse_stream(std::string_view s);
CollectiveKind parse_collective(std::string_view s);
Part parse_part(std::string_view s);

struct Gemm {  // C[m x n] = A[m x k] * B[n x k]^T
  std::int64_t m = 0, n = 0, k = 0;
  bool recompute = false;  // redone in backward to save memory: runs, but is not model work (MFU)
  bool operator==(const Gemm&) const = default;
};

// 2mnk, and the HBM bytes of one pass over both inputs (of `input`) and a BF16 output.
inline double gemm_flops(const Gemm& g) {
  return 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) * static_cast<double>(g.k);
}
inline double gemm_bytes(const Gemm& g, DType input) {
  const double m = static_cast<double>(g.m), n = static_cast<double>(g.n), k = static_cast<double>(g.k);
  return (m * k + n * k) * bytes_of(input) + m * n * 2;
}

// The attention core an AttentionCore op runs: causal softmax(Q K^T) V over
// `sequences` sequences of `length` new tokens, `heads` heads of qk_dim /
// v_dim. Serving adds a KV cache: each sequence's new tokens also attend to
// `cached` tokens before them (a prompt's cached prefix, a decode request's
// context), and `latent` marks MLA with absorbed projections over the
// compressed cache (every head reads one latent vector per cached token:
// qk_dim = kv_lora_rank + rope dim, v_dim = kv_lora_rank).
struct AttentionShape {
  int sequences = 0, length = 0, heads = 0, qk_dim = 0, v_dim = 0;
  int cached = 0;
  bool latent = false;
  // Query-key pairs: per sequence length x cached + length (length + 1) / 2.
  double pairs() const {
    const double l = length, c = cached;
    return (l * c + l * (l + 1) / 2.0) * sequences;
  }
  bool operator==(const AttentionShape&) const = default;
};

struct Op {
  OpId id = -1;
  int rank = -1;
  OpType type = OpType::Compute;
  Stream stream = Stream::Compute;
  std::vector<OpId> deps;  // ops (of any rank) that must complete before this one starts

  // What it computes / carries.
  Part part = Part::Attention;
  Pass pass = Pass::None;
  int layer = -1;       // transformer layer index (model order); -1 if none
  int microbatch = -1;  // micro-batch index within its direction; -1 if none
  int dir = 0;          // pipeline direction (DualPipe) or chunk
  std::int64_t tokens = 0;

  // Compute: work and its precision.
  double flops = 0;
  double bytes = 0;  // compute: HBM bytes moved; send/recv: payload; collective: this rank's input bytes
  DType dtype = DType::BF16;
  std::vector<Gemm> gemms;      // GEMMs in TN form: A [m, k] and B [n, k] both K-major (see kernel.h)
  std::vector<Kernel> kernels;  // the memory-bound kernels it runs besides its GEMMs
  AttentionShape attention;     // AttentionCore ops only; sequences == 0 elsewhere

  // Send / Recv.
  int peer = -1;
  int tag = -1;  // a Send and its Recv share (rank pair, tag)

  // Collective: every member rank holds one op with the same `instance`.
  CollectiveKind collective = CollectiveKind::AllReduce;
  int group = -1;     // index into Program::groups
  int instance = -1;  // collective instance id
  std::vector<double> send_bytes;  // all-to-all without `traffic` only: bytes this rank sends to each member (send_row)
  int traffic = -1;                // all-to-all only: index into Program::traffic (whole-group matrix)
  int lead = -1;                   // all-to-all only: index into Program::leads; -1: members alike

  bool operator==(const Op&) const = default;
};

// The traffic of one all-to-all over an expert-parallel group, in dispatch
// orientation (token owner -> expert holder), member order of the group.
//   gpu_bytes[i][j]:  token copies member i routes to experts on member j, in bytes;
//   node_bytes[i][n]: distinct tokens of member i with at least one expert on
//                     the group's n-th node, in bytes (what crosses IB once per
//                     node in DeepSeek's kernels); empty when not known.
// `reverse` flows the other way (combine, and the dispatch's gradient).
struct Traffic {
  std::vector<std::vector<double>> gpu_bytes;
  std::vector<std::vector<double>> node_bytes;
  bool reverse = false;
  bool operator==(const Traffic&) const = default;
};

// The routed-expert work each member of an EP group does between its previous
// all-to-all (of the same pass and micro-batch; else its previous one at all)
// and this one, in member order: with skewed routing members enter an
// all-to-all as their own experts finish, not together.
struct Lead {
  std::vector<double> flops, bytes;
  DType dtype = DType::BF16;
  bool operator==(const Lead&) const = default;
};

// How all-to-alls are expanded into transfers.
enum class AllToAllAlgorithm : std::uint8_t {
  Pairwise,      // every pair directly, all posted at once (NCCL grouped send/recv)
  Hierarchical,  // DeepSeek: across nodes once per (token, node) to the same-rail GPU, then NVLink
  LowLatency,    // DeepSeek's decode kernels: GPU-initiated RDMA, every token copy straight to the GPU
                 // of its expert, no forwarding; holds no SMs (comm_sms 0)
};
std::string_view to_string(AllToAllAlgorithm a);
AllToAllAlgorithm parse_all_to_all(std::string_view s);

struct RankGroup {
  std::string kind;  // "ep", "dp", "edp" (expert data-parallel), "pp"
  std::vector<int> ranks;
  bool operator==(const RankGroup&) const = default;
};

struct Program {
  std::string scenario;
  int world_size = 0;
  // Reduced programs hold the ops of a subset of ranks (one pipeline); every
  // held rank stands for `replicas` identical ranks. Full programs hold all.
  bool reduced = false;
  int replicas = 1;
  // Partial programs hold some ranks of a full program (a rank file, see
  // rank_program.h): their collectives' other members and their transfers'
  // peers live in other files. They can be read and executed per rank, not simulated.
  bool partial = false;
  int comm_sms = 0;  // SMs communication kernels hold while they run (taken from compute)
  AllToAllAlgorithm all_to_all = AllToAllAlgorithm::Pairwise;
  std::vector<Traffic> traffic;
  std::vector<Lead> leads;
  std::vector<int> rank_gpu;  // rank -> GPU index in the topology
  std::vector<RankGroup> groups;
  std::vector<Op> ops;                  // indexed by OpId
  std::vector<std::vector<OpId>> by_rank;  // program order of each rank (all streams)

  Op& add(Op op);  // assigns the id and appends to its rank's order
  const Op& op(OpId id) const { return ops.at(static_cast<std::size_t>(id)); }
  std::vector<int> present_ranks() const;  // ranks that hold ops
  bool operator==(const Program&) const = default;
};

// What an all-to-all op sends to each member of its group, in member order:
// its row of the program's traffic matrix (its column when the traffic flows
// in reverse) when it names one, else its own `send_bytes`. Ops that name a
// matrix carry no copy of their row.
std::vector<double> send_row(const Program& p, const Op& op);
// The same for member `member` of `op`'s group, read from the matrix `op`
// names (so a rank file, which holds no other member's op, knows what each
// member sends); empty when `op` names no matrix.
std::vector<double> member_send_row(const Program& p, const Op& op, int member);

// The whole-group traffic of an all-to-all instance from its held member ops
// (lowest op id first): the matrix they name, else their send rows, with the
// rows of members not held rotated from the first's (members alike under
// uniform routing).
Traffic all_to_all_traffic(const Program& p, int group, const std::vector<OpId>& held_ops);

// Structural checks, each naming the op ids involved: ids dense; ranks and
// send/recv peers inside the world; deps refer to earlier-created existing
// ops (so there is no cycle); sends and receives pair up (where both ranks are
// held); the members of a collective instance agree on group and kind, belong
// to the group, one op per rank, and (full programs) fill it; all-to-all
// send sizes, traffic and lead indices fit the program and the group. Throws
// InvariantError.
void check_program(const Program& p);

}  // namespace moeplan::program
