#include "planner_gui/models/scenario_fields.h"

#include "sim/program/program.h"
#include "sim/schedule/schedule.h"
#include "sim/util/dtype.h"

namespace moeplan::gui {
namespace {

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

template <class Get, class Set>
FieldSpec integer(const char* path, const char* label, qlonglong lo, qlonglong hi, Get get, Set set,
                  const char* tip = "") {
  FieldSpec f;
  f.path = path;
  f.label = label;
  f.kind = FieldKind::Integer;
  f.minimum = lo;
  f.maximum = hi;
  f.tooltip = tip;
  f.get = [get](const config::Scenario& s) { return QVariant::fromValue<qlonglong>(get(s)); };
  f.set = [set](config::Scenario& s, const QVariant& v) { set(s, v.toLongLong()); };
  return f;
}

template <class Get, class Set>
FieldSpec real(const char* path, const char* label, Get get, Set set, const char* tip = "") {
  FieldSpec f;
  f.path = path;
  f.label = label;
  f.kind = FieldKind::Real;
  f.minimum = 0;
  f.maximum = 1000000;
  f.tooltip = tip;
  f.get = [get](const config::Scenario& s) { return QVariant(get(s)); };
  f.set = [set](config::Scenario& s, const QVariant& v) { set(s, v.toDouble()); };
  return f;
}

// A choice over an enum: `names` in enum order.
template <class E, class Get, class Set>
FieldSpec choice(const char* path, const char* label, std::vector<std::pair<E, QString>> names, Get get, Set set,
                 const char* tip = "") {
  FieldSpec f;
  f.path = path;
  f.label = label;
  f.kind = FieldKind::Choice;
  f.tooltip = tip;
  for (const auto& [e, n] : names) f.choices << n;
  f.get = [names, get](const config::Scenario& s) {
    for (const auto& [e, n] : names)
      if (e == get(s)) return QVariant(n);
    return QVariant(QString());
  };
  f.set = [names, set](config::Scenario& s, const QVariant& v) {
    for (const auto& [e, n] : names)
      if (n == v.toString()) set(s, e);
  };
  return f;
}

template <class Get, class Set>
FieldSpec file(const char* path, const char* label, const char* folder, Get get, Set set, const char* tip = "") {
  FieldSpec f;
  f.path = path;
  f.label = label;
  f.kind = FieldKind::File;
  f.file_folder = folder;
  f.tooltip = tip;
  f.get = [get](const config::Scenario& s) { return QVariant(QString::fromStdString(get(s))); };
  f.set = [set](config::Scenario& s, const QVariant& v) { set(s, v.toString().toStdString()); };
  return f;
}

int to_int(qlonglong v) { return static_cast<int>(std::clamp<qlonglong>(v, INT32_MIN, INT32_MAX)); }

std::vector<FieldSpec> make_fields() {
  using config::Scenario;
  std::vector<FieldSpec> fs;
  // model, hardware, topology: references to bundled (or the user's) files
  fs.push_back(file("model", "Model config", "models", [](const Scenario& s) { return s.model_file; },
                    [](Scenario& s, const std::string& v) { s.model_file = v; },
                    "A Hugging Face config.json (models/...)"));
  fs.push_back(file("hardware", "GPU type", "hardware", [](const Scenario& s) { return s.hardware_file; },
                    [](Scenario& s, const std::string& v) { s.hardware_file = v; },
                    "A GPU file (hardware/*.yaml)"));
  fs.push_back(file("topology", "Topology", "topologies", [](const Scenario& s) { return s.topology.path; },
                    [](Scenario& s, const std::string& v) {
                      s.topology.path = v;
                      s.topology.inline_mapping = false;
                    },
                    "A cluster description (topologies/*.yaml)"));
  // workload
  fs.push_back(integer("workload.global_batch", "Global batch (sequences)", 1, INT32_MAX,
                       [](const Scenario& s) { return s.training().global_batch; },
                       [](Scenario& s, qlonglong v) { std::get<config::TrainingWorkload>(s.workload).global_batch = v; }));
  fs.push_back(integer("workload.sequence_length", "Sequence length (tokens)", 1, INT32_MAX,
                       [](const Scenario& s) { return s.training().sequence_length; },
                       [](Scenario& s, qlonglong v) {
                         std::get<config::TrainingWorkload>(s.workload).sequence_length = to_int(v);
                       }));
  fs.push_back(integer("workload.micro_batch", "Micro-batch (sequences)", 1, INT32_MAX,
                       [](const Scenario& s) { return s.training().micro_batch; },
                       [](Scenario& s, qlonglong v) {
                         std::get<config::TrainingWorkload>(s.workload).micro_batch = to_int(v);
                       }));
  // plan
  fs.push_back(integer("plan.pp", "Pipeline parallel (PP)", 1, 1 << 20, [](const Scenario& s) { return s.plan.pp; },
                       [](Scenario& s, qlonglong v) { s.plan.pp = to_int(v); }));
  fs.push_back(integer("plan.dp", "Data parallel (DP)", 1, 1 << 20, [](const Scenario& s) { return s.plan.dp; },
                       [](Scenario& s, qlonglong v) { s.plan.dp = to_int(v); }));
  fs.push_back(integer("plan.ep", "Expert parallel (EP)", 1, 1 << 20, [](const Scenario& s) { return s.plan.ep; },
                       [](Scenario& s, qlonglong v) { s.plan.ep = to_int(v); }));
  fs.push_back(integer("plan.tp", "Tensor parallel (TP)", 1, 1 << 20, [](const Scenario& s) { return s.plan.tp; },
                       [](Scenario& s, qlonglong v) { s.plan.tp = to_int(v); }));
  {
    std::vector<std::pair<schedule::Kind, QString>> kinds;
    for (auto k : schedule::kAllKinds) kinds.emplace_back(k, qs(schedule::to_string(k)));
    fs.push_back(choice("plan.schedule", "Pipeline schedule", kinds,
                        [](const Scenario& s) { return s.plan.schedule; },
                        [](Scenario& s, schedule::Kind k) { s.plan.schedule = k; }));
  }
  fs.push_back(integer("plan.chunks", "Chunks per device (interleaved)", 1, 64,
                       [](const Scenario& s) { return s.plan.chunks; },
                       [](Scenario& s, qlonglong v) { s.plan.chunks = to_int(v); }));
  fs.push_back(choice("plan.precision", "GEMM precision",
                      std::vector<std::pair<DType, QString>>{{DType::FP8, qs(to_string(DType::FP8))},
                                                             {DType::BF16, qs(to_string(DType::BF16))},
                                                             {DType::FP32, qs(to_string(DType::FP32))}},
                      [](const Scenario& s) { return s.plan.precision; },
                      [](Scenario& s, DType d) { s.plan.precision = d; }));
  fs.push_back(integer("plan.comm_sms", "Communication SMs", 0, 1024, [](const Scenario& s) { return s.plan.comm_sms; },
                       [](Scenario& s, qlonglong v) { s.plan.comm_sms = to_int(v); }));
  fs.push_back(choice("plan.zero_stage", "ZeRO stage",
                      std::vector<std::pair<int, QString>>{{0, "0"}, {1, "1"}},
                      [](const Scenario& s) { return s.plan.zero_stage; },
                      [](Scenario& s, int z) { s.plan.zero_stage = z; }));
  {
    FieldSpec f;
    f.path = "plan.layers_per_stage";
    f.label = "Layers per stage";
    f.kind = FieldKind::IntList;
    f.tooltip = "Comma-separated; empty: an even split";
    f.get = [](const Scenario& s) {
      QStringList parts;
      for (int n : s.plan.layers_per_stage) parts << QString::number(n);
      return QVariant(parts.join(", "));
    };
    f.set = [](Scenario& s, const QVariant& v) {
      s.plan.layers_per_stage.clear();
      for (const auto& p : v.toString().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int n = p.trimmed().toInt(&ok);
        s.plan.layers_per_stage.push_back(ok ? n : 0);  // 0: the core says a stage needs a layer
      }
    };
    fs.push_back(f);
  }
  fs.push_back(choice("plan.all_to_all", "All-to-all algorithm",
                      std::vector<std::pair<program::AllToAllAlgorithm, QString>>{
                          {program::AllToAllAlgorithm::Pairwise, qs(program::to_string(program::AllToAllAlgorithm::Pairwise))},
                          {program::AllToAllAlgorithm::Hierarchical,
                           qs(program::to_string(program::AllToAllAlgorithm::Hierarchical))}},
                      [](const Scenario& s) { return s.plan.all_to_all; },
                      [](Scenario& s, program::AllToAllAlgorithm a) { s.plan.all_to_all = a; }));
  // routing
  {
    using D = config::RoutingDistribution;
    std::vector<std::pair<D, QString>> names;
    for (auto d : {D::uniform, D::zipf, D::hot, D::measured}) names.emplace_back(d, config::to_string(d));
    fs.push_back(choice("routing.distribution", "Routing distribution", names,
                        [](const Scenario& s) { return s.routing.distribution; },
                        [](Scenario& s, D d) { s.routing.distribution = d; }));
  }
  fs.push_back(real("routing.zipf_s", "Zipf exponent", [](const Scenario& s) { return s.routing.zipf_s; },
                    [](Scenario& s, double v) { s.routing.zipf_s = v; }));
  fs.push_back(real("routing.hot_fraction", "Hot fraction", [](const Scenario& s) { return s.routing.hot_fraction; },
                    [](Scenario& s, double v) { s.routing.hot_fraction = v; }));
  fs.push_back(integer("routing.hot_experts", "Hot experts", 0, 1 << 20,
                       [](const Scenario& s) { return s.routing.hot_experts; },
                       [](Scenario& s, qlonglong v) { s.routing.hot_experts = to_int(v); }));
  fs.push_back(integer("routing.node_limit", "Node limit M (0: none)", 0, 1 << 20,
                       [](const Scenario& s) { return s.routing.node_limit; },
                       [](Scenario& s, qlonglong v) { s.routing.node_limit = to_int(v); }));
  fs.push_back(integer("routing.sample_tokens", "Sampled tokens per GPU", 1, 1 << 24,
                       [](const Scenario& s) { return s.routing.sample_tokens; },
                       [](Scenario& s, qlonglong v) { s.routing.sample_tokens = to_int(v); }));
  fs.push_back(integer("routing.seed", "Routing seed", 0, INT32_MAX,
                       [](const Scenario& s) { return static_cast<qlonglong>(s.routing.seed); },
                       [](Scenario& s, qlonglong v) { s.routing.seed = static_cast<std::uint64_t>(v); }));
  // placement
  {
    using P = config::PlacementPolicy;
    fs.push_back(choice("placement.policy", "Placement policy",
                        std::vector<std::pair<P, QString>>{{P::contiguous, config::to_string(P::contiguous)},
                                                           {P::eplb, config::to_string(P::eplb)}},
                        [](const Scenario& s) { return s.placement.policy; },
                        [](Scenario& s, P p) { s.placement.policy = p; }));
  }
  fs.push_back(integer("placement.redundant_experts", "Redundant experts", 0, 1 << 20,
                       [](const Scenario& s) { return s.placement.redundant_experts; },
                       [](Scenario& s, qlonglong v) { s.placement.redundant_experts = to_int(v); }));
  fs.push_back(integer("placement.shared_expert_gpus", "Shared-expert GPUs (0: on every GPU)", 0, 1 << 20,
                       [](const Scenario& s) { return s.placement.shared_expert_gpus; },
                       [](Scenario& s, qlonglong v) { s.placement.shared_expert_gpus = to_int(v); }));
  // simulation
  {
    using M = config::SimMode;
    fs.push_back(choice("simulation.mode", "Simulation mode",
                        std::vector<std::pair<M, QString>>{{M::Auto, "auto"}, {M::Reduced, "reduced"}, {M::Full, "full"}},
                        [](const Scenario& s) { return s.simulation.mode; },
                        [](Scenario& s, M m) { s.simulation.mode = m; }));
  }
  fs.push_back(integer("simulation.seed", "Simulation seed", 0, INT32_MAX,
                       [](const Scenario& s) { return static_cast<qlonglong>(s.simulation.seed); },
                       [](Scenario& s, qlonglong v) { s.simulation.seed = static_cast<std::uint64_t>(v); }));
  for (auto& f : fs) f.group = f.path.section('.', 0, 0);
  return fs;
}

}  // namespace

const std::vector<FieldSpec>& scenario_fields() {
  static const std::vector<FieldSpec> fields = make_fields();
  return fields;
}

const FieldSpec* find_field(const QString& path) {
  for (const auto& f : scenario_fields())
    if (f.path == path) return &f;
  return nullptr;
}

const std::vector<std::pair<QString, QString>>& field_groups() {
  static const std::vector<std::pair<QString, QString>> groups{
      {"model", "Model"},       {"hardware", "GPU"},       {"topology", "Topology"},
      {"workload", "Workload"}, {"plan", "Parallel plan"}, {"routing", "Routing"},
      {"placement", "Placement"}, {"simulation", "Simulation"}};
  return groups;
}

}  // namespace moeplan::gui
