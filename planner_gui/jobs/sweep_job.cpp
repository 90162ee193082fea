#include "planner_gui/jobs/sweep_job.h"

#include <QFileInfo>
#include <QMetaObject>
#include <optional>

#include "planner_gui/models/sweep_results_model.h"
#include "sim/runner/simulation_job.h"

namespace moeplan::gui {

SweepJob::SweepJob(QObject* parent) : QObject(parent) {
  qRegisterMetaType<moeplan::sweep::ResultsFile>("moeplan::sweep::ResultsFile");
  pool_.setMaxThreadCount(1);
  timer_.setInterval(400);
  connect(&timer_, &QTimer::timeout, this, &SweepJob::poll);
  connect(&process_, &QProcess::readyReadStandardError, this, [this] {
    stderr_tail_ += QString::fromLocal8Bit(process_.readAllStandardError());
    if (stderr_tail_.size() > 4000) stderr_tail_ = stderr_tail_.right(4000);
  });
  connect(&process_, &QProcess::readyReadStandardOutput, this, [this] { process_.readAllStandardOutput(); });
  connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
    timer_.stop();
    poll();
    Q_EMIT finished(code, cancelled_);
  });
  connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart) {
      timer_.stop();
      Q_EMIT read_failed(tr("could not start %1: %2").arg(process_.program(), process_.errorString()));
      Q_EMIT finished(-1, false);
    }
  });
}

SweepJob::~SweepJob() {
  tracker_.invalidate();
  if (is_running()) {
    process_.kill();
    process_.waitForFinished(5000);
  }
  pool_.waitForDone();
}

void SweepJob::start(const QString& spec_path, const QString& results_path, int jobs) {
  cancel();
  if (is_running()) process_.waitForFinished(5000);
  cancelled_ = false;
  stderr_tail_.clear();
  results_path_ = results_path;
  process_.setProgram(QString::fromStdString(runner::default_moeplan_executable()));
  process_.setArguments({"sweep", spec_path, "-o", results_path, "--jobs", QString::number(jobs), "--resume"});
  process_.start();
  timer_.start();
}

void SweepJob::read_once(const QString& results_path) {
  results_path_ = results_path;
  poll();
}

void SweepJob::cancel() {
  if (!is_running()) return;
  cancelled_ = true;
  process_.terminate();
  QTimer::singleShot(3000, this, [this] {
    if (is_running()) process_.kill();
  });
}

void SweepJob::poll() {
  if (results_path_.isEmpty() || !QFileInfo::exists(results_path_)) return;
  const auto id = tracker_.next();
  pool_.start([this, id, path = results_path_] {
    if (!tracker_.is_current(id)) return;
    Diagnostics diag;
    std::optional<sweep::ResultsFile> file;
    try {
      file = sweep::read_results(path.toStdString(), results_format(path), diag);
    } catch (const std::exception& e) {
      diag.add(path.toStdString(), 0, "", e.what());
    }
    QMetaObject::invokeMethod(
        this,
        [this, id, file = std::move(file), message = QString::fromStdString(diag.to_string())] {
          if (!tracker_.is_current(id)) return;
          if (file) Q_EMIT rows(*file);
          else if (!is_running()) Q_EMIT read_failed(message);
        },
        Qt::QueuedConnection);
  });
}

}  // namespace moeplan::gui
