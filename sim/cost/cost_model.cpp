#include "sim/cost/cost_model.h"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sim/util/atomic_file.h"
#include "sim/util/input_file.h"

namespace moeplan::cost {

std::optional<double> Calibration::lookup(program::Part part, program::Pass pass) const {
  const auto exact = fmt::format("{}/{}", program::to_string(part), program::to_string(pass));
  if (auto it = compute_efficiency.find(exact); it != compute_efficiency.end()) return it->second;
  if (auto it = compute_efficiency.find(std::string(program::to_string(part))); it != compute_efficiency.end())
    return it->second;
  return std::nullopt;
}

Calibration Calibration::load(const std::string& path) {
  const auto text = read_input_file(path, "calibration");
  Calibration c;
  try {
    const auto j = nlohmann::json::parse(text);
    if (!j.is_object() || !j.contains("compute_efficiency") || !j["compute_efficiency"].is_object())
      throw std::runtime_error("not a calibration (an object with \"compute_efficiency\": {\"<part>/<pass>\": "
                               "efficiency, ...}); write one with moeplan calibrate");
    c.source = j.contains("source") && j["source"].is_string() ? j["source"].get<std::string>() : path;
    for (const auto& [k, v] : j["compute_efficiency"].items()) {
      if (!v.is_number())
        throw std::runtime_error(fmt::format("compute_efficiency.{} = {} is not a number", k, json_brief(v)));
      const double e = v.get<double>();
      if (!(e >= kMinCalibratedEfficiency && e <= 1))
        throw std::runtime_error(fmt::format("compute_efficiency.{} = {} must be in [{}, 1] (a fraction of peak)", k,
                                             e, kMinCalibratedEfficiency));
      c.compute_efficiency[k] = e;
    }
    if (j.contains("eager_launch")) {
      const auto& l = j["eager_launch"];
      auto seconds = [&](const char* key) {
        if (!l.is_object() || !l.contains(key) || !l[key].is_number() || l[key].get<double>() < 0 ||
            l[key].get<double>() > 1)
          throw std::runtime_error(fmt::format("eager_launch.{} must be a number of seconds in [0, 1] (host time to "
                                               "launch; moeplan calibrate writes it)", key));
        return l[key].get<double>();
      };
      EagerLaunch e;
      e.per_op_s = seconds("per_op_s");
      e.per_library_call_s = seconds("per_library_call_s");
      e.per_kernel_s = seconds("per_kernel_s");
      e.ops = l.contains("ops") && l["ops"].is_number_integer() ? l["ops"].get<int>() : 0;
      c.eager_launch = e;
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  }
  return c;
}

void Calibration::save(const std::string& path) const {
  nlohmann::json j;
  j["source"] = source;
  j["compute_efficiency"] = compute_efficiency;
  if (eager_launch)
    j["eager_launch"] = {{"per_op_s", eager_launch->per_op_s},
                         {"per_library_call_s", eager_launch->per_library_call_s},
                         {"per_kernel_s", eager_launch->per_kernel_s},
                         {"ops", eager_launch->ops}};
  write_file_atomically(path, [&](std::ostream& out) { out << j.dump(2) << "\n"; });
}

CostModel::CostModel(config::GpuSpec gpu, Calibration cal) : gpu_(std::move(gpu)), cal_(std::move(cal)) {
  if (!gpu_.kernel_profile.path.empty()) profile_ = KernelProfile::load(gpu_.kernel_profile.path);
}

double CostModel::compute_efficiency(const program::Op& op) const {
  if (auto e = cal_.lookup(op.part, op.pass)) return *e;
  return op.part == program::Part::AttentionCore ? gpu_.attention.value : gpu_.gemm.value;
}

namespace {
double roofline_s(double flops, double flops_per_s, double bytes, double bytes_per_s) {
  return std::max(flops > 0 ? flops / flops_per_s : 0.0, bytes > 0 ? bytes / bytes_per_s : 0.0);
}
}  // namespace

double CostModel::gemm_seconds(const program::Op& op, const program::Gemm& g) const {
  // Gating and head GEMMs run in BF16 whatever the plan's precision (op.dtype says so).
  const double flops = program::gemm_flops(g);
  if (!cal_.lookup(op.part, op.pass) && profile_)
    if (auto rate = profile_->gemm_flops_per_s(op.dtype, op.pass, g)) return flops / *rate;
  return roofline_s(flops, gpu_.peak(op.dtype) * compute_efficiency(op), program::gemm_bytes(g, op.dtype),
                    gpu_.hbm_Bps * gpu_.memory.value);
}

double CostModel::kernel_seconds(const program::Kernel& k) const {
  const double bytes = program::kernel_bytes(k);
  if (profile_)
    if (auto rate = profile_->kernel_bytes_per_s(k.kind, bytes)) return bytes / *rate;
  return bytes / (gpu_.hbm_Bps * gpu_.memory.value);
}

double CostModel::attention_seconds(const program::Op& op) const {
  // The profile measured causal self-attention (cuDNN): it prices a prompt
  // with a cached prefix at the rate of its whole length. The absorbed-MLA
  // decode kernel over the latent cache has its own surface; a profile
  // without one leaves it the roofline of its FLOPs and its cache bytes (the
  // larger wins).
  if (!cal_.lookup(op.part, op.pass) && profile_ && op.attention.sequences > 0) {
    if (op.attention.latent) {
      if (auto rate = profile_->latent_attention_flops_per_s(op.attention)) return op.flops / *rate;
    } else {
      auto measured = op.attention;
      measured.length += measured.cached;
      measured.cached = 0;
      if (auto rate = profile_->attention_flops_per_s(op.pass, measured)) return op.flops / *rate;
    }
  }
  return roofline_s(op.flops, gpu_.peak(op.dtype) * compute_efficiency(op), op.bytes, gpu_.hbm_Bps * gpu_.memory.value);
}

double CostModel::compute_seconds(const program::Op& op) const {
  if (op.part == program::Part::AttentionCore) return attention_seconds(op);
  if (op.gemms.empty() && op.kernels.empty())
    return roofline_s(op.flops, gpu_.peak(op.dtype) * compute_efficiency(op), op.bytes,
                      gpu_.hbm_Bps * gpu_.memory.value);
  double s = 0;
  for (const auto& g : op.gemms) s += gemm_seconds(op, g);
  for (const auto& k : op.kernels) s += kernel_seconds(k);
  return s;
}

}  // namespace moeplan::cost
