#include "planner_gui/models/run_here.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

namespace moeplan::gui {

QString find_moeplan_run(const QString& app_dir) {
  const QFileInfo beside(QDir(app_dir).filePath("moeplan-run"));
  if (!app_dir.isEmpty() && beside.isFile() && beside.isExecutable()) return beside.absoluteFilePath();
  return QStandardPaths::findExecutable("moeplan-run");
}

int count_listed_gpus(const QString& nvidia_smi_list) {
  static const QRegularExpression gpu_line(QStringLiteral("^GPU \\d+:"), QRegularExpression::MultilineOption);
  int n = 0;
  for (auto it = gpu_line.globalMatch(nvidia_smi_list); it.hasNext(); it.next()) ++n;
  return n;
}

RunHereSupport run_here_support(const QString& moeplan_run, int gpus, const QString& probe_note) {
  RunHereSupport s{moeplan_run, gpus, {}};
  if (moeplan_run.isEmpty())
    s.reason = QObject::tr("moeplan-run was not found beside moeplan-gui or in PATH: build it (cmake "
                           "-DMOEPLAN_RUNTIME=ON, needs CUDA and NCCL) or run run.sh on a GPU machine");
  else if (gpus <= 0)
    s.reason = QObject::tr("No GPU on this machine (%1): run run.sh on a machine with GPUs").arg(probe_note);
  return s;
}

RunHereSupport probe_run_here(const QString& app_dir) {
  const auto run = find_moeplan_run(app_dir);
  const auto smi = QStandardPaths::findExecutable("nvidia-smi");
  if (smi.isEmpty()) return run_here_support(run, 0, QObject::tr("nvidia-smi was not found"));
  QProcess p;
  p.start(smi, {"-L"});
  if (!p.waitForFinished(5000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
    p.kill();
    p.waitForFinished(1000);
    return run_here_support(run, 0, QObject::tr("nvidia-smi -L failed"));
  }
  return run_here_support(run, count_listed_gpus(QString::fromLocal8Bit(p.readAllStandardOutput())),
                          QObject::tr("nvidia-smi lists none"));
}

}  // namespace moeplan::gui
