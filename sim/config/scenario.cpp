#include "sim/config/scenario.h"

#include <filesystem>
#include <fmt/format.h>

#include "sim/util/check.h"
#include "sim/util/data_dirs.h"

namespace moeplan::config {

int Scenario::line_of(const std::string& field) const {
  const auto it = lines.find(field);
  return it == lines.end() ? 0 : it->second;
}

std::string_view kind_name(const Workload& w) {
  return std::visit([](const auto& k) -> std::string_view {
    using K = std::decay_t<decltype(k)>;
    if constexpr (std::is_same_v<K, TrainingWorkload>) return "training";
    else return "serving";
  }, w);
}

std::string attention_layout_name(const PlanConfig& p) {
  return p.tp > 1 ? fmt::format("DP{} TP{} + SP", p.dp, p.tp) : fmt::format("DP{}", p.dp);
}

const TrainingWorkload& Scenario::training() const {
  const auto* t = std::get_if<TrainingWorkload>(&workload);
  MOEPLAN_CHECK(t != nullptr, "scenario {} has a {} workload, not training", name, kind_name(workload));
  return *t;
}

const ServingWorkload& Scenario::serving() const {
  const auto* s = std::get_if<ServingWorkload>(&workload);
  MOEPLAN_CHECK(s != nullptr, "scenario {} has a {} workload, not serving", name, kind_name(workload));
  return *s;
}

bool Scenario::full_simulation() const {
  switch (simulation.mode) {
    case SimMode::Full: return true;
    case SimMode::Reduced: return false;
    case SimMode::Auto: return gpus() <= 64;
  }
  return false;
}

std::string default_scenario_path() { return bundled_path("scenarios/deepseek-v3-pretrain-2048xH800.yaml"); }

namespace {

void read_model_section(YamlReader& r, Scenario& s) {
  auto node = r.raw("model");
  if (!node.IsDefined()) {
    r.error("model", "missing; give a path to a HuggingFace config.json or an inline mapping");
  } else if (node.IsScalar()) {
    s.model_file = resolve_path(s.path, node.Scalar());
    s.model = load_hf_config(s.model_file, r.diagnostics());
  } else {
    auto m = r.child("model", true);
    s.model = read_model(m);
  }
}

void read_hardware_section(YamlReader& r, Scenario& s) {
  auto node = r.raw("hardware");
  if (!node.IsDefined()) {
    r.error("hardware", "missing; give a path to a GPU file (hardware/h800.yaml) or an inline `gpu:` mapping");
  } else if (node.IsScalar()) {
    s.hardware_file = resolve_path(s.path, node.Scalar());
    s.gpu = load_gpu_file(s.hardware_file, r.diagnostics());
  } else {
    auto h = r.child("hardware", true);
    auto g = h.child("gpu", true);
    if (g.valid()) s.gpu = read_gpu(g);
    h.finish();
  }
}

void read_workload_section(YamlReader& r, Scenario& s) {
  auto w = r.child("workload", true);
  if (!w.valid()) return;
  const auto kind = w.text("kind", true, {"training", "serving"});
  s.lines["workload"] = r.line_of("workload");
  if (kind && *kind == "serving") {
    s.workload = read_serving_workload(w);
    for (const char* k : {"phase", "batch", "micro_batches", "traffic", "context_tokens", "prompt_tokens"})
      s.lines[fmt::format("workload.{}", k)] = w.line_of(k);
    w.finish();
    return;
  }
  TrainingWorkload t;
  if (auto v = w.integer("global_batch", true, 1, 1LL << 40)) t.global_batch = *v;
  if (auto v = w.integer("sequence_length", true, 1, 1 << 24)) t.sequence_length = static_cast<int>(*v);
  if (auto v = w.integer("micro_batch", true, 1, 1 << 20)) t.micro_batch = static_cast<int>(*v);
  s.workload = t;
  s.lines["workload.global_batch"] = w.line_of("global_batch");
  s.lines["workload.micro_batch"] = w.line_of("micro_batch");
  w.finish();
}

void read_plan_section(YamlReader& r, Scenario& s) {
  auto p = r.child("plan", true);
  if (!p.valid()) return;
  auto& plan = s.plan;
  for (auto [key, out] : {std::pair<const char*, int*>{"pp", &plan.pp}, {"dp", &plan.dp}, {"ep", &plan.ep},
                          {"tp", &plan.tp}}) {
    if (auto v = p.integer(key, std::string(key) != "tp", 1, 1 << 20)) *out = static_cast<int>(*v);
    s.lines[fmt::format("plan.{}", key)] = p.line_of(key);
  }
  // A serving step has no pipeline schedule (pp 1); training names one.
  if (auto v = p.text("schedule", !s.is_serving(), schedule::kind_names()))
    plan.schedule = schedule::parse_kind(*v);
  s.lines["plan.schedule"] = p.line_of("schedule");
  if (auto v = p.integer("chunks", false, 1, 64)) plan.chunks = static_cast<int>(*v);
  if (auto v = p.text("precision", true, {"fp8", "bf16"})) plan.precision = *v == "fp8" ? DType::FP8 : DType::BF16;
  if (auto v = p.integer("comm_sms", false, 0, 1024)) plan.comm_sms = static_cast<int>(*v);
  s.lines["plan.comm_sms"] = p.line_of("comm_sms");
  if (auto v = p.integer("zero_stage", false, 0, 1)) plan.zero_stage = static_cast<int>(*v);
  if (auto v = p.text("all_to_all", false, {"hierarchical", "pairwise", "low_latency"}))
    plan.all_to_all = program::parse_all_to_all(*v);
  s.lines["plan.all_to_all"] = p.line_of("all_to_all");
  if (auto v = p.integer_list("layers_per_stage", false)) {
    for (auto n : *v) {
      if (n < 1 || n > config::kMaxLayers) {
        p.error("layers_per_stage", fmt::format("{} layers in a stage is outside [1, {}]", n, config::kMaxLayers));
        plan.layers_per_stage.clear();
        break;
      }
      plan.layers_per_stage.push_back(static_cast<int>(n));
    }
  }
  s.lines["plan.layers_per_stage"] = p.line_of("layers_per_stage");
  s.lines["plan"] = p.line_of("pp");
  p.finish();
}

void read_simulation_section(YamlReader& r, Scenario& s) {
  auto m = r.child("simulation", false);
  if (!m.valid()) return;
  if (auto v = m.text("mode", false, {"auto", "reduced", "full"}))
    s.simulation.mode = *v == "full" ? SimMode::Full : *v == "reduced" ? SimMode::Reduced : SimMode::Auto;
  if (auto v = m.integer("seed", false, 0, 1LL << 62)) s.simulation.seed = static_cast<std::uint64_t>(*v);
  m.finish();
}

Scenario unread(const std::string& path) {
  Scenario s;
  s.path = path;
  return s;
}

Scenario read_scenario(const YAML::Node& root, const std::string& path, Diagnostics& diag) {
  Scenario s;
  s.path = path;
  YamlReader r(root, path, "", diag);
  if (!r.valid()) {
    diag.add(path, 1, "", "a scenario is a YAML mapping with model, hardware, topology, workload and plan");
    return s;
  }
  s.name = r.text("name", false).value_or(std::filesystem::path(path).stem().string());
  s.description = r.text("description", false).value_or("");
  read_model_section(r, s);
  read_hardware_section(r, s);
  if (const auto t = r.raw("topology"); t.IsMap()) {
    s.topology = read_topology(t, path, "topology", diag);
    s.lines["topology"] = r.line_of("topology");
  } else if (auto file = r.text("topology", true)) {
    s.topology = load_topology(resolve_path(path, *file), diag);
    s.lines["topology"] = r.line_of("topology");
  }
  read_workload_section(r, s);
  read_plan_section(r, s);
  read_simulation_section(r, s);
  if (r.has("routing")) {
    auto m = r.child("routing", false);
    if (m.valid()) s.routing = read_routing(m);
  } else {
    r.raw("routing");
  }
  if (r.has("placement")) {
    auto m = r.child("placement", false);
    if (m.valid()) {
      s.lines["placement.shared_expert_gpus"] = m.line_of("shared_expert_gpus");
      s.placement = read_placement(m);
    }
  } else {
    r.raw("placement");
  }
  s.lines["routing"] = r.line_of("routing");
  s.lines["placement"] = r.line_of("placement");
  r.finish();
  return s;
}

}  // namespace

Scenario load_scenario(const std::string& path, Diagnostics& diag) {
  const auto root = load_yaml_file(path, diag);
  if (!root) return unread(path);
  return read_scenario(*root, path, diag);
}

Scenario parse_scenario(const std::string& text, const std::string& path, Diagnostics& diag) {
  const auto root = load_yaml_text(text, path, diag);
  if (!root) return unread(path);
  return read_scenario(*root, path, diag);
}

}  // namespace moeplan::config
