// The configurations of a sweep: every combination of its axes (crossed,
// the first axis slowest) that passes its `where` conditions, each as
// scenario text over the base, with its axis values and a configuration hash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/sweep/sweep_spec.h"

namespace moeplan::sweep {

using Point = std::vector<std::size_t>;  // per axis, the index of its value

struct Configuration {
  std::size_t index = 0;            // ordinal among the kept configurations
  Point point;
  std::vector<std::string> values;  // per field of spec.fields(), as text
  std::string hash;                 // of the base, the fields' values and the tier (16 hex digits)
};

Point first_point(const SweepSpec& s);
// The base with `unset` fields dropped and the point's values set.
YAML::Node apply_point(const SweepSpec& s, const Point& p);
std::string scenario_text(const SweepSpec& s, const Point& p);
std::vector<std::string> point_values(const SweepSpec& s, const Point& p);
// Whether the scenario node meets every `where` condition.
bool meets(const SweepSpec& s, const YAML::Node& scenario);

// Every kept configuration, in order; `tier` goes into the hash (a DES row
// and an analytic row of one point are different results).
std::vector<Configuration> configurations(const SweepSpec& s, Tier tier);

// FNV-1a, 64 bits, as 16 hex digits.
std::string hash_text(const std::string& text);

}  // namespace moeplan::sweep
