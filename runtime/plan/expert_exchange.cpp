#include "runtime/plan/expert_exchange.h"

#include <fmt/format.h>

#include <numeric>
#include <stdexcept>

namespace moeplan::runtime {

std::int64_t ExpertExchange::rows_received() const {
  return std::accumulate(recv_rows.begin(), recv_rows.end(), std::int64_t{0});
}

ExpertExchange plan_expert_exchange(const std::vector<std::vector<std::int32_t>>& rows, int rank) {
  const int n = static_cast<int>(rows.size());
  if (n == 0 || rank < 0 || rank >= n) throw std::invalid_argument(fmt::format("rank {} of {} ranks", rank, n));
  const int experts = static_cast<int>(rows[0].size());
  for (const auto& r : rows)
    if (static_cast<int>(r.size()) != experts) throw std::invalid_argument("ranks report different expert counts");
  if (experts % n != 0)
    throw std::invalid_argument(fmt::format("{} experts do not split evenly over {} ranks", experts, n));
  const int per_rank = experts / n;
  auto slice = [&](int src, int dst) {  // rows src routes to the experts of dst
    std::int64_t total = 0;
    for (int e = dst * per_rank; e < (dst + 1) * per_rank; ++e) total += rows[static_cast<std::size_t>(src)][static_cast<std::size_t>(e)];
    return total;
  };

  ExpertExchange x;
  std::int64_t offset = 0;
  for (int d = 0; d < n; ++d) {
    x.send_offset.push_back(offset);
    x.send_rows.push_back(slice(rank, d));
    offset += x.send_rows.back();
  }
  offset = 0;
  for (int s = 0; s < n; ++s) {
    x.recv_offset.push_back(offset);
    x.recv_rows.push_back(slice(s, rank));
    offset += x.recv_rows.back();
  }
  x.local_expert_rows.assign(static_cast<std::size_t>(per_rank), 0);
  for (int s = 0; s < n; ++s)
    for (int e = 0; e < per_rank; ++e)
      x.local_expert_rows[static_cast<std::size_t>(e)] += rows[static_cast<std::size_t>(s)][static_cast<std::size_t>(rank * per_rank + e)];
  // Expert-major position of (local expert e, source s): experts before e,
  // then the rows of e from sources before s.
  std::int64_t to = 0;
  for (int e = 0; e < per_rank; ++e)
    for (int s = 0; s < n; ++s) {
      const auto& src = rows[static_cast<std::size_t>(s)];
      std::int64_t within = 0;  // rows of s for local experts before e
      for (int f = 0; f < e; ++f) within += src[static_cast<std::size_t>(rank * per_rank + f)];
      const std::int64_t count = src[static_cast<std::size_t>(rank * per_rank + e)];
      if (count > 0) x.to_expert_major.push_back({x.recv_offset[static_cast<std::size_t>(s)] + within, to, count});
      to += count;
    }
  return x;
}

}  // namespace moeplan::runtime
