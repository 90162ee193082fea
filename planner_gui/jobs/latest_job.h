// Runs one kind of core computation on a worker thread, the newest request
// winning: a request replaced before it starts is skipped, and the result of
// a replaced one is dropped. The result is handed to `deliver` on the UI
// thread. Used for the computations a page makes from the scenario
// (expert load, ...) when its scenario changes.
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QThreadPool>
#include <functional>
#include <memory>

#include "planner_gui/jobs/job_tracker.h"

namespace moeplan::gui {

class LatestJob : public QObject {
  Q_OBJECT
 public:
  explicit LatestJob(QObject* parent = nullptr) : QObject(parent) { pool_.setMaxThreadCount(1); }
  ~LatestJob() override {
    tracker_.invalidate();
    pool_.waitForDone();
  }
  void wait() { pool_.waitForDone(); }

  // `work` runs on the worker; `deliver` gets its result (or the exception's message) on the UI thread.
  template <class R>
  void run(std::function<R()> work, std::function<void(std::shared_ptr<R>, QString)> deliver) {
    const auto id = tracker_.next();
    pool_.start([this, id, work = std::move(work), deliver = std::move(deliver)] {
      if (!tracker_.is_current(id)) return;
      std::shared_ptr<R> result;
      QString error;
      try {
        result = std::make_shared<R>(work());
      } catch (const std::exception& e) {
        error = QString::fromStdString(e.what());
      }
      QMetaObject::invokeMethod(
          this,
          [this, id, result, error, deliver] {
            if (tracker_.is_current(id)) deliver(result, error);
          },
          Qt::QueuedConnection);
    });
  }

 private:
  QThreadPool pool_;
  JobTracker tracker_;
};

}  // namespace moeplan::gui
