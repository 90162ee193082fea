#include "planner_gui/widgets/export_page.h"

#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
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
  outer->addLayout(bar);
  status_ = new QLabel(tr("Writes scenario.yaml, program.json (as `moeplan plan` writes it) and run.sh (moeplan-run "
                          "on one node, under mpirun, under srun)."));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  outer->addWidget(status_);
  commands_ = new QPlainTextEdit;
  commands_->setReadOnly(true);
  commands_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  outer->addWidget(commands_, 1);

  connect(browse, &QPushButton::clicked, this, [this] {
    const auto d = QFileDialog::getExistingDirectory(this, tr("Export to"), folder_->text());
    if (!d.isEmpty()) folder_->setText(d);
  });
  connect(export_, &QPushButton::clicked, this, &ExportPage::export_now);
  connect(&job_, &ExportJob::finished, this, [this](const ExportResult& r) {
    export_->setEnabled(true);
    status_->setText(r.ok ? tr("Done: %1").arg(r.message) : tr("Not exported: %1").arg(r.message));
    if (r.ok) commands_->setPlainText(r.commands);
    else Q_EMIT failed(tr("Export failed"), r.message);
  });
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
