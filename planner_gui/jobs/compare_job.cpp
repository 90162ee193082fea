#include "planner_gui/jobs/compare_job.h"

#include <QFile>

#include "sim/runner/simulation_job.h"

namespace moeplan::gui {

CompareJob::CompareJob(QObject* parent) : QObject(parent) {
  connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
    const auto out = QString::fromLocal8Bit(process_.readAllStandardOutput());
    const auto err = QString::fromLocal8Bit(process_.readAllStandardError()).right(4000);
    if (status != QProcess::NormalExit || code != 0) {
      Q_EMIT finished(false, tr("moeplan compare %1 (exit %2):\n%3")
                                 .arg(status == QProcess::NormalExit ? tr("failed") : tr("crashed or was stopped"))
                                 .arg(code)
                                 .arg(err));
      return;
    }
    QFile f(dir_->filePath("comparison.json"));
    try {
      if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error("moeplan compare wrote no comparison");
      comparison_ = nlohmann::json::parse(f.readAll().toStdString());
    } catch (const std::exception& e) {
      Q_EMIT finished(false, QString::fromStdString(e.what()));
      return;
    }
    Q_EMIT finished(true, err.isEmpty() ? out : err + "\n" + out);  // provenance warnings first
  });
  connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart)
      Q_EMIT finished(false, tr("could not start %1: %2").arg(process_.program(), process_.errorString()));
  });
}

CompareJob::~CompareJob() {
  if (is_running()) {
    process_.kill();
    process_.waitForFinished(5000);
  }
}

void CompareJob::start(const QString& program, const QString& measured, const QString& calibration) {
  cancel();
  if (is_running()) process_.waitForFinished(5000);
  dir_ = std::make_unique<QTemporaryDir>();
  comparison_ = nullptr;
  process_.setProgram(QString::fromStdString(runner::default_moeplan_executable()));
  QStringList args{"compare", program, measured, "--json", dir_->filePath("comparison.json")};
  if (!calibration.isEmpty()) args << "--calibration" << calibration;
  process_.setArguments(args);
  process_.start();
}

void CompareJob::cancel() {
  if (is_running()) process_.kill();
}

}  // namespace moeplan::gui
