#include "sim/config/gpu.h"

#include <filesystem>
#include <fmt/format.h>

#include "sim/util/check.h"

namespace moeplan::config {

double GpuSpec::peak(DType d) const {
  const auto it = peak_flops.find(d);
  MOEPLAN_CHECK(it != peak_flops.end(), "GPU {} has no peak for {}", name, to_string(d));
  return it->second;
}

namespace {

Efficiency read_efficiency(YamlReader& parent, const std::string& key) {
  Efficiency e;
  auto r = parent.child(key, true);
  if (!r.valid()) return e;
  if (auto v = r.number("value", true, 0.0)) {
    if (*v > 1.0) r.error("value", fmt::format("{} is above 1; an efficiency is a fraction of the ceiling", *v));
    if (*v == 0.0) r.error("value", "0 would make every kernel take forever; an efficiency is in (0, 1]");
    e.value = *v;
  }
  if (auto s = r.text("source", true)) e.source = *s;
  r.finish();
  return e;
}

}  // namespace

GpuSpec read_gpu(YamlReader& r) {
  GpuSpec g;
  if (auto n = r.text("name", true)) g.name = *n;
  if (auto v = r.integer("sms", true, 1, 100000)) g.sms = static_cast<int>(*v);
  auto peak = r.child("peak", true);
  for (auto [key, d] : {std::pair{"fp8", DType::FP8}, {"bf16", DType::BF16}, {"fp32", DType::FP32}})
    if (auto v = peak.quantity(key, Dimension::FlopsPerSecond, d == DType::BF16)) g.peak_flops[d] = *v;
  peak.finish();
  if (!g.peak_flops.count(DType::FP8) && g.peak_flops.count(DType::BF16))
    g.peak_flops[DType::FP8] = g.peak_flops[DType::BF16];  // no FP8 tensor cores: runs at BF16 rate
  if (!g.peak_flops.count(DType::FP32) && g.peak_flops.count(DType::BF16))
    g.peak_flops[DType::FP32] = g.peak_flops[DType::BF16] / 2;
  if (auto v = r.quantity("hbm_bandwidth", Dimension::BytesPerSecond, true)) g.hbm_Bps = *v;
  if (auto v = r.quantity("hbm_capacity", Dimension::Bytes, true)) {
    if (*v <= 0) r.error("hbm_capacity", "0 bytes cannot hold a model; expected a size such as \"80 GB\"");
    g.hbm_bytes = *v;
  }
  auto eff = r.child("efficiency", true);
  if (eff.valid()) {
    g.gemm = read_efficiency(eff, "gemm");
    g.attention = read_efficiency(eff, "attention");
    g.memory = read_efficiency(eff, "memory");
    eff.finish();
  }
  auto prof = r.child("kernel_profile", false);
  if (prof.valid()) {
    if (auto f = prof.text("file", true)) {
      namespace fs = std::filesystem;
      fs::path p(*f);
      if (p.is_relative() && !r.file().empty()) p = fs::path(r.file()).parent_path() / p;
      g.kernel_profile.path = p.lexically_normal().string();
      if (!fs::exists(p))
        prof.error("file", fmt::format("{} does not exist; measure one with moeplan-run --profile-kernels", p.string()));
    }
    if (auto s = prof.text("source", true)) g.kernel_profile.source = *s;
    prof.finish();
  }
  r.finish();
  return g;
}

GpuSpec load_gpu_file(const std::string& path, Diagnostics& diag) {
  auto root = load_yaml_file(path, diag);
  if (!root) return {};
  YamlReader top(*root, path, "", diag);
  auto r = top.child("gpu", true);
  GpuSpec g = r.valid() ? read_gpu(r) : GpuSpec{};
  top.finish();
  return g;
}

}  // namespace moeplan::config
