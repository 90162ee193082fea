// The Export page: writes the plan a user chose into a folder (scenario,
// program as `moeplan plan` writes it, and the moeplan-run commands for the
// local launcher, mpirun and srun) and shows the commands. "Run here" runs
// the exported program with moeplan-run on this machine's GPUs (a child
// process), streams its output, and hands the measured trace on (to the
// Timeline and Calibrate pages); disabled, saying why, where it cannot.
#pragma once

#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QWidget>

#include "planner_gui/jobs/export_job.h"
#include "planner_gui/jobs/run_here_job.h"
#include "planner_gui/models/run_here.h"
#include "planner_gui/models/scenario_document.h"

namespace moeplan::gui {

class ExportPage : public QWidget {
  Q_OBJECT
 public:
  explicit ExportPage(ScenarioDocument* doc, QWidget* parent = nullptr);
  ExportJob* job() { return &job_; }
  QLineEdit* folder_edit() const { return folder_; }
  QPlainTextEdit* commands() const { return commands_; }
  QLabel* status_label() const { return status_; }
  RunHereJob* run_job() { return &run_job_; }
  QPushButton* run_here_button() const { return run_here_; }
  QPlainTextEdit* run_log() const { return log_; }
  const RunHereSupport& run_here_support() const { return support_; }
  // What "Run here" uses: found by probe_run_here at start; tests point it elsewhere.
  void set_run_here_support(const RunHereSupport& s);

 public Q_SLOTS:
  void export_now();
  void run_here();

 Q_SIGNALS:
  void failed(const QString& title, const QString& message);
  // moeplan-run finished: the program it ran, the measured trace and its Chrome trace.
  void measured(const QString& program, const QString& trace, const QString& chrome_trace);

 private:
  ScenarioDocument* doc_;
  ExportJob job_;
  QLineEdit* folder_ = nullptr;
  QPushButton* export_ = nullptr;
  QLabel* status_ = nullptr;
  QPlainTextEdit* commands_ = nullptr;
  void update_run_here();

  RunHereJob run_job_;
  RunHereSupport support_;
  QString exported_program_;
  QPushButton* run_here_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
};

}  // namespace moeplan::gui
