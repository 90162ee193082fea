#include "runtime/plan/compute_mapping.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace moeplan::runtime {

using program::Op;
using program::OpType;
using program::Part;

std::int64_t ExpertFfnShape::total_rows() const {
  std::int64_t s = 0;
  for (const auto r : expert_rows) s += r;
  return s;
}

namespace {

// Routed experts list every expert's gate/up GEMM, then every expert's down
// GEMM (the program's forward order, cost/layer_work.h): ups [e] and downs [E + e].
bool gemms_are_swiglu_pairs(const Op& op) {
  if (op.gemms.empty() || op.gemms.size() % 2 != 0) return false;
  const std::size_t experts = op.gemms.size() / 2;
  for (std::size_t e = 0; e < experts; ++e) {
    const auto& up = op.gemms[e];
    const auto& down = op.gemms[experts + e];
    if (up.m != down.m || up.n % 2 != 0 || up.n / 2 != down.k || up.k != down.n) return false;
    if (up.k != op.gemms[0].k || up.n != op.gemms[0].n) return false;
  }
  return true;
}

std::int64_t round_up(std::int64_t v, std::int64_t to) { return (v + to - 1) / to * to; }

constexpr double kRidgeFlopsPerByte = 206.0;  // H200: 989e12 / 4.8e12; H100 is 295

}  // namespace

ComputeKind compute_kind(const Op& op) {
  if (op.part == Part::RoutedExperts && gemms_are_swiglu_pairs(op)) return ComputeKind::ExpertFfn;
  if (op.part == Part::Gating && op.pass == program::Pass::F && op.gemms.size() == 1 && op.gemms[0].n >= 2)
    return ComputeKind::GatingTopk;
  if (!op.gemms.empty()) return ComputeKind::Gemms;
  // Without GEMM shapes, an op runs as a GEMM of its FLOPs only when it is
  // compute-bound: its intensity above the BF16 roofline ridge of the Hopper
  // GPUs we run on (989 TFLOP/s over 3.35-4.8 TB/s: 206-295 FLOP/B,
  // hardware/*.yaml). Memory-bound ops (loss, softmax-like work) move their bytes.
  if (op.flops > 0 && op.tokens > 0 && op.flops > kRidgeFlopsPerByte * op.bytes) return ComputeKind::FlopGemm;
  return ComputeKind::DeviceCopy;
}

ExpertFfnShape expert_ffn_shape(const Op& op) {
  ExpertFfnShape s;
  s.hidden = static_cast<int>(op.gemms[0].k);
  s.intermediate = static_cast<int>(op.gemms[0].n / 2);
  for (std::size_t e = 0; e < op.gemms.size() / 2; ++e) s.expert_rows.push_back(static_cast<std::int32_t>(op.gemms[e].m));
  return s;
}

std::vector<program::Gemm> gemms_of(const Op& op) {
  if (compute_kind(op) != ComputeKind::FlopGemm) return op.gemms;
  const std::int64_t t = op.tokens;
  const auto k = std::max<std::int64_t>(16, round_up(static_cast<std::int64_t>(std::llround(op.flops / (2.0 * static_cast<double>(t) * static_cast<double>(t)))), 16));
  return {{t, t, k}};
}

std::int64_t copy_bytes_of(const Op& op) { return std::max<std::int64_t>(256, round_up(static_cast<std::int64_t>(op.bytes / 2), 256)); }

std::int64_t send_total_bytes(const Op& op) { return static_cast<std::int64_t>(op.bytes); }

std::vector<std::int64_t> all_to_all_recv_bytes(const program::Program& p, const program::ProgramIndex& index,
                                                const Op& op) {
  const auto members = index.members(op.instance);  // the instance's ops, in group member order
  const auto me = static_cast<std::size_t>(index.member_index(op.id));
  std::vector<std::int64_t> recv(members.size(), -1);
  for (std::size_t j = 0; j < members.size(); ++j) {
    // Member j's op, or where it is not held (a rank file) the matrix this op names.
    const auto row = members[j] >= 0 ? program::send_row(p, p.op(members[j]))
                                     : program::member_send_row(p, op, static_cast<int>(j));
    if (me < row.size()) recv[j] = static_cast<std::int64_t>(row[me]);
    if (recv[j] < 0)
      throw std::runtime_error(fmt::format("op {}: all-to-all instance {} has no op on member rank {} with send_bytes",
                                           op.id, op.instance, p.groups[static_cast<std::size_t>(op.group)].ranks[j]));
  }
  return recv;
}

double RankBuffers::total_bytes() const {
  const double bf16 = 2;
  double b = bf16 * static_cast<double>(gemm_a_elems + gemm_b_elems + gemm_c_elems) + 2.0 * static_cast<double>(copy_bytes);
  const double h = ffn_hidden, i = ffn_intermediate, e = ffn_max_experts, rows = static_cast<double>(ffn_max_rows);
  b += bf16 * e * (2 * i * h + h * i);         // w13 + w2
  b += bf16 * rows * (2 * h + 3 * i);          // x_grouped, y_grouped, h, act
  b += 4.0 * static_cast<double>(gating_max_tokens) * (gating_max_experts + 2 * 8) + 4.0 * gating_max_experts;
  b += static_cast<double>(comm_send_bytes + comm_recv_bytes);
  b += 3 * 64.0 * 1024 * 1024;  // cuBLAS workspaces (main + 2 expert streams), approximate
  return b;
}

RankBuffers plan_rank_buffers(const program::Program& p, const program::ProgramIndex& index, int rank) {
  RankBuffers rb;
  for (const auto id : p.by_rank.at(static_cast<std::size_t>(rank))) {
    const Op& op = p.op(id);
    if (op.type == OpType::Compute) {
      const auto kind = compute_kind(op);
      if (kind == ComputeKind::ExpertFfn) {
        const auto s = expert_ffn_shape(op);
        rb.ffn_hidden = std::max(rb.ffn_hidden, s.hidden);
        rb.ffn_intermediate = std::max(rb.ffn_intermediate, s.intermediate);
        rb.ffn_max_experts = std::max(rb.ffn_max_experts, static_cast<int>(s.expert_rows.size()));
        rb.ffn_max_rows = std::max(rb.ffn_max_rows, s.total_rows());
      } else if (kind == ComputeKind::DeviceCopy) {
        rb.copy_bytes = std::max(rb.copy_bytes, copy_bytes_of(op));
      } else {
        for (const auto& g : gemms_of(op)) {
          rb.gemm_a_elems = std::max(rb.gemm_a_elems, g.m * g.k);
          rb.gemm_b_elems = std::max(rb.gemm_b_elems, g.k * g.n);
          rb.gemm_c_elems = std::max(rb.gemm_c_elems, g.m * g.n);
        }
        if (kind == ComputeKind::GatingTopk) {
          rb.gating_max_experts = std::max(rb.gating_max_experts, static_cast<int>(op.gemms[0].n));
          rb.gating_max_tokens = std::max(rb.gating_max_tokens, op.gemms[0].m);
        }
      }
    } else {
      rb.comm_send_bytes = std::max(rb.comm_send_bytes, round_up(send_total_bytes(op), 256));
      std::int64_t recv = static_cast<std::int64_t>(op.bytes);
      if (op.type == OpType::Collective && op.collective == program::CollectiveKind::AllToAll) {
        recv = 0;
        for (const auto b : all_to_all_recv_bytes(p, index, op)) recv += b;
      }
      rb.comm_recv_bytes = std::max(rb.comm_recv_bytes, round_up(recv, 256));
    }
  }
  return rb;
}

}  // namespace moeplan::runtime
