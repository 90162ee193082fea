#include "planner_gui/models/timeline_data.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace moeplan::gui {
namespace {

int int_arg(const nlohmann::json& args, const char* key) {
  if (!args.is_object()) return -1;
  auto it = args.find(key);
  return it != args.end() && it->is_number_integer() ? it->get<int>() : -1;
}

QString stream_name(const std::map<std::pair<int, int>, std::string>& names, int pid, int tid) {
  auto it = names.find({pid, tid});
  return it != names.end() ? QString::fromStdString(it->second) : QStringLiteral("stream %1").arg(tid);
}

}  // namespace

TimelineData TimelineData::from_chrome_trace(const nlohmann::json& trace) {
  const nlohmann::json* events = &trace;
  if (trace.is_object()) {
    auto it = trace.find("traceEvents");
    if (it == trace.end()) throw std::runtime_error("not a Chrome trace: no traceEvents");
    events = &*it;
  }
  if (!events->is_array()) throw std::runtime_error("not a Chrome trace: traceEvents is not an array");

  TimelineData d;
  std::map<std::pair<int, int>, std::string> thread_names;
  std::map<std::pair<int, int>, int> lane_of;
  std::map<std::string, int> kind_of;
  struct Raw {
    TimelineOp op;
    std::pair<int, int> key;
  };
  std::vector<Raw> raw;
  raw.reserve(events->size());
  for (std::size_t i = 0; i < events->size(); ++i) {
    const auto& e = (*events)[i];
    if (!e.is_object()) continue;
    const auto ph = e.value("ph", std::string());
    const int pid = e.value("pid", 0), tid = e.value("tid", 0);
    if (ph == "M") {
      if (e.value("name", std::string()) == "thread_name" && e.contains("args"))
        thread_names[{pid, tid}] = e["args"].value("name", std::string());
      continue;
    }
    if (ph != "X") continue;
    Raw r;
    r.key = {pid, tid};
    r.op.start_s = e.value("ts", 0.0) * 1e-6;
    r.op.end_s = r.op.start_s + e.value("dur", 0.0) * 1e-6;
    const auto cat = e.value("cat", std::string("op"));
    auto [kit, inserted] = kind_of.emplace(cat, static_cast<int>(kind_of.size()));
    if (inserted) d.kinds_.push_back(QString::fromStdString(cat));
    r.op.kind = kit->second;
    const auto& args = e.contains("args") ? e["args"] : nlohmann::json();
    r.op.layer = int_arg(args, "layer");
    r.op.mb = int_arg(args, "mb");
    r.op.event = static_cast<std::uint32_t>(d.names_.size());
    d.names_.push_back(e.value("name", std::string()));
    d.args_.push_back(args);
    d.max_layer_ = std::max(d.max_layer_, r.op.layer);
    d.max_mb_ = std::max(d.max_mb_, r.op.mb);
    d.end_s_ = std::max(d.end_s_, r.op.end_s);
    lane_of.emplace(r.key, 0);
    raw.push_back(r);
  }
  // Lanes in (rank, stream) order.
  int lane = 0;
  for (auto& [key, l] : lane_of) {
    l = lane++;
    d.lanes_.push_back({key.first, key.second,
                        QStringLiteral("rank %1 %2").arg(key.first).arg(stream_name(thread_names, key.first, key.second))});
  }
  for (auto& r : raw) r.op.lane = lane_of[r.key];
  std::stable_sort(raw.begin(), raw.end(), [](const Raw& a, const Raw& b) {
    return a.op.lane != b.op.lane ? a.op.lane < b.op.lane : a.op.start_s < b.op.start_s;
  });
  d.ops_.reserve(raw.size());
  for (const auto& r : raw) d.ops_.push_back(r.op);
  d.lane_start_.assign(d.lanes_.size() + 1, d.ops_.size());
  for (std::size_t i = d.ops_.size(); i-- > 0;) d.lane_start_[static_cast<std::size_t>(d.ops_[i].lane)] = i;
  for (std::size_t l = d.lanes_.size(); l-- > 0;)  // empty lanes start where the next begins
    d.lane_start_[l] = std::min(d.lane_start_[l], d.lane_start_[l + 1]);
  return d;
}

QString TimelineData::details(const TimelineOp& op) const {
  QString s = QString::fromStdString(names_[op.event]);
  s += QStringLiteral("\n%1 .. %2 ms (%3 us)")
           .arg(op.start_s * 1e3, 0, 'f', 3)
           .arg(op.end_s * 1e3, 0, 'f', 3)
           .arg((op.end_s - op.start_s) * 1e6, 0, 'f', 1);
  s += QStringLiteral("\nkind: %1, %2").arg(kinds_[static_cast<std::size_t>(op.kind)], lanes_[static_cast<std::size_t>(op.lane)].name);
  const auto& args = args_[op.event];
  if (args.is_object())
    for (auto it = args.begin(); it != args.end(); ++it)
      s += QStringLiteral("\n%1: %2").arg(QString::fromStdString(it.key()), QString::fromStdString(it.value().dump()));
  return s;
}

}  // namespace moeplan::gui
