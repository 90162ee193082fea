#include "planner_gui/jobs/simulation_job.h"

#include <QMetaObject>

namespace moeplan::gui {

SimulationJob::SimulationJob(QObject* parent) : QObject(parent) {}

SimulationJob::~SimulationJob() {
  tracker_.invalidate();
  stop_.request_stop();
  join();
}

void SimulationJob::join() {
  if (worker_.joinable()) worker_.join();
}

quint64 SimulationJob::start(runner::SimulationRequest request, runner::RunnerOptions options) {
  stop_.request_stop();  // the one in flight, if any: its child is stopped and reaped
  join();
  stop_ = std::stop_source();
  const auto id = tracker_.next();
  running_ = true;
  child_pid_ = 0;
  Q_EMIT started(id);
  worker_ = std::thread([this, id, request = std::move(request), options = std::move(options),
                         token = stop_.get_token()] {
    auto on_progress = [this, id](const runner::SimulationProgress& p) {
      QMetaObject::invokeMethod(
          this,
          [this, id, phase = QString::fromStdString(p.phase), fraction = p.fraction, pid = p.pid] {
            if (!tracker_.is_current(id)) return;
            if (pid > 0) child_pid_ = pid;
            Q_EMIT progress(id, phase, fraction);
          },
          Qt::QueuedConnection);
    };
    auto out = runner::run_simulation(request, options, on_progress, token);
    QMetaObject::invokeMethod(
        this,
        [this, id, out = std::move(out)]() mutable {
          if (!tracker_.is_current(id)) return;  // replaced by a newer run
          running_ = false;
          outcome_ = std::move(out);
          Q_EMIT finished(id, outcome_.ok());
        },
        Qt::QueuedConnection);
  });
  return id;
}

void SimulationJob::cancel() { stop_.request_stop(); }

}  // namespace moeplan::gui
