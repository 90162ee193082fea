// The Calibrate page: a program (moeplan plan / the Export page) and a
// measured trace (moeplan-run --trace) compared per op kind by the core
// (`moeplan compare`, in a child process), with the step error.
#pragma once

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QWidget>

#include "planner_gui/jobs/compare_job.h"
#include "planner_gui/models/comparison_model.h"

namespace moeplan::gui {

class CalibratePage : public QWidget {
  Q_OBJECT
 public:
  explicit CalibratePage(QWidget* parent = nullptr);
  ComparisonModel* model() { return &model_; }
  CompareJob* job() { return &job_; }
  QLabel* status_label() const { return status_; }
  void compare(const QString& program, const QString& measured);

 Q_SIGNALS:
  void failed(const QString& title, const QString& message);

 private:
  CompareJob job_;
  ComparisonModel model_;
  QLineEdit* program_ = nullptr;
  QLineEdit* measured_ = nullptr;
  QPushButton* run_ = nullptr;
  QLabel* status_ = nullptr;
  QTableView* table_ = nullptr;
};

}  // namespace moeplan::gui
