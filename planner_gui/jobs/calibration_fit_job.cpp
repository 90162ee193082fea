#include "planner_gui/jobs/calibration_fit_job.h"

#include <QFileInfo>

namespace moeplan::gui {

void CalibrationFitJob::start(const QString& program, const QString& measured) {
  begin();
  calibration_.clear();
  launch({program, measured, "-o", output_path("calibration.json")});
}

QString CalibrationFitJob::take_result() {
  const auto path = output_path("calibration.json");
  if (!QFileInfo::exists(path)) return tr("moeplan calibrate wrote no calibration (expected %1)").arg(path);
  calibration_ = path;
  return {};
}

}  // namespace moeplan::gui
