// The Search page: runs a sweep (`moeplan sweep` as a child process) or opens
// a results file, and plots the frontier (throughput per GPU against cost or
// GPUs, frontier_chart.h) as rows arrive. Clicking a point opens that
// configuration (the sweep's base with the point's values, from the core) as
// the scenario being edited.
#pragma once

#include <QChartView>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QWidget>

#include "planner_gui/charts/frontier_chart.h"
#include "planner_gui/jobs/sweep_job.h"
#include "planner_gui/models/sweep_results_model.h"

namespace moeplan::gui {

class SearchPage : public QWidget {
  Q_OBJECT
 public:
  explicit SearchPage(QWidget* parent = nullptr);
  SweepResultsModel* model() { return &model_; }
  QChart* chart() const { return view_->chart(); }
  SweepJob* job() { return &job_; }
  QLabel* status_label() const { return status_; }

  void open_spec(const QString& spec_path);
  void open_results(const QString& results_path);
  void run_sweep(const QString& results_path);
  // The configuration behind the frontier point nearest `p` (chart value coordinates).
  void open_point(const QPointF& p);

 Q_SIGNALS:
  // A configuration to edit: its YAML text and the file it stands for.
  void open_scenario(const QString& yaml, const QString& stands_for);
  void failed(const QString& title, const QString& message);

 private:
  void refresh_chart();
  FrontierAxes axes() const;

  SweepJob job_;
  SweepResultsModel model_;
  std::vector<FrontierPoint> points_;
  QString spec_path_;
  QString results_path_;
  QChartView* view_ = nullptr;
  QTableView* table_ = nullptr;
  QComboBox* x_axis_ = nullptr;
  QSpinBox* jobs_ = nullptr;
  QPushButton* run_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QLabel* status_ = nullptr;
};

}  // namespace moeplan::gui
