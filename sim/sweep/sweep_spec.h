// A sweep: a base scenario and axes over its fields, read from YAML.
//
//   name: v3-layouts
//   base: ../scenarios/deepseek-v3-pretrain-2048xH800.yaml
//   tier: analytic              # analytic | des | both
//   unset: [plan.layers_per_stage]   # fields of the base dropped first (even split)
//   axes:                       # crossed: every combination, the first axis slowest
//     plan.schedule: [1f1b, zb1p, dualpipe, dualpipev]
//     topology.nodes: {from: 32, to: 256, step: 32}
//   zip:                        # each group is one axis whose fields advance together
//     - {plan.pp: [8, 16], plan.dp: [256, 128]}
//   where:                      # keep a combination only if every condition holds
//     - {field: gpus, max: 2048}        # gpus = pp x dp x tp
//     - {field: plan.schedule, not_in: [zb1p]}
//
// A field is a dotted path into the scenario (`plan.pp`, `routing.zipf_s`,
// `placement.redundant_experts`, `topology.nodes`); a topology or hardware
// given as a file is read into the scenario when an axis reaches inside it.
// Every problem names the sweep file, line and field.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/util/diagnostics.h"

namespace moeplan::sweep {

enum class Tier { Analytic, Des, Both };
std::string_view to_string(Tier t);

struct Axis {
  std::vector<std::string> fields;           // one, or several advancing together (zip)
  std::vector<std::vector<YAML::Node>> values;  // values[i][f]: the i-th point's value of fields[f]
  int line = 0;
  std::size_t size() const { return values.size(); }
};

struct Condition {
  std::string field;  // a scenario field, or `gpus`
  std::optional<double> min, max;
  std::vector<std::string> in, not_in;
  int line = 0;
};

struct SweepSpec {
  std::string path;
  std::string name;
  std::string base_path;  // resolved
  YAML::Node base;        // the base scenario's YAML, files of reached-into sections read in
  Tier tier = Tier::Analytic;
  std::vector<std::string> unset;
  std::vector<Axis> axes;  // crossed, first slowest
  std::vector<Condition> where;

  // Column names of the axes' fields, in order.
  std::vector<std::string> fields() const;
  // Combinations before filtering.
  std::size_t combinations() const;
};

// Reads and checks a sweep file; every problem goes to `diag`.
std::optional<SweepSpec> load_sweep_spec(const std::string& path, Diagnostics& diag);

}  // namespace moeplan::sweep
