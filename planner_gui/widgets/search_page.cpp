#include "planner_gui/widgets/search_page.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QSplitter>
#include <QVBoxLayout>
#include <limits>

#include "sim/sweep/configurations.h"
#include "sim/sweep/sweep_spec.h"

namespace moeplan::gui {

SearchPage::SearchPage(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  auto* open_spec_b = new QPushButton(tr("Open sweep…"));
  auto* open_results_b = new QPushButton(tr("Open results…"));
  run_ = new QPushButton(tr("Run sweep"));
  run_->setEnabled(false);
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setEnabled(false);
  jobs_ = new QSpinBox;
  jobs_->setRange(1, 64);
  jobs_->setValue(2);
  jobs_->setPrefix(tr("jobs "));
  x_axis_ = new QComboBox;
  x_axis_->addItem(tr("x: cost (GPU-hours per trillion tokens)"), "gpu_hours_per_trillion_tokens");
  x_axis_->addItem(tr("x: GPUs"), "gpus");
  x_axis_->addItem(tr("x: step time"), "step_time_s");
  x_axis_->addItem(tr("x: memory headroom"), "memory_headroom_bytes");
  for (auto* w : std::initializer_list<QWidget*>{open_spec_b, open_results_b, run_, cancel_, jobs_, x_axis_}) bar->addWidget(w);
  bar->addStretch(1);
  outer->addLayout(bar);
  status_ = new QLabel(tr("Open a sweep file (sweeps/*.yaml) to run it, or a results file (.csv, .jsonl) to plot it."));
  status_->setObjectName("search_status");
  status_->setWordWrap(true);
  outer->addWidget(status_);

  auto* split = new QSplitter(Qt::Vertical);
  view_ = new QChartView(build_frontier_chart({}, axes(), tr("Frontier")));
  view_->setRenderHint(QPainter::Antialiasing);
  table_ = new QTableView;
  table_->setModel(&model_);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  split->addWidget(view_);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  outer->addWidget(split, 1);

  connect(open_spec_b, &QPushButton::clicked, this, [this] {
    const auto f = QFileDialog::getOpenFileName(this, tr("Open a sweep"), {}, tr("Sweep files (*.yaml *.yml)"));
    if (!f.isEmpty()) open_spec(f);
  });
  connect(open_results_b, &QPushButton::clicked, this, [this] {
    const auto f = QFileDialog::getOpenFileName(this, tr("Open results"), {}, tr("Results (*.csv *.jsonl)"));
    if (!f.isEmpty()) open_results(f);
  });
  connect(run_, &QPushButton::clicked, this, [this] {
    const auto f = QFileDialog::getSaveFileName(this, tr("Write results to"),
                                                QFileInfo(spec_path_).completeBaseName() + "-results.csv",
                                                tr("CSV (*.csv);;JSON lines (*.jsonl)"));
    if (!f.isEmpty()) run_sweep(f);
  });
  connect(cancel_, &QPushButton::clicked, &job_, &SweepJob::cancel);
  connect(x_axis_, &QComboBox::currentIndexChanged, this, [this] {
    auto* old = view_->chart();
    view_->setChart(build_frontier_chart({}, axes(), old->title()));
    delete old;
    refresh_chart();
  });
  connect(&job_, &SweepJob::rows, this, [this](const sweep::ResultsFile& f) {
    model_.set_results(f);
    refresh_chart();
  });
  connect(&job_, &SweepJob::read_failed, this, [this](const QString& m) { Q_EMIT failed(tr("Cannot read the results"), m); });
  connect(&job_, &SweepJob::finished, this, [this](int code, bool cancelled) {
    run_->setEnabled(!spec_path_.isEmpty());
    cancel_->setEnabled(false);
    if (cancelled) status_->setText(tr("Sweep cancelled after %1 rows; run it again to resume.").arg(model_.rowCount()));
    else if (code != 0)
      Q_EMIT failed(tr("The sweep failed"), tr("moeplan sweep exited with %1:\n%2").arg(code).arg(job_.stderr_tail()));
    else status_->setText(tr("Sweep done: %1 rows, %2 ok.").arg(model_.rowCount()).arg(model_.ok_rows()));
  });
}

FrontierAxes SearchPage::axes() const {
  FrontierAxes a;
  a.x_metric = x_axis_->currentData().toString();
  return a;
}

void SearchPage::open_spec(const QString& spec_path) {
  Diagnostics diag;
  if (!sweep::load_sweep_spec(spec_path.toStdString(), diag)) {
    Q_EMIT failed(tr("Cannot open the sweep"), QString::fromStdString(diag.to_string()));
    return;
  }
  spec_path_ = QFileInfo(spec_path).absoluteFilePath();
  run_->setEnabled(!job_.is_running());
  status_->setText(tr("Sweep %1: press Run sweep to run it, or open its results.").arg(spec_path_));
}

void SearchPage::open_results(const QString& results_path) {
  QString error;
  results_path_ = results_path;
  if (!model_.reload(results_path, &error)) {
    Q_EMIT failed(tr("Cannot read the results"), error);
    return;
  }
  refresh_chart();
  status_->setText(tr("%1: %2 rows, %3 ok.%4")
                       .arg(results_path)
                       .arg(model_.rowCount())
                       .arg(model_.ok_rows())
                       .arg(spec_path_.isEmpty() ? tr(" Open its sweep file to open points as scenarios.") : QString()));
}

void SearchPage::run_sweep(const QString& results_path) {
  if (spec_path_.isEmpty()) return;
  results_path_ = results_path;
  model_.clear();
  refresh_chart();
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  status_->setText(tr("Running moeplan sweep %1 -> %2 ...").arg(spec_path_, results_path));
  job_.start(spec_path_, results_path, jobs_->value());
}

void SearchPage::refresh_chart() {
  const auto a = axes();
  points_ = model_.ok_points(a.x_metric, a.y_metric);
  view_->chart()->setTitle(tr("Frontier: %1 ok of %2 rows").arg(points_.size()).arg(model_.rowCount()));
  update_frontier_chart(view_->chart(), points_);
  if (auto* s = frontier_series(view_->chart()); s && !s->property("wired").toBool()) {
    s->setProperty("wired", true);
    connect(s, &QScatterSeries::clicked, this, &SearchPage::open_point);
    connect(s, &QScatterSeries::hovered, this, [this](const QPointF& p, bool state) {
      if (!state) return;
      for (const auto& fp : points_)
        if (fp.x == p.x() && fp.y == p.y()) view_->setToolTip(fp.label);
    });
  }
}

void SearchPage::open_point(const QPointF& p) {
  if (points_.empty()) return;
  const FrontierPoint* best = nullptr;
  double best_d = std::numeric_limits<double>::max();
  for (const auto& fp : points_) {
    const double d = std::abs(fp.x - p.x()) + std::abs(fp.y - p.y());
    if (d < best_d) best_d = d, best = &fp;
  }
  if (spec_path_.isEmpty()) {
    Q_EMIT failed(tr("Which sweep?"), tr("Point %1 came from a results file alone; open its sweep file (Open sweep…) "
                                       "so that the configuration can be rebuilt.").arg(best->label));
    return;
  }
  Diagnostics diag;
  auto spec = sweep::load_sweep_spec(spec_path_.toStdString(), diag);
  if (!spec) {
    Q_EMIT failed(tr("Cannot open the sweep"), QString::fromStdString(diag.to_string()));
    return;
  }
  const auto& row = model_.results().rows[static_cast<std::size_t>(best->row)];
  const auto tier_it = row.find("tier");
  for (auto tier : {sweep::Tier::Analytic, sweep::Tier::Des}) {
    if (tier_it != row.end() && tier_it->second != sweep::to_string(tier)) continue;
    for (const auto& c : sweep::configurations(*spec, tier)) {
      if (QString::fromStdString(c.hash) != best->hash) continue;
      const auto text = sweep::scenario_text(*spec, c.point);
      // Beside the base scenario, as the sweep itself reads it (relative references resolve the same).
      const QFileInfo base(QString::fromStdString(spec->base_path));
      const auto stands_for = base.dir().filePath(QStringLiteral("%1-%2.yaml").arg(base.completeBaseName(), best->hash));
      Q_EMIT open_scenario(QString::fromStdString(text), stands_for);
      return;
    }
  }
  Q_EMIT failed(tr("Configuration not found"),
              tr("No configuration of %1 has hash %2; the results file may come from another sweep.").arg(spec_path_, best->hash));
}

}  // namespace moeplan::gui
