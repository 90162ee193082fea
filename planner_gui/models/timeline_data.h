// A trace as lanes of ops for the Gantt view: read from Chrome trace-event
// JSON, which both the simulated trace (trace::to_chrome_trace, what the
// runner returns) and the schedule preview (schedule::to_chrome_trace) are.
// One lane per (process, thread) = (rank, stream); ops sorted by start in
// each lane; kinds are the events' categories (program parts, or the
// schedule's F/B/Bi/W/FB).
#pragma once

#include <QString>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace moeplan::gui {

struct TimelineLane {
  int rank = 0;
  int stream = 0;
  QString name;  // "rank 3 compute"
};

struct TimelineOp {
  double start_s = 0, end_s = 0;
  int lane = 0;
  int kind = 0;    // index into TimelineData::kinds
  int layer = -1;  // -1: none or unknown
  int mb = -1;
  std::uint32_t event = 0;  // index of its event in the source JSON's traceEvents
};

struct TimelineFilter {
  int kind = -1, layer = -1, mb = -1;  // -1: any
  bool accepts(const TimelineOp& op) const {
    return (kind < 0 || op.kind == kind) && (layer < 0 || op.layer == layer) && (mb < 0 || op.mb == mb);
  }
};

class TimelineData {
 public:
  // Throws std::runtime_error when the JSON is not a trace-event file.
  static TimelineData from_chrome_trace(const nlohmann::json& trace);

  const std::vector<TimelineLane>& lanes() const { return lanes_; }
  const std::vector<QString>& kinds() const { return kinds_; }
  // Ops of lane l, sorted by start: [lane_begin(l), lane_begin(l + 1)).
  const std::vector<TimelineOp>& ops() const { return ops_; }
  std::size_t lane_begin(int lane) const { return lane_start_[static_cast<std::size_t>(lane)]; }
  std::size_t lane_end(int lane) const { return lane_start_[static_cast<std::size_t>(lane) + 1]; }
  double end_s() const { return end_s_; }
  int max_layer() const { return max_layer_; }
  int max_mb() const { return max_mb_; }
  bool empty() const { return ops_.empty(); }

  // The op's details for a tooltip: name, times, and its args (op id, bytes, FLOPs, ...).
  QString details(const TimelineOp& op) const;

 private:
  std::vector<TimelineLane> lanes_;
  std::vector<QString> kinds_;
  std::vector<TimelineOp> ops_;
  std::vector<std::size_t> lane_start_{0};
  std::vector<std::string> names_;            // per op event, by TimelineOp::event order of ops_ ...
  std::vector<nlohmann::json> args_;          // ... kept parallel to ops_ through `event`
  double end_s_ = 0;
  int max_layer_ = -1, max_mb_ = -1;
};

}  // namespace moeplan::gui
