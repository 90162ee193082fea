#include "sim/moe/placement_table.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/util/atomic_file.h"

namespace moeplan::moe {

PlacementTable placement_table(const std::vector<std::vector<double>>& tokens, const std::vector<Placement>& placements,
                               int gpus) {
  PlacementTable t;
  const int experts = tokens.empty() ? 0 : static_cast<int>(tokens.front().size());
  const bool contiguous_fits = gpus > 0 && experts % gpus == 0;
  const auto contiguous = contiguous_fits ? contiguous_placement(experts, gpus) : Placement{};
  double sum_eplb = 0, sum_contiguous = 0;
  for (std::size_t l = 0; l < placements.size(); ++l) {
    LayerPlacementRow row;
    row.gpu_loads = gpu_loads(placements[l], tokens[l]);
    row.eplb_imbalance = imbalance(row.gpu_loads);
    for (const double v : row.gpu_loads) row.mean_load += v / static_cast<double>(row.gpu_loads.size());
    row.max_load = *std::max_element(row.gpu_loads.begin(), row.gpu_loads.end());
    if (contiguous_fits) row.contiguous_imbalance = imbalance(gpu_loads(contiguous, tokens[l]));
    row.max_replicas = *std::max_element(placements[l].logcnt.begin(), placements[l].logcnt.end());
    t.eplb_worst = std::max(t.eplb_worst, row.eplb_imbalance);
    sum_eplb += row.eplb_imbalance;
    if (row.contiguous_imbalance) {
      t.contiguous_worst = std::max(t.contiguous_worst.value_or(0.0), *row.contiguous_imbalance);
      sum_contiguous += *row.contiguous_imbalance;
    }
    t.layers.push_back(std::move(row));
  }
  const double layers = static_cast<double>(std::max<std::size_t>(1, placements.size()));
  t.eplb_mean = sum_eplb / layers;
  if (contiguous_fits) t.contiguous_mean = sum_contiguous / layers;
  return t;
}

void write_placement_json(const std::vector<Placement>& placements, const std::string& path) {
  nlohmann::ordered_json doc;  // keys in the order EPLB returns the arrays
  doc["phy2log"] = nlohmann::ordered_json::array();
  doc["log2phy"] = nlohmann::ordered_json::array();
  doc["logcnt"] = nlohmann::ordered_json::array();
  for (const auto& p : placements) {
    doc["phy2log"].push_back(p.phy2log);
    doc["log2phy"].push_back(p.log2phy);
    doc["logcnt"].push_back(p.logcnt);
  }
  write_file_atomically(path, [&](std::ostream& out) { out << doc.dump() << "\n"; });
}

}  // namespace moeplan::moe
