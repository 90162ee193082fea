// One `moeplan SUBCOMMAND ...` as a child process whose result is a file it
// writes into a fresh temporary folder: the shared part of the compare and
// calibrate jobs (start, cancel by kill, a crash or a failure to start as a
// message with the child's last stderr, never a crash of the GUI). A subclass
// names its arguments and reads its file once the child exits with 0.
#pragma once

#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>

namespace moeplan::gui {

class CliJob : public QObject {
  Q_OBJECT
 public:
  ~CliJob() override;
  void cancel();
  bool is_running() const { return process_.state() != QProcess::NotRunning; }

 Q_SIGNALS:
  void finished(bool ok, const QString& message);  // message: the child's text output, or what went wrong

 protected:
  CliJob(QString subcommand, QObject* parent);
  // Stops a run still going and makes a new output folder.
  void begin();
  // A file in the current output folder (after begin()).
  QString output_path(const QString& name) const;
  // Starts `moeplan SUBCOMMAND args...`.
  void launch(const QStringList& args);
  // After a zero exit: reads what the child wrote; returns what went wrong, or empty.
  virtual QString take_result() = 0;

 private:
  QString subcommand_;
  QProcess process_;
  std::unique_ptr<QTemporaryDir> dir_;
};

}  // namespace moeplan::gui
