// `moeplan sweep merge`: the shards of one sweep into one results file,
// checked complete (every configuration index of every tier present) and
// disjoint (no configuration in two shards), sorted by tier and index, which
// is what one unsharded run gives once sorted.
#pragma once

#include <string>
#include <vector>

#include "sim/sweep/results.h"

namespace moeplan::sweep {

struct MergeSummary {
  std::size_t rows = 0, parts = 0;
};

// Throws ConfigError naming the files, rows and indices at fault.
MergeSummary merge_results(const std::vector<std::string>& parts, const std::string& output, Format f);

// The order of a results file's rows by (tier, index), as merge writes them.
std::vector<std::size_t> sorted_rows(const ResultsFile& r);

}  // namespace moeplan::sweep
