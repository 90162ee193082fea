#include "sim/sweep/merge.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>

#include "sim/util/atomic_file.h"
#include "sim/util/csv.h"

namespace moeplan::sweep {
namespace {

std::size_t number(const std::map<std::string, std::string>& row, const char* key) {
  const auto it = row.find(key);
  if (it == row.end()) return 0;
  try {
    return static_cast<std::size_t>(std::stoull(it->second));
  } catch (const std::exception&) {
    return 0;
  }
}

std::string cell(const std::map<std::string, std::string>& row, const char* key) {
  const auto it = row.find(key);
  return it == row.end() ? "" : it->second;
}

}  // namespace

std::vector<std::size_t> sorted_rows(const ResultsFile& r) {
  std::vector<std::size_t> order(r.rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = r.rows[a];
    const auto& y = r.rows[b];
    return std::pair(cell(x, "tier"), number(x, "index")) < std::pair(cell(y, "tier"), number(y, "index"));
  });
  return order;
}

MergeSummary merge_results(const std::vector<std::string>& parts, const std::string& output, Format f) {
  Diagnostics diag;
  ResultsFile all;
  std::map<std::string, std::string> hash_file;           // hash -> the part that holds it
  std::map<std::string, std::set<std::size_t>> indices;   // tier -> indices present
  std::map<std::string, std::size_t> of;                  // tier -> configurations
  for (const auto& part : parts) {
    std::size_t cut = 0;
    const auto r = read_results(part, f, diag, &cut);
    if (!r) continue;
    if (cut > 0)
      diag.add(part, 0, "", fmt::format("its last line is cut short ({} bytes): the run was killed; finish it with "
                                        "--resume before merging", cut));
    if (all.columns.empty()) all.columns = r->columns;
    else if (f == Format::Csv && r->columns != all.columns)
      diag.add(part, 1, "", fmt::format("its columns differ from {}'s: not a shard of the same sweep", parts.front()));
    for (std::size_t i = 0; i < r->rows.size(); ++i) {
      const auto& row = r->rows[i];
      const auto hash = cell(row, "hash");
      if (auto [it, fresh] = hash_file.try_emplace(hash, part); !fresh) {
        diag.add(part, static_cast<int>(i + 2), "hash",
                 fmt::format("configuration {} (index {}, {}) is also in {}: shards must be disjoint", hash,
                             cell(row, "index"), cell(row, "tier"), it->second));
        continue;
      }
      const auto tier = cell(row, "tier");
      indices[tier].insert(number(row, "index"));
      const auto n = number(row, "of");
      if (auto [it, fresh] = of.try_emplace(tier, n); !fresh && it->second != n)
        diag.add(part, static_cast<int>(i + 2), "of",
                 fmt::format("{} configurations, but other rows say {}: not shards of the same sweep", n, it->second));
      all.rows.push_back(row);
      if (f == Format::Jsonl) all.objects.push_back(r->objects[i]);
    }
  }
  for (const auto& [tier, n] : of) {
    std::vector<std::size_t> missing;
    for (std::size_t i = 0; i < n && missing.size() < 10; ++i)
      if (!indices[tier].contains(i)) missing.push_back(i);
    if (!missing.empty())
      diag.add(output, 0, "",
               fmt::format("incomplete: {} of {} {} configurations present; missing indices {}{} (run the missing "
                           "shards, or --resume the killed ones)",
                           indices[tier].size(), n, tier, fmt::join(missing, ", "),
                           indices[tier].size() + missing.size() < n ? ", ..." : ""));
  }
  diag.throw_if_any();
  const auto order = sorted_rows(all);
  write_file_atomically(output, [&](std::ostream& out) {
    if (f == Format::Csv) out << csv_line(all.columns);
    for (const auto i : order) {
      if (f == Format::Jsonl) {
        out << all.objects[i].dump() << "\n";
        continue;
      }
      std::vector<std::string> cells;
      for (const auto& c : all.columns) cells.push_back(cell(all.rows[i], c.c_str()));
      out << csv_line(cells);
    }
  });
  return {order.size(), parts.size()};
}

}  // namespace moeplan::sweep
