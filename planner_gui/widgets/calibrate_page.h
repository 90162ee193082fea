// The Calibrate page: a program (moeplan plan / the Export page) and a
// measured trace (moeplan-run --trace) compared per op kind by the core
// (`moeplan compare`, in a child process), with the step error. "Apply &
// re-simulate" fits a calibration to the measured trace (`moeplan
// calibrate`), re-simulates the program with it (`moeplan compare
// --calibration`) and shows the errors before and after side by side.
#pragma once

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QWidget>

#include "planner_gui/jobs/calibration_fit_job.h"
#include "planner_gui/jobs/compare_job.h"
#include "planner_gui/models/comparison_model.h"

namespace moeplan::gui {

class CalibratePage : public QWidget {
  Q_OBJECT
 public:
  explicit CalibratePage(QWidget* parent = nullptr);
  ComparisonModel* model() { return &model_; }
  CompareJob* job() { return &job_; }
  CalibrationFitJob* fit_job() { return &fit_job_; }
  CompareJob* calibrated_job() { return &calibrated_job_; }
  QLabel* status_label() const { return status_; }
  QPushButton* apply_button() const { return apply_; }
  void compare(const QString& program, const QString& measured);
  // Fits a calibration to the compared measured trace and re-simulates with it.
  void apply_calibration();

 Q_SIGNALS:
  void failed(const QString& title, const QString& message);

 private:
  void show_step_errors();

  CompareJob job_;
  CalibrationFitJob fit_job_;
  CompareJob calibrated_job_;
  ComparisonModel model_;
  QString compared_program_, compared_measured_;
  QLineEdit* program_ = nullptr;
  QLineEdit* measured_ = nullptr;
  QPushButton* run_ = nullptr;
  QPushButton* apply_ = nullptr;
  QPushButton* save_ = nullptr;
  QLabel* status_ = nullptr;
  QTableView* table_ = nullptr;
};

}  // namespace moeplan::gui
