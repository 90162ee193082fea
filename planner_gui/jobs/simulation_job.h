// One simulation at a time in a child `moeplan` process through the core's
// runner (sim/runner/simulation_job.h), driven from a worker thread. Progress
// and the outcome arrive on the UI thread as queued calls; cancel() stops the
// child (SIGTERM, then SIGKILL) through the runner's stop token. Starting a
// new simulation cancels the one in flight, whose outcome is then dropped.
#pragma once

#include <QObject>
#include <QString>
#include <memory>
#include <stop_token>
#include <thread>

#include "planner_gui/jobs/job_tracker.h"
#include "sim/runner/simulation_job.h"

namespace moeplan::gui {

class SimulationJob : public QObject {
  Q_OBJECT
 public:
  explicit SimulationJob(QObject* parent = nullptr);
  ~SimulationJob() override;

  quint64 start(runner::SimulationRequest request, runner::RunnerOptions options = {});
  void cancel();
  bool is_running() const { return running_; }
  int child_pid() const { return child_pid_; }  // 0 until the child reported it
  // The last outcome delivered.
  const runner::SimulationOutcome& outcome() const { return outcome_; }

 Q_SIGNALS:
  void started(quint64 id);
  void progress(quint64 id, const QString& phase, double fraction);
  void finished(quint64 id, bool ok);

 private:
  void join();

  JobTracker tracker_;
  std::stop_source stop_;
  std::thread worker_;
  bool running_ = false;
  int child_pid_ = 0;
  runner::SimulationOutcome outcome_;
};

}  // namespace moeplan::gui
