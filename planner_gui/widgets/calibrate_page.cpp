#include "planner_gui/widgets/calibrate_page.h"

#include <QFileDialog>
#include <QGridLayout>
#include <QHeaderView>
#include <QVBoxLayout>

namespace moeplan::gui {

CalibratePage::CalibratePage(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  auto* grid = new QGridLayout;
  program_ = new QLineEdit;
  program_->setPlaceholderText(tr("program.json (moeplan plan, or the Export page)"));
  measured_ = new QLineEdit;
  measured_->setPlaceholderText(tr("measured.json (moeplan-run --trace)"));
  auto* pick_program = new QPushButton(tr("…"));
  auto* pick_measured = new QPushButton(tr("…"));
  run_ = new QPushButton(tr("Compare"));
  grid->addWidget(new QLabel(tr("Program")), 0, 0);
  grid->addWidget(program_, 0, 1);
  grid->addWidget(pick_program, 0, 2);
  grid->addWidget(new QLabel(tr("Measured trace")), 1, 0);
  grid->addWidget(measured_, 1, 1);
  grid->addWidget(pick_measured, 1, 2);
  grid->addWidget(run_, 0, 3, 2, 1);
  outer->addLayout(grid);
  status_ = new QLabel(tr("Simulated against measured per op kind: the program is simulated by a child moeplan "
                          "(moeplan compare) and set against the measured trace."));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  outer->addWidget(status_);
  table_ = new QTableView;
  table_->setModel(&model_);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  outer->addWidget(table_, 1);

  connect(pick_program, &QPushButton::clicked, this, [this] {
    const auto f = QFileDialog::getOpenFileName(this, tr("Program"), {}, tr("Program JSON (*.json)"));
    if (!f.isEmpty()) program_->setText(f);
  });
  connect(pick_measured, &QPushButton::clicked, this, [this] {
    const auto f = QFileDialog::getOpenFileName(this, tr("Measured trace"), {}, tr("Trace JSON (*.json)"));
    if (!f.isEmpty()) measured_->setText(f);
  });
  connect(run_, &QPushButton::clicked, this, [this] { compare(program_->text(), measured_->text()); });
  connect(&job_, &CompareJob::finished, this, [this](bool ok, const QString& message) {
    run_->setEnabled(true);
    if (!ok) {
      status_->setText(tr("Not compared: %1").arg(message));
      Q_EMIT failed(tr("Compare failed"), message);
      return;
    }
    try {
      model_.set_comparison(job_.comparison());
    } catch (const std::exception& e) {
      Q_EMIT failed(tr("Compare failed"), QString::fromStdString(e.what()));
      return;
    }
    status_->setText(tr("Step: simulated %1 ms, measured %2 ms, error %3% (%4 op kinds, %5 unmatched ops)")
                         .arg(model_.simulated_step_s() * 1e3, 0, 'f', 3)
                         .arg(model_.measured_step_s() * 1e3, 0, 'f', 3)
                         .arg(model_.step_relative_error() * 100, 0, 'f', 1)
                         .arg(model_.rowCount())
                         .arg(model_.comparison().value("unmatched_ops", 0)));
  });
}

void CalibratePage::compare(const QString& program, const QString& measured) {
  program_->setText(program);
  measured_->setText(measured);
  if (program.isEmpty() || measured.isEmpty()) {
    Q_EMIT failed(tr("What to compare?"), tr("Pick a program (moeplan plan) and a measured trace (moeplan-run --trace)."));
    return;
  }
  run_->setEnabled(false);
  status_->setText(tr("Simulating the program and comparing (moeplan compare)..."));
  job_.start(program, measured);
}

}  // namespace moeplan::gui
