// Time intervals [start, end): the length of a union, and the part of one
// set not covered by another (what the report calls exposed).
#pragma once

#include <utility>
#include <vector>

namespace moeplan {

using Interval = std::pair<double, double>;

double union_length(std::vector<Interval> v);
// Length of the union of `a` not covered by the union of `cover`.
double uncovered(const std::vector<Interval>& a, std::vector<Interval> cover);
// What of `comm` is not hidden by `covered`, which then takes `comm` in too:
// called in turn, each kind of communication is exposed only where neither
// compute nor an earlier kind covers it.
double expose(const std::vector<Interval>& comm, std::vector<Interval>& covered);

}  // namespace moeplan
