#include "sim/program/program_input.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <set>
#include <stdexcept>

#include "sim/program/program_index.h"
#include "sim/program/wait_graph.h"

namespace moeplan::program {
namespace {

[[noreturn]] void reject(const std::string& message) { throw std::runtime_error(message); }

bool amount(double v) { return std::isfinite(v) && v >= 0; }

void check_amounts(const std::vector<double>& values, const std::string& where) {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!amount(values[i]))
      reject(fmt::format("{}[{}] is {}; expected a finite amount >= 0", where, i, values[i]));
}

// ---- sizes and tables: what the ops index into ---------------------------------------
void check_tables(const Program& p) {
  if (p.world_size < 1 || p.world_size > kMaxWorldSize)
    reject(fmt::format("world_size {} is outside [1, {}]", p.world_size, kMaxWorldSize));
  if (p.replicas < 1) reject(fmt::format("replicas {} must be at least 1", p.replicas));
  if (p.comm_sms < 0) reject(fmt::format("comm_sms {} must be at least 0", p.comm_sms));
  if (p.rank_gpu.size() != static_cast<std::size_t>(p.world_size))
    reject(fmt::format("rank_gpu has {} entries for a world of {} ranks; it needs one GPU index per rank",
                       p.rank_gpu.size(), p.world_size));
  for (std::size_t r = 0; r < p.rank_gpu.size(); ++r)
    if (p.rank_gpu[r] < 0) reject(fmt::format("rank_gpu[{}] is {}; a GPU index is >= 0", r, p.rank_gpu[r]));
  for (std::size_t g = 0; g < p.groups.size(); ++g) {
    const auto& ranks = p.groups[g].ranks;
    if (ranks.empty()) reject(fmt::format("groups[{}] has no ranks", g));
    std::set<int> seen;
    for (const int r : ranks) {
      if (r < 0 || r >= p.world_size)
        reject(fmt::format("groups[{}] lists rank {}, outside the world of {}", g, r, p.world_size));
      if (!seen.insert(r).second) reject(fmt::format("groups[{}] lists rank {} twice", g, r));
    }
  }
  for (std::size_t t = 0; t < p.traffic.size(); ++t) {
    const auto& m = p.traffic[t];
    for (std::size_t i = 0; i < m.gpu_bytes.size(); ++i) {
      if (m.gpu_bytes[i].size() != m.gpu_bytes.size())
        reject(fmt::format("traffic[{}].gpu_bytes[{}] has {} entries; the matrix is {} x {}", t, i,
                           m.gpu_bytes[i].size(), m.gpu_bytes.size(), m.gpu_bytes.size()));
      check_amounts(m.gpu_bytes[i], fmt::format("traffic[{}].gpu_bytes[{}]", t, i));
    }
    if (!m.node_bytes.empty() && m.node_bytes.size() != m.gpu_bytes.size())
      reject(fmt::format("traffic[{}].node_bytes has {} rows for {} members", t, m.node_bytes.size(),
                         m.gpu_bytes.size()));
    for (std::size_t i = 0; i < m.node_bytes.size(); ++i) {
      if (m.node_bytes[i].size() != m.node_bytes[0].size())
        reject(fmt::format("traffic[{}].node_bytes[{}] has {} entries, row 0 has {}", t, i, m.node_bytes[i].size(),
                           m.node_bytes[0].size()));
      check_amounts(m.node_bytes[i], fmt::format("traffic[{}].node_bytes[{}]", t, i));
    }
  }
  for (std::size_t l = 0; l < p.leads.size(); ++l) {
    if (p.leads[l].flops.size() != p.leads[l].bytes.size())
      reject(fmt::format("leads[{}] has {} FLOPs and {} bytes entries; one of each per member", l,
                         p.leads[l].flops.size(), p.leads[l].bytes.size()));
    check_amounts(p.leads[l].flops, fmt::format("leads[{}].flops", l));
    check_amounts(p.leads[l].bytes, fmt::format("leads[{}].bytes", l));
  }
}

// ---- one op: its numbers, and the tables it names ------------------------------------
void check_op(const Program& p, const Op& op) {
  const auto where = fmt::format("{} op {} (rank {})", to_string(op.type), op.id, op.rank);
  if (!amount(op.flops)) reject(fmt::format("{}: flops {} is not a finite amount >= 0", where, op.flops));
  if (!amount(op.bytes)) reject(fmt::format("{}: bytes {} is not a finite amount >= 0", where, op.bytes));
  if (op.tokens < 0) reject(fmt::format("{}: tokens {} is negative", where, op.tokens));
  for (const auto& g : op.gemms)
    if (g.m < 0 || g.n < 0 || g.k < 0) reject(fmt::format("{}: a GEMM of {} x {} x {} has a negative size", where, g.m, g.n, g.k));
  check_amounts(op.send_bytes, fmt::format("{}: send_bytes", where));
  if (op.type == OpType::Recv && !op.deps.empty())
    reject(fmt::format("{}: a receive has no deps (receives are posted eagerly); it lists {}", where,
                       fmt::join(op.deps, ", ")));
  if (op.type != OpType::Collective) return;
  if (op.group < 0 || static_cast<std::size_t>(op.group) >= p.groups.size())
    reject(fmt::format("{}: group {} is outside the program's {} groups", where, op.group, p.groups.size()));
  if (op.collective != CollectiveKind::AllToAll) return;
  const auto members = p.groups[static_cast<std::size_t>(op.group)].ranks.size();
  if (op.traffic < -1 || op.traffic >= static_cast<int>(p.traffic.size()))
    reject(fmt::format("{}: traffic {} is outside the program's {} traffic matrices", where, op.traffic,
                       p.traffic.size()));
  if (op.traffic >= 0 && p.traffic[static_cast<std::size_t>(op.traffic)].gpu_bytes.size() != members)
    reject(fmt::format("{}: traffic {} is a matrix of {} members; group {} has {}", where, op.traffic,
                       p.traffic[static_cast<std::size_t>(op.traffic)].gpu_bytes.size(), op.group, members));
  if (op.traffic < 0 && op.send_bytes.size() != members)
    reject(fmt::format("{}: {} send sizes for group {} of {} members", where, op.send_bytes.size(), op.group, members));
  if (op.traffic >= 0 && !op.send_bytes.empty() && op.send_bytes.size() != members)
    reject(fmt::format("{}: {} send sizes for group {} of {} members", where, op.send_bytes.size(), op.group, members));
  if (op.lead < -1 || op.lead >= static_cast<int>(p.leads.size()))
    reject(fmt::format("{}: lead {} is outside the program's {} leads", where, op.lead, p.leads.size()));
  if (op.lead >= 0 && p.leads[static_cast<std::size_t>(op.lead)].flops.size() != members)
    reject(fmt::format("{}: lead {} has {} entries; group {} has {} members", where, op.lead,
                       p.leads[static_cast<std::size_t>(op.lead)].flops.size(), op.group, members));
}

}  // namespace

void check_program_input(const Program& p) {
  check_tables(p);
  for (const Op& op : p.ops) check_op(p, op);
  const ProgramIndex index(p);  // ranks, peers, deps, pairing, instances: throws std::runtime_error
  if (const auto deadlock = find_deadlock(p, index)) reject(*deadlock);
}

}  // namespace moeplan::program
