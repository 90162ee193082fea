#include "planner_gui/widgets/timeline_page.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "sim/schedule/format.h"
#include "sim/schedule/generate.h"
#include "sim/schedule/timeline.h"
#include "sim/trace/compare.h"

namespace moeplan::gui {

nlohmann::json schedule_preview_trace(const config::Scenario& sc) {
  const auto& p = sc.plan;
  const auto s = schedule::generate(p.schedule, p.pp, static_cast<int>(sc.microbatches()), p.chunks);
  const auto t = schedule::evaluate_timeline(s, schedule::OpDurations{});
  return schedule::to_chrome_trace(s, t);
}

TimelinePage::TimelinePage(ScenarioDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
  auto* outer = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  auto* preview = new QPushButton(tr("Schedule preview"));
  preview->setObjectName("timeline_preview");
  auto* all = new QPushButton(tr("Show all"));
  kind_ = new QComboBox;
  kind_->setObjectName("timeline_kind");
  layer_ = new QComboBox;
  mb_ = new QComboBox;
  bar->addWidget(preview);
  bar->addWidget(all);
  bar->addWidget(new QLabel(tr("Kind")));
  bar->addWidget(kind_);
  bar->addWidget(new QLabel(tr("Layer")));
  bar->addWidget(layer_);
  bar->addWidget(new QLabel(tr("Micro-batch")));
  bar->addWidget(mb_);
  bar->addStretch(1);
  outer->addLayout(bar);
  source_ = new QLabel(tr("Wheel: zoom, drag: pan, double-click: show all, hover: details."));
  source_->setWordWrap(true);
  outer->addWidget(source_);
  legend_ = new QLabel;
  legend_->setTextFormat(Qt::RichText);
  legend_->setWordWrap(true);
  outer->addWidget(legend_);
  view_ = new TimelineView;
  view_->setObjectName("timeline_view");
  auto* scroll = new QScrollArea;
  scroll->setWidget(view_);
  scroll->setWidgetResizable(true);
  outer->addWidget(scroll, 1);

  connect(&parse_, &TraceParseJob::parsed, this, &TimelinePage::set_data);
  connect(&parse_, &TraceParseJob::failed, this,
          [this](const QString& m) { Q_EMIT failed(tr("Cannot show the trace"), m); });
  connect(preview, &QPushButton::clicked, this, &TimelinePage::show_schedule_preview);
  connect(all, &QPushButton::clicked, view_, &TimelineView::show_all);
  for (auto* c : {kind_, layer_, mb_}) connect(c, &QComboBox::currentIndexChanged, this, &TimelinePage::apply_filter);
}

void TimelinePage::show_trace(const nlohmann::json& chrome_trace) {
  source_->setText(tr("Reading the trace..."));
  parse_.start(chrome_trace, tr("Simulated trace of %1").arg(QString::fromStdString(doc_->scenario().name)));
}

void TimelinePage::show_measured_trace(const QString& chrome_trace_path) {
  nlohmann::json chrome;
  try {
    chrome = trace::read_json_file(chrome_trace_path.toStdString());
  } catch (const std::exception& e) {
    Q_EMIT failed(tr("Cannot read the measured trace"), QString::fromStdString(e.what()));
    return;
  }
  source_->setText(tr("Reading the trace..."));
  parse_.start(std::move(chrome), tr("Measured trace %1 (moeplan-run)").arg(chrome_trace_path));
}

void TimelinePage::show_schedule_preview() {
  if (!doc_->has_check() || !doc_->check().parsed) {
    Q_EMIT failed(tr("No schedule to preview"), tr("Open a scenario whose file reads cleanly first."));
    return;
  }
  const auto& sc = *doc_->check().parsed;
  try {
    set_data(std::make_shared<const TimelineData>(TimelineData::from_chrome_trace(schedule_preview_trace(sc))),
             tr("Schedule preview: %1, PP %2, %3 micro-batches (unit durations: F 1, B 2, W 1, F&B 3)")
                 .arg(QString::fromUtf8(schedule::to_string(sc.plan.schedule).data()))
                 .arg(sc.plan.pp)
                 .arg(sc.microbatches()));
  } catch (const std::exception& e) {
    Q_EMIT failed(tr("Cannot preview the schedule"), QString::fromStdString(e.what()));
  }
}

void TimelinePage::set_data(std::shared_ptr<const TimelineData> d, const QString& source) {
  const QSignalBlocker bk(kind_), bl(layer_), bm(mb_);
  kind_->clear();
  layer_->clear();
  mb_->clear();
  kind_->addItem(tr("any"), -1);
  QStringList legend;
  for (std::size_t k = 0; k < d->kinds().size(); ++k) {
    kind_->addItem(d->kinds()[k], static_cast<int>(k));
    legend << QStringLiteral("<span style='color:%1'>&#9632;</span> %2")
                  .arg(TimelineView::kind_color(static_cast<int>(k)).name(), d->kinds()[k].toHtmlEscaped());
  }
  layer_->addItem(tr("any"), -1);
  for (int l = 0; l <= d->max_layer(); ++l) layer_->addItem(QString::number(l), l);
  mb_->addItem(tr("any"), -1);
  for (int m = 0; m <= d->max_mb(); ++m) mb_->addItem(QString::number(m), m);
  source_->setText(tr("%1: %2 ops on %3 lanes, %4 ms. Wheel: zoom, drag: pan, double-click: show all, hover: details.")
                       .arg(source)
                       .arg(d->ops().size())
                       .arg(d->lanes().size())
                       .arg(d->end_s() * 1e3, 0, 'f', 3));
  legend_->setText(legend.join("&nbsp;&nbsp; "));
  view_->set_data(std::move(d));
}

void TimelinePage::apply_filter() {
  TimelineFilter f;
  f.kind = kind_->currentData().toInt();
  f.layer = layer_->currentData().toInt();
  f.mb = mb_->currentData().toInt();
  view_->set_filter(f);
}

}  // namespace moeplan::gui
