// The Export page: writes the plan a user chose into a folder (scenario,
// program as `moeplan plan` writes it, and the moeplan-run commands for the
// local launcher, mpirun and srun) and shows the commands.
#pragma once

#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QWidget>

#include "planner_gui/jobs/export_job.h"
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

 public Q_SLOTS:
  void export_now();

 Q_SIGNALS:
  void failed(const QString& title, const QString& message);

 private:
  ScenarioDocument* doc_;
  ExportJob job_;
  QLineEdit* folder_ = nullptr;
  QPushButton* export_ = nullptr;
  QLabel* status_ = nullptr;
  QPlainTextEdit* commands_ = nullptr;
};

}  // namespace moeplan::gui
