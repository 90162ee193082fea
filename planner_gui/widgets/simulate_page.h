// The Simulate page: runs the document's scenario in a child `moeplan`
// process (SimulationJob) with progress and Cancel, then shows the report's
// summary for up to four runs side by side, the step breakdown and the
// memory per pipeline rank.
#pragma once

#include <QChartView>
#include <QCheckBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QWidget>
#include <nlohmann/json.hpp>

#include "planner_gui/jobs/simulation_job.h"
#include "planner_gui/models/run_summary_model.h"
#include "planner_gui/models/scenario_document.h"

namespace moeplan::gui {

class SimulatePage : public QWidget {
  Q_OBJECT
 public:
  explicit SimulatePage(ScenarioDocument* doc, QWidget* parent = nullptr);
  SimulationJob* job() { return &job_; }
  RunSummaryModel* runs() { return &runs_; }
  QProgressBar* progress_bar() const { return progress_; }
  QLabel* status_label() const { return status_; }
  QTableView* summary_view() const { return table_; }
  QPushButton* run_button() const { return run_; }
  QPushButton* cancel_button() const { return cancel_; }

 public Q_SLOTS:
  void run();
  void cancel();

 Q_SIGNALS:
  void trace_ready(const nlohmann::json& chrome_trace);
  void report_ready(const nlohmann::json& report);  // a simulation finished: the core's report
  void failed(const QString& title, const QString& message);

 private:
  void on_finished(quint64 id, bool ok);
  void refresh_charts();

  ScenarioDocument* doc_;
  SimulationJob job_;
  RunSummaryModel runs_;
  QPushButton* run_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QCheckBox* with_trace_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QTableView* table_ = nullptr;
  QChartView* breakdown_ = nullptr;
  QChartView* memory_ = nullptr;
  std::vector<plan::MemoryBreakdown> pending_memory_;
  double pending_hbm_ = 0;
  QString pending_name_;
};

}  // namespace moeplan::gui
