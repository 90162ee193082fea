#include "planner_gui/widgets/export_page.h"

#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QSplitter>
#include <QVBoxLayout>

namespace moeplan::gui {

ExportPage::ExportPage(ScenarioDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
  auto* outer = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  folder_ = new QLineEdit(QDir::current().filePath("moeplan-export"));
  folder_->setObjectName("export_folder");
  auto* browse = new QPushButton(tr("Folder…"));
  export_ = new QPushButton(tr("Export"));
  export_->setObjectName("export_run");
  bar->addWidget(new QLabel(tr("Export to")));
  bar->addWidget(folder_, 1);
  bar->addWidget(browse);
  bar->addWidget(export_);
  run_here_ = new QPushButton(tr("Run here"));
  run_here_->setObjectName("export_run_here");
  bar->addWidget(run_here_);
  outer->addLayout(bar);
  status_ = new QLabel(tr("Writes scenario.yaml, program.json (as `moeplan plan` writes it) and run.sh (moeplan-run "
                          "on one node, under mpirun, under srun)."));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  outer->addWidget(status_);
  commands_ = new QPlainTextEdit;
  commands_->setReadOnly(true);
  commands_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  log_ = new QPlainTextEdit;
  log_->setReadOnly(true);
  log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  log_->setPlaceholderText(tr("moeplan-run's output appears here when the program runs on this machine."));
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(commands_);
  split->addWidget(log_);
  outer->addWidget(split, 1);

  connect(browse, &QPushButton::clicked, this, [this] {
    const auto d = QFileDialog::getExistingDirectory(this, tr("Export to"), folder_->text());
    if (!d.isEmpty()) folder_->setText(d);
  });
  connect(export_, &QPushButton::clicked, this, &ExportPage::export_now);
  connect(&job_, &ExportJob::finished, this, [this](const ExportResult& r) {
    export_->setEnabled(true);
    status_->setText(r.ok ? tr("Done: %1").arg(r.message) : tr("Not exported: %1").arg(r.message));
    if (r.ok) {
      commands_->setPlainText(r.commands);
      exported_program_ = r.files.size() > 1 ? r.files[1] : QString();
    } else {
      exported_program_.clear();
      Q_EMIT failed(tr("Export failed"), r.message);
    }
    update_run_here();
  });
  connect(run_here_, &QPushButton::clicked, this, &ExportPage::run_here);
  connect(&run_job_, &RunHereJob::output, this, [this](const QString& text) {
    log_->moveCursor(QTextCursor::End);
    log_->insertPlainText(text);
    log_->moveCursor(QTextCursor::End);
  });
  connect(&run_job_, &RunHereJob::finished, this, [this](bool ok, const QString& message) {
    update_run_here();
    status_->setText(ok ? tr("Ran here: %1").arg(message) : tr("Run failed: %1").arg(message));
    if (!ok) {
      Q_EMIT failed(tr("moeplan-run failed"), message);
      return;
    }
    Q_EMIT measured(run_job_.program_path(), run_job_.trace_path(), run_job_.chrome_path());
  });
  set_run_here_support(probe_run_here(QCoreApplication::applicationDirPath()));
}

void ExportPage::set_run_here_support(const RunHereSupport& s) {
  support_ = s;
  update_run_here();
}

void ExportPage::update_run_here() {
  const bool running = run_job_.is_running();
  run_here_->setEnabled(support_.available() && !exported_program_.isEmpty() && !running);
  if (!support_.available()) run_here_->setToolTip(support_.reason);
  else if (exported_program_.isEmpty()) run_here_->setToolTip(tr("Export first: Run here runs the exported program.json"));
  else run_here_->setToolTip(tr("Run %1 with %2 on this machine's %3 GPU(s)")
                                 .arg(exported_program_, support_.moeplan_run)
                                 .arg(support_.gpus));
}

void ExportPage::run_here() {
  if (!support_.available() || exported_program_.isEmpty()) {
    Q_EMIT failed(tr("Cannot run here"), support_.available() ? run_here_->toolTip() : support_.reason);
    return;
  }
  log_->clear();
  log_->appendPlainText(QStringLiteral("$ %1 %2").arg(support_.moeplan_run, exported_program_));
  status_->setText(tr("Running %1 on this machine (moeplan-run)...").arg(exported_program_));
  run_job_.start(support_.moeplan_run, exported_program_);
  update_run_here();
}

void ExportPage::export_now() {
  if (!doc_->is_loaded()) {
    Q_EMIT failed(tr("Nothing to export"), tr("Open a scenario first (File > Open)."));
    return;
  }
  export_->setEnabled(false);
  status_->setText(tr("Building the program..."));
  job_.start(doc_->scenario(), folder_->text());
}

}  // namespace moeplan::gui
