#include "sim/engine/collectives.h"

#include <cmath>
#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include "sim/util/check.h"

namespace moeplan::engine {
namespace {

char g_payload = 0;  // transfers carry no data, only a simulated size

std::uint64_t to_bytes(double b) { return static_cast<std::uint64_t>(std::llround(b)); }

}  // namespace

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

void run_ring_member(program::CollectiveKind kind, const std::string& prefix, int me, int n, double bytes) {
  if (n < 2) return;
  auto* next = simgrid::s4u::Mailbox::by_name(fmt::format("{}:{}", prefix, (me + 1) % n));
  auto* mine = simgrid::s4u::Mailbox::by_name(fmt::format("{}:{}", prefix, me));
  const auto chunk = to_bytes(bytes / n);
  for (int step = 0; step < ring_steps(kind, n); ++step) {
    auto send = next->put_async(&g_payload, chunk);
    mine->get<char>();
    send->wait();
  }
}

void run_all_to_all_member(const std::string& prefix, int me, const std::vector<std::vector<double>>& matrix) {
  const int n = static_cast<int>(matrix.size());
  std::vector<simgrid::s4u::CommPtr> comms;
  for (int j = 0; j < n; ++j) {
    const auto b = to_bytes(matrix[static_cast<std::size_t>(me)][static_cast<std::size_t>(j)]);
    if (j == me || b == 0) continue;
    comms.push_back(simgrid::s4u::Mailbox::by_name(fmt::format("{}:{}", prefix, j))->put_async(&g_payload, b));
  }
  auto* mine = simgrid::s4u::Mailbox::by_name(fmt::format("{}:{}", prefix, me));
  std::vector<char*> sinks(static_cast<std::size_t>(n), nullptr);
  for (int i = 0; i < n; ++i) {
    if (i == me || to_bytes(matrix[static_cast<std::size_t>(i)][static_cast<std::size_t>(me)]) == 0) continue;
    comms.push_back(mine->get_async<char>(&sinks[static_cast<std::size_t>(i)]));
  }
  simgrid::s4u::Comm::wait_all(comms);
}

void run_collective_member(program::CollectiveKind kind, const std::string& prefix, int me, int n, double bytes,
                           const std::vector<std::vector<double>>& matrix) {
  if (kind == program::CollectiveKind::AllToAll) run_all_to_all_member(prefix, me, matrix);
  else run_ring_member(kind, prefix, me, n, bytes);
}

}  // namespace moeplan::engine
