#include "sim/cost/calibration_fit.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace moeplan::cost {

using program::Op;

namespace {

// Ops whose measured span overlaps another compute op of the same rank.
std::vector<char> overlapped_ops(const program::Program& p, const trace::Trace& t) {
  std::vector<char> overlapped(p.ops.size(), 0);
  std::map<int, std::vector<const trace::Record*>> by_rank;
  for (const auto& r : t.records)
    if (p.op(r.op).type == program::OpType::Compute) by_rank[r.rank].push_back(&r);
  for (auto& [rank, recs] : by_rank) {
    std::sort(recs.begin(), recs.end(), [](auto* a, auto* b) { return a->start_s < b->start_s; });
    double reach = -1;  // latest end so far
    const trace::Record* reaching = nullptr;
    for (const auto* r : recs) {
      if (reaching && r->start_s < reach) {
        overlapped[static_cast<std::size_t>(r->op)] = 1;
        overlapped[static_cast<std::size_t>(reaching->op)] = 1;
      }
      if (r->end_s > reach) {
        reach = r->end_s;
        reaching = r;
      }
    }
  }
  return overlapped;
}

}  // namespace

CalibrationFit fit_calibration(const program::Program& p, const trace::Trace& measured, const config::GpuSpec& gpu,
                               const std::string& source) {
  const CostModel defaults(gpu);
  const auto overlapped = overlapped_ops(p, measured);
  struct Sum {
    double flop_seconds = 0, measured_s = 0;  // FLOPs at peak, and measured
    FittedKind row;
  };
  std::vector<Sum> sums;
  std::map<std::string, std::size_t> index;
  for (const auto& r : measured.records) {
    const Op& op = p.op(r.op);
    if (op.type != program::OpType::Compute || op.flops <= 0) continue;
    const auto key = fmt::format("{}/{}", program::to_string(op.part), program::to_string(op.pass));
    auto [it, added] = index.try_emplace(key, sums.size());
    if (added) {
      sums.push_back({});
      sums.back().row.key = key;
      sums.back().row.default_efficiency = defaults.compute_efficiency(op);
    }
    auto& s = sums[it->second];
    // The op's GEMM (or attention) FLOPs, and the time its memory-bound
    // kernels take by the model: the rest of the measured time is the GEMMs'.
    double gemm_flops = op.gemms.empty() ? op.flops : 0.0;
    double gemm_bytes = op.gemms.empty() ? op.bytes : 0.0;
    for (const auto& g : op.gemms) {
      gemm_flops += program::gemm_flops(g);
      gemm_bytes += program::gemm_bytes(g, op.dtype);
    }
    double kernels_s = 0;
    for (const auto& k : op.kernels) kernels_s += defaults.kernel_seconds(k);
    const double at_peak = gemm_flops / gpu.peak(op.dtype);
    const double memory_s = gemm_bytes / (gpu.hbm_Bps * gpu.memory.value);
    const double gemm_measured_s = r.duration_s() - kernels_s;
    const bool usable = at_peak / defaults.compute_efficiency(op) > memory_s &&
                        !overlapped[static_cast<std::size_t>(op.id)] && gemm_measured_s > 0.5 * r.duration_s();
    if (!usable) {
      ++s.row.skipped;
      continue;
    }
    ++s.row.ops;
    s.flop_seconds += at_peak;
    s.measured_s += gemm_measured_s;
  }
  CalibrationFit fit;
  fit.calibration.source = source;
  fit.calibration.eager_launch = fit_eager_launch(p, measured);
  for (auto& s : sums) {
    if (s.row.ops > 0) {
      s.row.efficiency = std::min(1.0, s.flop_seconds / s.measured_s);
      if (!(s.row.efficiency >= kMinCalibratedEfficiency))
        throw std::runtime_error(fmt::format(
            "{}: {} ops took {} s where the GPU's peak needs {} s: an efficiency of {:.3g}, below {}; the trace's "
            "times are not plausible for {} (another GPU, or broken times)", s.row.key, s.row.ops, s.measured_s,
            s.flop_seconds, s.flop_seconds / s.measured_s, kMinCalibratedEfficiency, gpu.name));
      fit.calibration.compute_efficiency[s.row.key] = s.row.efficiency;
    }
    fit.kinds.push_back(s.row);
  }
  return fit;
}

}  // namespace moeplan::cost
