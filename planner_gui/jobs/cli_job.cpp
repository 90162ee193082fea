#include "planner_gui/jobs/cli_job.h"

#include <utility>

#include "sim/runner/simulation_job.h"

namespace moeplan::gui {

CliJob::CliJob(QString subcommand, QObject* parent) : QObject(parent), subcommand_(std::move(subcommand)) {
  connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
    const auto out = QString::fromLocal8Bit(process_.readAllStandardOutput());
    const auto err = QString::fromLocal8Bit(process_.readAllStandardError()).right(4000);
    if (status != QProcess::NormalExit || code != 0) {
      Q_EMIT finished(false, tr("moeplan %1 %2 (exit %3):\n%4")
                                 .arg(subcommand_)
                                 .arg(status == QProcess::NormalExit ? tr("failed") : tr("crashed or was stopped"))
                                 .arg(code)
                                 .arg(err));
      return;
    }
    if (const auto error = take_result(); !error.isEmpty()) {
      Q_EMIT finished(false, error);
      return;
    }
    Q_EMIT finished(true, err.isEmpty() ? out : err + "\n" + out);  // provenance warnings first
  });
  connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart)
      Q_EMIT finished(false, tr("could not start %1: %2").arg(process_.program(), process_.errorString()));
  });
}

CliJob::~CliJob() {
  if (is_running()) {
    process_.kill();
    process_.waitForFinished(5000);
  }
}

void CliJob::begin() {
  cancel();
  if (is_running()) process_.waitForFinished(5000);
  dir_ = std::make_unique<QTemporaryDir>();
}

QString CliJob::output_path(const QString& name) const { return dir_->filePath(name); }

void CliJob::launch(const QStringList& args) {
  process_.setProgram(QString::fromStdString(runner::default_moeplan_executable()));
  process_.setArguments(QStringList{subcommand_} + args);
  process_.start();
}

void CliJob::cancel() {
  if (is_running()) process_.kill();
}

}  // namespace moeplan::gui
