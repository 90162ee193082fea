#include "planner_gui/models/link_usage.h"

#include <algorithm>
#include <stdexcept>

namespace moeplan::gui {

LinkUsage LinkUsage::from_report(const nlohmann::json& report) {
  LinkUsage u;
  u.scenario_ = QString::fromStdString(report.value("scenario", std::string()));
  if (!report.contains("link_usage")) return u;
  const auto& list = report["link_usage"];
  if (!list.is_array()) throw std::runtime_error("report: `link_usage` is not a list");
  for (const auto& l : list) {
    try {
      LinkUse use{l.at("busy").get<double>(), l.at("forward_bytes").get<double>(), l.at("backward_bytes").get<double>()};
      u.max_busy_ = std::max(u.max_busy_, use.busy);
      u.by_link_[l.at("link").get<int>()] = use;
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(std::string("report: a `link_usage` entry is malformed: ") + e.what());
    }
  }
  return u;
}

std::optional<LinkUse> LinkUsage::at(int link) const {
  const auto it = by_link_.find(link);
  if (it == by_link_.end()) return std::nullopt;
  return it->second;
}

}  // namespace moeplan::gui
