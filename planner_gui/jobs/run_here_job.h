// "Run here": `moeplan-run PROGRAM --trace MEASURED --chrome CHROME` as a
// child process on this machine's GPUs. Its output arrives line by line as
// it runs; at the end, the measured trace and its Chrome form it wrote.
// cancel() stops it (SIGTERM, then SIGKILL after 5 s).
#pragma once

#include <QObject>
#include <QProcess>

namespace moeplan::gui {

class RunHereJob : public QObject {
  Q_OBJECT
 public:
  explicit RunHereJob(QObject* parent = nullptr);
  ~RunHereJob() override;
  // Writes MEASURED = <folder of program>/measured.json and CHROME = measured.chrome.json beside it.
  void start(const QString& moeplan_run, const QString& program);
  void cancel();
  bool is_running() const { return process_.state() != QProcess::NotRunning; }
  QString program_path() const { return program_; }
  QString trace_path() const { return trace_; }
  QString chrome_path() const { return chrome_; }

 Q_SIGNALS:
  void output(const QString& text);  // stdout and stderr, as they come
  void finished(bool ok, const QString& message);

 private:
  QProcess process_;
  QString program_, trace_, chrome_;
};

}  // namespace moeplan::gui
