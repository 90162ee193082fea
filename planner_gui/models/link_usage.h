// Per-link utilisation of a simulated step, as the core reports it (the
// report's `link_usage`: busy fraction and bytes per direction of every link
// that carried traffic, from the SimGrid engine). Read-only lookup by
// topology link id for the Topology page; no numbers of its own.
#pragma once

#include <QString>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

namespace moeplan::gui {

struct LinkUse {
  double busy = 0;  // the busier direction's bytes / (bandwidth x step time)
  double forward_bytes = 0, backward_bytes = 0;
};

class LinkUsage {
 public:
  // From a report JSON; empty when the report has no `link_usage` (an
  // executor that does not model links). Throws std::runtime_error on a
  // malformed entry.
  static LinkUsage from_report(const nlohmann::json& report);

  bool empty() const { return by_link_.empty(); }
  std::size_t size() const { return by_link_.size(); }
  // The link's use, or nullopt when it carried nothing.
  std::optional<LinkUse> at(int link) const;
  double max_busy() const { return max_busy_; }
  QString scenario() const { return scenario_; }

 private:
  std::map<int, LinkUse> by_link_;
  double max_busy_ = 0;
  QString scenario_;
};

}  // namespace moeplan::gui
