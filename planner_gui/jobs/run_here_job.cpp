#include "planner_gui/jobs/run_here_job.h"

#include <QDir>
#include <QFileInfo>
#include <QTimer>

namespace moeplan::gui {

RunHereJob::RunHereJob(QObject* parent) : QObject(parent) {
  process_.setProcessChannelMode(QProcess::MergedChannels);
  connect(&process_, &QProcess::readyRead, this,
          [this] { Q_EMIT output(QString::fromLocal8Bit(process_.readAll())); });
  connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
    const auto rest = process_.readAll();
    if (!rest.isEmpty()) Q_EMIT output(QString::fromLocal8Bit(rest));
    if (status != QProcess::NormalExit || code != 0) {
      Q_EMIT finished(false, tr("moeplan-run %1 (exit %2): see its output; %3 holds the ops that finished, if any")
                                 .arg(status == QProcess::NormalExit ? tr("failed") : tr("crashed or was stopped"))
                                 .arg(code)
                                 .arg(trace_));
      return;
    }
    if (!QFileInfo::exists(trace_)) {
      Q_EMIT finished(false, tr("moeplan-run ended but wrote no trace (expected %1)").arg(trace_));
      return;
    }
    Q_EMIT finished(true, tr("Measured trace: %1").arg(trace_));
  });
  connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart)
      Q_EMIT finished(false, tr("could not start %1: %2").arg(process_.program(), process_.errorString()));
  });
}

RunHereJob::~RunHereJob() {
  if (is_running()) {
    process_.kill();
    process_.waitForFinished(5000);
  }
}

void RunHereJob::start(const QString& moeplan_run, const QString& program) {
  if (is_running()) {
    process_.kill();
    process_.waitForFinished(5000);
  }
  program_ = program;
  const QDir folder = QFileInfo(program).absoluteDir();
  trace_ = folder.filePath("measured.json");
  chrome_ = folder.filePath("measured.chrome.json");
  process_.setProgram(moeplan_run);
  process_.setArguments({program, "--trace", trace_, "--chrome", chrome_});
  process_.setWorkingDirectory(folder.absolutePath());
  process_.start();
}

void RunHereJob::cancel() {
  if (!is_running()) return;
  process_.terminate();  // SIGTERM, then SIGKILL if it is still there in 5 s
  QTimer::singleShot(5000, this, [this] {
    if (is_running()) process_.kill();
  });
}

}  // namespace moeplan::gui
