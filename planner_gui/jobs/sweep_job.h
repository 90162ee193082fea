// A sweep (`moeplan sweep SPEC -o RESULTS`) or the auto-planner's input, run
// as a child process; its results file is re-read (core reader, on a worker
// thread) while it grows, so the frontier fills in as rows arrive. cancel()
// stops the child; the rows written so far stay (the sweep can --resume).
#pragma once

#include <QObject>
#include <QProcess>
#include <QThreadPool>
#include <QTimer>

#include "planner_gui/jobs/job_tracker.h"
#include "sim/sweep/results.h"

namespace moeplan::gui {

class SweepJob : public QObject {
  Q_OBJECT
 public:
  explicit SweepJob(QObject* parent = nullptr);
  ~SweepJob() override;

  // Starts `moeplan sweep spec -o results --jobs N --resume`.
  void start(const QString& spec_path, const QString& results_path, int jobs);
  // Reads a results file once (no process).
  void read_once(const QString& results_path);
  void cancel();
  bool is_running() const { return process_.state() != QProcess::NotRunning; }
  QString stderr_tail() const { return stderr_tail_; }

 Q_SIGNALS:
  void rows(const moeplan::sweep::ResultsFile& file);
  void read_failed(const QString& message);
  void finished(int exit_code, bool cancelled);

 private:
  void poll();

  QProcess process_;
  QTimer timer_;
  QThreadPool pool_;
  JobTracker tracker_;
  QString results_path_;
  QString stderr_tail_;
  bool cancelled_ = false;
};

}  // namespace moeplan::gui
