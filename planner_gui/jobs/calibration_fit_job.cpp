#include "planner_gui/jobs/calibration_fit_job.h"

#include <QFileInfo>

#include "sim/runner/simulation_job.h"

namespace moeplan::gui {

CalibrationFitJob::CalibrationFitJob(QObject* parent) : QObject(parent) {
  connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
    const auto out = QString::fromLocal8Bit(process_.readAllStandardOutput());
    const auto err = QString::fromLocal8Bit(process_.readAllStandardError()).right(4000);
    const auto path = dir_->filePath("calibration.json");
    if (status != QProcess::NormalExit || code != 0) {
      Q_EMIT finished(false, tr("moeplan calibrate %1 (exit %2):\n%3")
                                 .arg(status == QProcess::NormalExit ? tr("failed") : tr("crashed or was stopped"))
                                 .arg(code)
                                 .arg(err));
      return;
    }
    if (!QFileInfo::exists(path)) {
      Q_EMIT finished(false, tr("moeplan calibrate wrote no calibration (expected %1)").arg(path));
      return;
    }
    calibration_ = path;
    Q_EMIT finished(true, err.isEmpty() ? out : err + "\n" + out);  // provenance warnings first
  });
  connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart)
      Q_EMIT finished(false, tr("could not start %1: %2").arg(process_.program(), process_.errorString()));
  });
}

CalibrationFitJob::~CalibrationFitJob() {
  if (is_running()) {
    process_.kill();
    process_.waitForFinished(5000);
  }
}

void CalibrationFitJob::start(const QString& program, const QString& measured) {
  cancel();
  if (is_running()) process_.waitForFinished(5000);
  dir_ = std::make_unique<QTemporaryDir>();
  calibration_.clear();
  process_.setProgram(QString::fromStdString(runner::default_moeplan_executable()));
  process_.setArguments({"calibrate", program, measured, "-o", dir_->filePath("calibration.json")});
  process_.start();
}

void CalibrationFitJob::cancel() {
  if (is_running()) process_.kill();
}

}  // namespace moeplan::gui
