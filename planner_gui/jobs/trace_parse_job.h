// Turns a Chrome trace (the simulated one: 139k ops for the 2048-GPU default,
// ~0.25 s) into TimelineData on a worker thread; the newest request wins and
// older results are dropped. The result arrives on the UI thread.
#pragma once

#include <QObject>
#include <QThreadPool>
#include <memory>
#include <nlohmann/json.hpp>

#include "planner_gui/jobs/job_tracker.h"
#include "planner_gui/models/timeline_data.h"

namespace moeplan::gui {

class TraceParseJob : public QObject {
  Q_OBJECT
 public:
  explicit TraceParseJob(QObject* parent = nullptr);
  ~TraceParseJob() override;
  void start(nlohmann::json chrome_trace, const QString& source);
  void wait() { pool_.waitForDone(); }

 Q_SIGNALS:
  void parsed(std::shared_ptr<const moeplan::gui::TimelineData> data, const QString& source);
  void failed(const QString& message);

 private:
  QThreadPool pool_;
  JobTracker tracker_;
};

}  // namespace moeplan::gui
