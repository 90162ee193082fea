#include "planner_gui/widgets/simulate_page.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QSplitter>
#include <QVBoxLayout>

#include "planner_gui/charts/run_charts.h"

namespace moeplan::gui {

SimulatePage::SimulatePage(ScenarioDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
  auto* outer = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  run_ = new QPushButton(tr("Simulate (F5)"));
  run_->setObjectName("simulate_run");
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setObjectName("simulate_cancel");
  cancel_->setEnabled(false);
  with_trace_ = new QCheckBox(tr("Keep the trace for the Timeline"));
  with_trace_->setChecked(true);
  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  status_ = new QLabel(tr("Not run yet."));
  status_->setObjectName("simulate_status");
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* clear = new QPushButton(tr("Clear runs"));
  bar->addWidget(run_);
  bar->addWidget(cancel_);
  bar->addWidget(progress_, 1);
  bar->addWidget(with_trace_);
  bar->addWidget(clear);
  outer->addLayout(bar);
  outer->addWidget(status_);

  auto* split = new QSplitter(Qt::Vertical);
  table_ = new QTableView;
  table_->setObjectName("simulate_summary");
  table_->setModel(&runs_);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  split->addWidget(table_);
  auto* charts = new QSplitter(Qt::Horizontal);
  breakdown_ = new QChartView;
  breakdown_->setRenderHint(QPainter::Antialiasing);
  memory_ = new QChartView;
  memory_->setRenderHint(QPainter::Antialiasing);
  charts->addWidget(breakdown_);
  charts->addWidget(memory_);
  split->addWidget(charts);
  split->setStretchFactor(1, 2);
  outer->addWidget(split, 1);

  connect(run_, &QPushButton::clicked, this, &SimulatePage::run);
  connect(cancel_, &QPushButton::clicked, this, &SimulatePage::cancel);
  connect(clear, &QPushButton::clicked, this, [this] {
    runs_.clear();
    refresh_charts();
  });
  connect(&job_, &SimulationJob::progress, this, [this](quint64, const QString& phase, double fraction) {
    if (phase == "simulate") progress_->setValue(static_cast<int>(100 + 850 * fraction));
    else if (phase == "report") progress_->setValue(950);
    else progress_->setValue(std::max(progress_->value(), 20));
    status_->setText(tr("Running: %1%2").arg(phase, job_.child_pid() ? tr(" (child process %1)").arg(job_.child_pid()) : ""));
  });
  connect(&job_, &SimulationJob::finished, this, &SimulatePage::on_finished);
  refresh_charts();
}

void SimulatePage::run() {
  if (!doc_->is_loaded()) {
    Q_EMIT failed(tr("Nothing to simulate"), tr("Open a scenario first (File > Open)."));
    return;
  }
  auto req = runner::SimulationRequest::text(doc_->yaml(), doc_->path().toStdString());
  req.with_trace = with_trace_->isChecked();
  // The memory per pipeline rank comes from the core memory model of the scenario simulated.
  const bool current = doc_->has_check() && doc_->check().yaml == req.scenario_text;  // not a check of an older edit
  pending_memory_ = current ? doc_->check().memory : std::vector<plan::MemoryBreakdown>{};
  pending_hbm_ = current ? doc_->check().hbm_bytes : 0;
  pending_name_ = QString::fromStdString(doc_->scenario().name);
  progress_->setValue(0);
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  status_->setText(tr("Starting a child moeplan process..."));
  job_.start(std::move(req));
}

void SimulatePage::cancel() {
  if (!job_.is_running()) return;
  status_->setText(tr("Cancelling..."));
  job_.cancel();
}

void SimulatePage::on_finished(quint64, bool ok) {
  run_->setEnabled(true);
  cancel_->setEnabled(false);
  const auto& out = job_.outcome();
  if (!ok) {
    progress_->setValue(0);
    const auto status = QString::fromUtf8(runner::to_string(out.status).data(),
                                          static_cast<qsizetype>(runner::to_string(out.status).size()));
    status_->setText(tr("Simulation %1: %2").arg(status, QString::fromStdString(out.message)));
    if (out.status != runner::SimulationStatus::Cancelled)
      Q_EMIT failed(tr("Simulation %1").arg(status), QString::fromStdString(out.message));
    return;
  }
  progress_->setValue(1000);
  SimulationRun r;
  r.name = pending_name_;
  r.report = out.report;
  r.memory = pending_memory_;
  r.hbm_bytes = pending_hbm_;
  runs_.add_run(std::move(r));
  status_->setText(tr("Done: step time %1 s (run %2 of at most %3 side by side)")
                       .arg(out.report.value("step_time_s", 0.0), 0, 'g', 10)
                       .arg(runs_.columnCount())
                       .arg(RunSummaryModel::kMaxRuns));
  refresh_charts();
  Q_EMIT report_ready(out.report);
  if (!out.trace.is_null()) Q_EMIT trace_ready(out.trace);
}

void SimulatePage::refresh_charts() {
  auto* old_b = breakdown_->chart();
  breakdown_->setChart(build_breakdown_chart(runs_.runs()));
  delete old_b;
  auto* old_m = memory_->chart();
  memory_->setChart(runs_.runs().empty() ? new QChart : build_memory_chart(runs_.runs().back()));
  delete old_m;
}

}  // namespace moeplan::gui
