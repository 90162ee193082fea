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
  write_file_atomically(path, [&](std::ostream& out) { out << j.dump(2) << "\n"; });
}

double CostModel::compute_efficiency(const program::Op& op) const {
  if (auto e = cal_.lookup(op.part, op.pass)) return *e;
  return op.part == program::Part::AttentionCore ? gpu_.attention.value : gpu_.gemm.value;
}

double CostModel::compute_seconds(const program::Op& op) const {
  const double flops_s = op.flops > 0 ? op.flops / (gpu_.peak(op.dtype) * compute_efficiency(op)) : 0.0;
  const double bytes_s = op.bytes > 0 ? op.bytes / (gpu_.hbm_Bps * gpu_.memory.value) : 0.0;
  return std::max(flops_s, bytes_s);
}

}  // namespace moeplan::cost
