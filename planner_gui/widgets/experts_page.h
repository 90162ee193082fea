// The Experts page: expert load per MoE layer as a heat map (rows: layers,
// columns: experts, colour: token copies over the mean), the imbalance of
// every layer before (contiguous) and after the scenario's placement (EPLB
// with redundant experts), and for one layer the load per GPU and the
// experts each GPU holds. All numbers from the core (expert_load.h).
#pragma once

#include <QChartView>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QWidget>
#include <memory>

#include "planner_gui/jobs/latest_job.h"
#include "planner_gui/models/expert_load.h"
#include "planner_gui/models/scenario_document.h"

namespace moeplan::gui {

class HeatMap : public QWidget {
  Q_OBJECT
 public:
  using QWidget::QWidget;
  void set_load(std::shared_ptr<const ExpertLoad> load);
  // The colour scale: token copies / mean of the row; 1 is white, above red, below blue.
  static QColor color_of(double ratio);

 Q_SIGNALS:
  void layer_clicked(int row);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent* e) override;
  QSize sizeHint() const override { return {600, 300}; }

 private:
  std::shared_ptr<const ExpertLoad> load_;
  QImage image_;
};

class ExpertsPage : public QWidget {
  Q_OBJECT
 public:
  explicit ExpertsPage(ScenarioDocument* doc, QWidget* parent = nullptr);
  const ExpertLoad* load() const { return load_.get(); }
  LatestJob* job() { return &job_; }
  QLabel* status_label() const { return status_; }
  void refresh();

 private:
  void show_layer(int row);

  ScenarioDocument* doc_;
  LatestJob job_;
  std::shared_ptr<const ExpertLoad> load_;
  QLabel* status_ = nullptr;
  HeatMap* heat_ = nullptr;
  QComboBox* layer_ = nullptr;
  QChartView* imbalance_ = nullptr;
  QChartView* gpus_ = nullptr;
  QPlainTextEdit* placement_ = nullptr;
};

}  // namespace moeplan::gui
