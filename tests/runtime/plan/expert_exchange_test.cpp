#include "runtime/plan/expert_exchange.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

namespace moeplan::runtime {
namespace {

// Hand-worked: 2 ranks, 4 experts (rank 0 holds 0-1, rank 1 holds 2-3).
//   rank 0 routes rows {3, 1, 2, 0}, rank 1 routes {0, 4, 1, 5}.
TEST(ExpertExchange, TwoRanksByHand) {
  const std::vector<std::vector<std::int32_t>> rows{{3, 1, 2, 0}, {0, 4, 1, 5}};
  const auto r1 = plan_expert_exchange(rows, 1);
  EXPECT_EQ(r1.send_rows, (std::vector<std::int64_t>{4, 6}));
  EXPECT_EQ(r1.send_offset, (std::vector<std::int64_t>{0, 4}));
  EXPECT_EQ(r1.recv_rows, (std::vector<std::int64_t>{2, 6}));  // 2+0 from rank 0, 1+5 from itself
  EXPECT_EQ(r1.recv_offset, (std::vector<std::int64_t>{0, 2}));
  EXPECT_EQ(r1.local_expert_rows, (std::vector<std::int32_t>{3, 5}));
  // Source-major [r0:e2 x2][r1:e2 x1, e3 x5] -> expert-major [e2: r0 x2, r1 x1][e3: r1 x5].
  ASSERT_EQ(r1.to_expert_major.size(), 3u);
  EXPECT_EQ(r1.to_expert_major[0].from_row, 0);
  EXPECT_EQ(r1.to_expert_major[0].to_row, 0);
  EXPECT_EQ(r1.to_expert_major[0].rows, 2);
  EXPECT_EQ(r1.to_expert_major[1].from_row, 2);
  EXPECT_EQ(r1.to_expert_major[1].to_row, 2);
  EXPECT_EQ(r1.to_expert_major[1].rows, 1);
  EXPECT_EQ(r1.to_expert_major[2].from_row, 3);
  EXPECT_EQ(r1.to_expert_major[2].to_row, 3);
  EXPECT_EQ(r1.to_expert_major[2].rows, 5);
}

// Random counts: what every rank sends is what every rank receives, and the
// copies are a bijection of the receive buffer onto the grouped buffer.
TEST(ExpertExchange, ConservesRowsAndCopiesEveryRowOnce) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> count(0, 9);
  for (const int n : {1, 2, 3, 4}) {
    const int experts = 4 * n;
    std::vector<std::vector<std::int32_t>> rows(static_cast<std::size_t>(n), std::vector<std::int32_t>(static_cast<std::size_t>(experts)));
    for (auto& r : rows)
      for (auto& c : r) c = count(rng);
    std::int64_t sent = 0, received = 0;
    for (int r = 0; r < n; ++r) {
      const auto x = plan_expert_exchange(rows, r);
      for (int d = 0; d < n; ++d) EXPECT_EQ(x.send_rows[static_cast<std::size_t>(d)], plan_expert_exchange(rows, d).recv_rows[static_cast<std::size_t>(r)]);
      sent += std::accumulate(x.send_rows.begin(), x.send_rows.end(), std::int64_t{0});
      received += x.rows_received();
      std::vector<int> from_hits(static_cast<std::size_t>(x.rows_received()), 0), to_hits(from_hits.size(), 0);
      for (const auto& c : x.to_expert_major)
        for (std::int64_t i = 0; i < c.rows; ++i) {
          ++from_hits.at(static_cast<std::size_t>(c.from_row + i));
          ++to_hits.at(static_cast<std::size_t>(c.to_row + i));
        }
      for (std::size_t i = 0; i < from_hits.size(); ++i) EXPECT_TRUE(from_hits[i] == 1 && to_hits[i] == 1) << i;
      EXPECT_EQ(std::accumulate(x.local_expert_rows.begin(), x.local_expert_rows.end(), std::int64_t{0}), x.rows_received());
    }
    EXPECT_EQ(sent, received);
  }
}

TEST(ExpertExchange, RejectsExpertsThatDoNotSplitEvenly) {
  EXPECT_THROW((void)plan_expert_exchange({{1, 2, 3}, {1, 2, 3}}, 0), std::invalid_argument);
}

}  // namespace
}  // namespace moeplan::runtime
