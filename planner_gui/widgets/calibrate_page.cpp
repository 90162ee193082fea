#include "planner_gui/widgets/calibrate_page.h"

#include <QFile>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
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
  auto* bar = new QHBoxLayout;
  apply_ = new QPushButton(tr("Apply && re-simulate"));
  apply_->setObjectName("calibrate_apply");
  apply_->setEnabled(false);
  apply_->setToolTip(tr("Fit the cost model's compute efficiencies to the measured trace (moeplan calibrate), "
                        "simulate the program again with them and compare (moeplan compare --calibration)"));
  save_ = new QPushButton(tr("Save calibration…"));
  save_->setEnabled(false);
  bar->addWidget(apply_);
  bar->addWidget(save_);
  bar->addStretch(1);
  outer->addLayout(bar);
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
  connect(apply_, &QPushButton::clicked, this, &CalibratePage::apply_calibration);
  connect(save_, &QPushButton::clicked, this, [this] {
    const auto f = QFileDialog::getSaveFileName(this, tr("Save calibration"), "calibration.json",
                                                tr("Calibration JSON (*.json)"));
    if (f.isEmpty()) return;
    QFile::remove(f);
    if (!QFile::copy(fit_job_.calibration_path(), f))
      Q_EMIT failed(tr("Calibration not saved"), tr("Could not write %1: check the folder is writable.").arg(f));
  });
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
    apply_->setEnabled(true);
    save_->setEnabled(false);
    show_step_errors();
  });
  connect(&fit_job_, &CalibrationFitJob::finished, this, [this](bool ok, const QString& message) {
    if (!ok) {
      apply_->setEnabled(true);
      status_->setText(tr("Not calibrated: %1").arg(message));
      Q_EMIT failed(tr("Calibration failed"), message);
      return;
    }
    status_->setText(tr("Calibration fitted; simulating the program with it (moeplan compare --calibration)..."));
    calibrated_job_.start(compared_program_, compared_measured_, fit_job_.calibration_path());
  });
  connect(&calibrated_job_, &CompareJob::finished, this, [this](bool ok, const QString& message) {
    apply_->setEnabled(true);
    if (!ok) {
      status_->setText(tr("Not re-simulated: %1").arg(message));
      Q_EMIT failed(tr("Re-simulation failed"), message);
      return;
    }
    try {
      model_.set_calibrated(calibrated_job_.comparison());
    } catch (const std::exception& e) {
      Q_EMIT failed(tr("Re-simulation failed"), QString::fromStdString(e.what()));
      return;
    }
    save_->setEnabled(true);
    show_step_errors();
  });
}

void CalibratePage::compare(const QString& program, const QString& measured) {
  program_->setText(program);
  measured_->setText(measured);
  if (program.isEmpty() || measured.isEmpty()) {
    Q_EMIT failed(tr("What to compare?"), tr("Pick a program (moeplan plan) and a measured trace (moeplan-run --trace)."));
    return;
  }
  fit_job_.cancel();
  calibrated_job_.cancel();
  run_->setEnabled(false);
  apply_->setEnabled(false);
  save_->setEnabled(false);
  compared_program_ = program;
  compared_measured_ = measured;
  status_->setText(tr("Simulating the program and comparing (moeplan compare)..."));
  job_.start(program, measured);
}

void CalibratePage::apply_calibration() {
  if (compared_program_.isEmpty() || model_.rowCount() == 0) {
    Q_EMIT failed(tr("Nothing to calibrate"), tr("Compare a program with its measured trace first."));
    return;
  }
  apply_->setEnabled(false);
  save_->setEnabled(false);
  status_->setText(tr("Fitting the compute efficiencies to %1 (moeplan calibrate)...").arg(compared_measured_));
  fit_job_.start(compared_program_, compared_measured_);
}

void CalibratePage::show_step_errors() {
  auto text = tr("Step: simulated %1 ms, measured %2 ms, error %3% (%4 op kinds, %5 unmatched ops)")
                  .arg(model_.simulated_step_s() * 1e3, 0, 'f', 3)
                  .arg(model_.measured_step_s() * 1e3, 0, 'f', 3)
                  .arg(model_.step_relative_error() * 100, 0, 'f', 1)
                  .arg(model_.rowCount())
                  .arg(model_.comparison().value("unmatched_ops", 0));
  if (model_.has_calibrated())
    text += tr("\nAfter calibration: simulated %1 ms, error %2% (before: %3%); calibration from %4")
                .arg(model_.calibrated_step_s() * 1e3, 0, 'f', 3)
                .arg(model_.calibrated_step_relative_error() * 100, 0, 'f', 1)
                .arg(model_.step_relative_error() * 100, 0, 'f', 1)
                .arg(compared_measured_);
  status_->setText(text);
}

}  // namespace moeplan::gui
