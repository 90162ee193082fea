// Checks the scenario being edited (diagnostics + memory, scenario_check.h)
// on a worker thread after every edit. Checks run one at a time; a request
// replaced by a newer one before it starts is skipped, and a result whose
// request was replaced is dropped. Results arrive on the UI thread.
#pragma once

#include <QObject>
#include <QThreadPool>

#include "planner_gui/jobs/job_tracker.h"
#include "planner_gui/models/scenario_document.h"

namespace moeplan::gui {

class ValidationJob : public QObject {
  Q_OBJECT
 public:
  // Follows `doc`: every change starts a check whose result goes to doc->set_check.
  explicit ValidationJob(ScenarioDocument* doc, QObject* parent = nullptr);
  ~ValidationJob() override;
  // Blocks until the checks in flight are done (tests, shutdown).
  void wait();
  int delivered() const { return delivered_; }
  int dropped() const { return dropped_; }

 Q_SIGNALS:
  void checked(quint64 revision);

 private:
  void request(quint64 revision);

  ScenarioDocument* doc_;
  QThreadPool pool_;
  JobTracker tracker_;
  int delivered_ = 0, dropped_ = 0;
};

}  // namespace moeplan::gui
