// Who sends which expert rows where, for one MoE layer's dispatch and combine
// over an expert-parallel group with contiguous placement (rank d holds
// experts [d*E/n, (d+1)*E/n)). Host arithmetic only; `--check` moves the rows.
//
//   sender r:   rows sorted by global expert (the dispatch layout), so the rows
//               for rank d are one contiguous slice
//   receiver:   slices arrive source by source (source-major); the grouped FFN
//               wants them local expert by local expert (expert-major), so
//               `to_expert_major` lists the block copies between the two
//   combine:    the same slices and copies in reverse
#pragma once

#include <cstdint>
#include <vector>

namespace moeplan::runtime {

struct ExpertExchange {
  struct Copy {
    std::int64_t from_row = 0, to_row = 0, rows = 0;
  };
  std::vector<std::int64_t> send_rows, send_offset;  // per destination rank, in this rank's sorted rows
  std::vector<std::int64_t> recv_rows, recv_offset;  // per source rank, in the source-major receive buffer
  std::vector<std::int32_t> local_expert_rows;       // per local expert, over all sources
  std::vector<Copy> to_expert_major;                 // source-major row -> expert-major row blocks
  std::int64_t rows_received() const;
};

// rows[s][e]: rows source rank s routes to global expert e (every rank's
// dispatch layout, all-gathered). Throws if the experts do not split evenly.
ExpertExchange plan_expert_exchange(const std::vector<std::vector<std::int32_t>>& rows, int rank);

}  // namespace moeplan::runtime
