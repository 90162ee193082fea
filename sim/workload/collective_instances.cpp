#include "sim/workload/collective_instances.h"

namespace moeplan::workload {

int CollectiveInstances::group_index(const std::string& kind, const std::vector<int>& ranks) {
  auto [it, inserted] = group_of_.try_emplace({kind, ranks.front()}, static_cast<int>(prog_.groups.size()));
  if (inserted) prog_.groups.push_back({kind, ranks});
  return it->second;
}

program::Op CollectiveInstances::collective(int rank, program::CollectiveKind kind, program::Part part, int group) {
  program::Op op;
  op.rank = rank;
  op.type = program::OpType::Collective;
  op.stream = program::Stream::Comm;
  op.part = part;
  op.collective = kind;
  op.group = group;
  const int seq = next_seq_[{rank, group}]++;
  auto [it, inserted] = instance_of_.try_emplace({group, seq}, next_instance_);
  if (inserted) ++next_instance_;
  op.instance = it->second;
  return op;
}

}  // namespace moeplan::workload
