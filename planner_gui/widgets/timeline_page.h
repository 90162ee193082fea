// The Timeline page: the simulated trace (from the last simulation) or the
// schedule preview (the core's schedule generator and timeline, unit op
// durations, before any simulation) in a TimelineView, with filters by
// kind, layer and micro-batch and a legend of kinds.
#pragma once

#include <QComboBox>
#include <QLabel>
#include <QWidget>
#include <nlohmann/json.hpp>

#include "planner_gui/jobs/trace_parse_job.h"
#include "planner_gui/models/scenario_document.h"
#include "planner_gui/widgets/timeline_view.h"

namespace moeplan::gui {

class TimelinePage : public QWidget {
  Q_OBJECT
 public:
  explicit TimelinePage(ScenarioDocument* doc, QWidget* parent = nullptr);
  TimelineView* view() const { return view_; }
  QComboBox* kind_filter() const { return kind_; }
  TraceParseJob* parse_job() { return &parse_; }

 public Q_SLOTS:
  void show_trace(const nlohmann::json& chrome_trace);
  // A measured Chrome trace (moeplan-run --chrome) from a file; an unreadable one is a `failed`.
  void show_measured_trace(const QString& chrome_trace_path);
  void show_schedule_preview();

 Q_SIGNALS:
  void failed(const QString& title, const QString& message);

 private:
  void set_data(std::shared_ptr<const TimelineData> d, const QString& source);
  void apply_filter();

  ScenarioDocument* doc_;
  TraceParseJob parse_;
  TimelineView* view_ = nullptr;
  QComboBox* kind_ = nullptr;
  QComboBox* layer_ = nullptr;
  QComboBox* mb_ = nullptr;
  QLabel* source_ = nullptr;
  QLabel* legend_ = nullptr;
};

// The schedule preview's trace for a scenario (core schedule generator and timeline).
nlohmann::json schedule_preview_trace(const config::Scenario& sc);

}  // namespace moeplan::gui
