// `moeplan calibrate PROGRAM MEASURED -o CALIBRATION` as a child process: the
// core fits the cost model's compute efficiencies to the measured trace and
// writes the calibration that `moeplan compare --calibration` and
// `moeplan simulate --calibration` read. cancel() kills it.
#pragma once

#include "planner_gui/jobs/cli_job.h"

namespace moeplan::gui {

class CalibrationFitJob : public CliJob {
  Q_OBJECT
 public:
  explicit CalibrationFitJob(QObject* parent = nullptr) : CliJob("calibrate", parent) {}
  void start(const QString& program, const QString& measured);
  // The calibration written by the last run that succeeded (empty before).
  QString calibration_path() const { return calibration_; }

 private:
  QString take_result() override;
  QString calibration_;
};

}  // namespace moeplan::gui
