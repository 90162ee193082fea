// Exports the scenario being edited into a folder, on a worker thread:
// scenario.yaml (core writer), program.json (the core's program builder and
// writer, as `moeplan plan` makes it) and run.sh (run_commands.h). A
// program too large to build in one piece is refused with the per-rank
// command that writes it instead, as `moeplan plan` does.
#pragma once

#include <QObject>
#include <QStringList>
#include <QThreadPool>

#include "planner_gui/jobs/job_tracker.h"
#include "sim/config/scenario.h"

namespace moeplan::gui {

struct ExportResult {
  bool ok = false;
  QString message;      // what went wrong, or what was written
  QStringList files;    // written, in order: scenario, program, commands
  QString commands;     // run.sh's text
};

// The export itself (the job runs this on its worker).
ExportResult export_plan(const config::Scenario& sc, const QString& folder);

class ExportJob : public QObject {
  Q_OBJECT
 public:
  explicit ExportJob(QObject* parent = nullptr);
  ~ExportJob() override;
  void start(const config::Scenario& sc, const QString& folder);
  void wait() { pool_.waitForDone(); }
  bool is_running() const { return running_; }

 Q_SIGNALS:
  void finished(const moeplan::gui::ExportResult& result);

 private:
  QThreadPool pool_;
  JobTracker tracker_;
  bool running_ = false;
};

}  // namespace moeplan::gui
