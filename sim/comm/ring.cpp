#include "sim/comm/ring.h"

#include "sim/util/check.h"

namespace moeplan::comm {

int ring_steps(program::CollectiveKind kind, int n) {
  switch (kind) {
    case program::CollectiveKind::ReduceScatter:
    case program::CollectiveKind::AllGather: return n - 1;
    case program::CollectiveKind::AllReduce: return 2 * (n - 1);
    case program::CollectiveKind::AllToAll: break;
  }
  MOEPLAN_CHECK(false, "{} is not a ring collective", program::to_string(kind));
  return 0;
}

}  // namespace moeplan::comm
