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

void run_flows_member(const std::string& prefix, int me, const std::vector<Flow>& flows) {
  std::vector<simgrid::s4u::CommPtr> comms;
  std::size_t incoming = 0;
  for (const auto& f : flows) {
    if (f.src == me)
      comms.push_back(simgrid::s4u::Mailbox::by_name(fmt::format("{}:{}", prefix, f.dst))->put_async(&g_payload, to_bytes(f.bytes)));
    if (f.dst == me) ++incoming;
  }
  auto* mine = simgrid::s4u::Mailbox::by_name(fmt::format("{}:{}", prefix, me));
  std::vector<char*> sinks(incoming, nullptr);
  for (auto& sink : sinks) comms.push_back(mine->get_async<char>(&sink));
  for (auto& c : comms) c->wait();  // all of them, in turn (Comm::wait_all is deprecated from SimGrid 3.35)
}

void run_member(program::CollectiveKind kind, const std::string& prefix, int me, int n, double bytes,
                const std::vector<Flow>& flows) {
  if (kind == program::CollectiveKind::AllToAll) run_flows_member(prefix, me, flows);
  else run_ring_member(kind, prefix, me, n, bytes);
}

std::set<std::pair<int, int>> collective_pairs(program::CollectiveKind kind, const std::vector<int>& gpus,
                                               const std::vector<Flow>& flows) {
  std::set<std::pair<int, int>> pairs;
  if (kind == program::CollectiveKind::AllToAll) {
    for (const auto& f : flows) pairs.insert({gpus[static_cast<std::size_t>(f.src)], gpus[static_cast<std::size_t>(f.dst)]});
    return pairs;
  }
  const std::size_t n = gpus.size();
  for (std::size_t i = 0; i < n; ++i) pairs.insert({gpus[i], gpus[(i + 1) % n]});
  return pairs;
}

}  // namespace moeplan::engine
