// The calibration fit against traces made to a known efficiency.
#include "sim/cost/calibration_fit.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "sim/config/scenario.h"
#include "sim/plan/validate.h"
#include "sim/workload/train_step.h"
#include "tests/sim/test_paths.h"

namespace moeplan::cost {
namespace {

struct Case {
  config::Scenario scenario;
  program::Program program;
};

Case load(const std::string& name) {
  Diagnostics diag;
  Case c{config::load_scenario(test::source_path("scenarios/" + name), diag), {}};
  const auto vp = plan::validate_plan(c.scenario, diag);
  EXPECT_TRUE(diag.empty() && vp) << diag.to_string();
  c.program = workload::build_train_step(c.scenario, *vp, {});
  // The fit on its own: memory-bound kernels at the file's HBM rate, not at
  // the bundled kernel profile's measured rates.
  c.scenario.gpu.kernel_profile = {};
  return c;
}

// Every compute op of rank 0 back to back, each taking its GEMM FLOPs /
// (peak x e) plus its memory-bound kernels' bytes at the file's HBM rate:
// e = 0.5 for attention ops, 0.4 for the attention core, 0.25 for all others.
trace::Trace trace_at(const program::Program& p, const config::GpuSpec& gpu) {
  trace::Trace t;
  double clock = 0;
  for (const auto id : p.by_rank[0]) {
    const auto& op = p.op(id);
    if (op.type != program::OpType::Compute || op.flops <= 0) continue;
    const double e = op.part == program::Part::Attention       ? 0.5
                     : op.part == program::Part::AttentionCore ? 0.4
                                                               : 0.25;
    double gemm_flops = op.gemms.empty() ? op.flops : 0.0;
    for (const auto& g : op.gemms)
      gemm_flops += 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) * static_cast<double>(g.k);
    double d = gemm_flops / (gpu.peak(op.dtype) * e);
    for (const auto& k : op.kernels) d += program::kernel_bytes(k) / (gpu.hbm_Bps * gpu.memory.value);
    t.records.push_back({.op = id, .rank = 0, .stream = op.stream, .start_s = clock, .end_s = clock + d});
    clock += d;
  }
  return t;
}

TEST(CalibrationFit, RecoversTheEfficiencyTheTraceWasMadeWith) {
  const auto c = load("h200x2-ep2.yaml");
  const auto fit = fit_calibration(c.program, trace_at(c.program, c.scenario.gpu), c.scenario.gpu, "test");
  const auto& eff = fit.calibration.compute_efficiency;
  ASSERT_TRUE(eff.count("attention/F") && eff.count("dense_ffn/W") && eff.count("routed_experts/Bi"));
  EXPECT_NEAR(eff.at("attention/F"), 0.5, 1e-9);
  EXPECT_NEAR(eff.at("attention/W"), 0.5, 1e-9);
  EXPECT_NEAR(eff.at("dense_ffn/W"), 0.25, 1e-9);
  EXPECT_NEAR(eff.at("routed_experts/Bi"), 0.25, 1e-9);
  EXPECT_NEAR(eff.at("attention_core/F"), 0.4, 1e-9);  // the runtime runs it for real (cuDNN)
  for (const auto& k : fit.kinds) EXPECT_GT(k.default_efficiency, 0) << k.key;
}

TEST(CalibrationFit, OpsThatOverlapAnotherComputeOpAreNotUsed) {
  const auto c = load("h200x2-ep2.yaml");
  auto t = trace_at(c.program, c.scenario.gpu);
  // Slide every dense_ffn op onto its predecessor's span.
  for (std::size_t i = 1; i < t.records.size(); ++i)
    if (c.program.op(t.records[i].op).part == program::Part::DenseFfn) {
      const double d = t.records[i].duration_s();
      t.records[i].start_s = t.records[i - 1].start_s;
      t.records[i].end_s = t.records[i].start_s + d;
    }
  const auto fit = fit_calibration(c.program, t, c.scenario.gpu, "test");
  EXPECT_FALSE(fit.calibration.compute_efficiency.count("dense_ffn/F"));
  EXPECT_NEAR(fit.calibration.compute_efficiency.at("attention/Bi"), 0.5, 1e-9);
  for (const auto& k : fit.kinds)
    if (k.key == "dense_ffn/F") {
      EXPECT_EQ(k.ops, 0);
    }
}

TEST(CalibrationFit, SavedCalibrationLoadsBackAndDrivesTheCostModel) {
  const auto c = load("h200x2-ep2.yaml");
  const auto fit = fit_calibration(c.program, trace_at(c.program, c.scenario.gpu), c.scenario.gpu, "test");
  const auto path = (std::filesystem::temp_directory_path() / "moeplan-calibration-test.json").string();
  fit.calibration.save(path);
  const auto loaded = Calibration::load(path);
  EXPECT_EQ(loaded.compute_efficiency, fit.calibration.compute_efficiency);
  const CostModel model(c.scenario.gpu, loaded);
  // A compute-bound attention op's GEMMs now run at the fitted efficiency; its
  // memory-bound kernels still move their bytes at the file's HBM rate.
  const auto& gpu = c.scenario.gpu;
  for (const auto& op : c.program.ops)
    if (op.part == program::Part::Attention && op.pass == program::Pass::F && op.type == program::OpType::Compute) {
      double expected = 0;
      for (const auto& g : op.gemms) {
        const double m = static_cast<double>(g.m), n = static_cast<double>(g.n), k = static_cast<double>(g.k);
        expected += std::max(2 * m * n * k / (gpu.peak(op.dtype) * 0.5),
                             ((m * k + n * k) * bytes_of(op.dtype) + m * n * 2) / (gpu.hbm_Bps * gpu.memory.value));
      }
      for (const auto& k : op.kernels) expected += program::kernel_bytes(k) / (gpu.hbm_Bps * gpu.memory.value);
      ASSERT_FALSE(op.kernels.empty());
      EXPECT_NEAR(model.compute_seconds(op), expected, expected * 1e-12);
      break;
    }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace moeplan::cost
