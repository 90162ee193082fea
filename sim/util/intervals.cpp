#include "sim/util/intervals.h"

#include <algorithm>

namespace moeplan {

double union_length(std::vector<Interval> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  double total = 0, cur_s = v.front().first, cur_e = v.front().first;
  for (const auto& [s, e] : v) {
    if (s > cur_e) {
      total += cur_e - cur_s;
      cur_s = s, cur_e = e;
    } else {
      cur_e = std::max(cur_e, e);
    }
  }
  return total + (cur_e - cur_s);
}

double uncovered(const std::vector<Interval>& a, std::vector<Interval> cover) {
  std::vector<Interval> both = a;
  both.insert(both.end(), cover.begin(), cover.end());
  return union_length(std::move(both)) - union_length(std::move(cover));
}

double expose(const std::vector<Interval>& comm, std::vector<Interval>& covered) {
  const double exposed = uncovered(comm, covered);
  covered.insert(covered.end(), comm.begin(), comm.end());
  return exposed;
}

}  // namespace moeplan
