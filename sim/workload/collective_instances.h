// The numbering of a program's rank groups and collective instances as a
// builder emits them: the n-th collective of a rank in a group joins the
// group's n-th instance, whatever order the member ranks are built in.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/program/program.h"

namespace moeplan::workload {

class CollectiveInstances {
 public:
  explicit CollectiveInstances(program::Program& prog) : prog_(prog) {}

  // Index in Program::groups of the `kind` group whose first rank is
  // ranks.front(); added the first time it is named.
  int group_index(const std::string& kind, const std::vector<int>& ranks);
  // A collective op of `rank` on the comm stream, in the instance of its next
  // collective in `group`.
  program::Op collective(int rank, program::CollectiveKind kind, program::Part part, int group);

 private:
  program::Program& prog_;
  std::map<std::pair<std::string, int>, int> group_of_;  // (kind, first rank) -> group
  std::map<std::pair<int, int>, int> next_seq_;          // (rank, group) -> collectives so far
  std::map<std::pair<int, int>, int> instance_of_;       // (group, seq) -> instance
  int next_instance_ = 0;
};

}  // namespace moeplan::workload
