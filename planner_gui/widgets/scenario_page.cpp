#include "planner_gui/widgets/scenario_page.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QGroupBox>
#include <QScrollArea>
#include <QSplitter>

namespace moeplan::gui {

ScenarioPage::ScenarioPage(ScenarioDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
  auto* outer = new QVBoxLayout(this);
  summary_ = new QLabel(tr("Open a scenario (File > Open, or drop a .yaml file here)."));
  summary_->setObjectName("scenario_summary");
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  outer->addWidget(summary_);

  auto* split = new QSplitter(Qt::Horizontal);
  outer->addWidget(split, 1);

  // Left: the forms, two columns of group boxes (each column as tall as its boxes).
  auto* forms = new QWidget;
  auto* columns = new QHBoxLayout(forms);
  QVBoxLayout* column[2] = {new QVBoxLayout, new QVBoxLayout};
  columns->addLayout(column[0], 1);
  columns->addLayout(column[1], 1);
  int index = 0;
  for (const auto& [group, title] : field_groups()) {
    auto* box = new QGroupBox(title);
    box->setObjectName("group:" + group);
    auto* box_layout = new QVBoxLayout(box);
    auto* gm = new QLabel;
    gm->setObjectName("groupmsg:" + group);
    gm->setWordWrap(true);
    gm->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    gm->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette pal = gm->palette();
    pal.setColor(QPalette::WindowText, QColor(0xc0, 0x20, 0x20));
    gm->setPalette(pal);
    gm->setVisible(false);
    box_layout->addWidget(gm);
    group_messages_[group] = gm;
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    box_layout->addLayout(form);
    for (const auto& f : scenario_fields()) {
      if (f.group != group) continue;
      auto* r = new FieldRow(f, doc_);
      rows_[f.path] = r;
      form->addRow(f.label, r);
      form->addRow(r->message_label());  // spans the form's width
    }
    // Model, GPU, topology and workload on the left; plan, routing, placement, simulation on the right.
    column[index < 4 ? 0 : 1]->addWidget(box);
    ++index;
  }
  column[0]->addStretch(1);
  column[1]->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(forms);
  scroll->setWidgetResizable(true);
  split->addWidget(scroll);

  // Right: memory gauges and every problem.
  auto* side = new QWidget;
  auto* side_layout = new QVBoxLayout(side);
  auto* mem_box = new QGroupBox(tr("Memory per GPU, by pipeline rank"));
  gauge_layout_ = new QVBoxLayout(mem_box);
  side_layout->addWidget(mem_box);
  auto* prob_box = new QGroupBox(tr("Problems (moeplan validate)"));
  auto* prob_layout = new QVBoxLayout(prob_box);
  problems_ = new QListWidget;
  problems_->setObjectName("problems");
  problems_->setWordWrap(true);
  prob_layout->addWidget(problems_);
  side_layout->addWidget(prob_box, 1);
  split->addWidget(side);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setSizes({900, 380});

  connect(doc_, &ScenarioDocument::loaded, this, &ScenarioPage::refresh_values);
  connect(doc_, &ScenarioDocument::value_changed, this, [this](const QString& field) {
    if (auto* r = rows_.value(field)) r->refresh_value();
  });
  connect(doc_, &ScenarioDocument::check_changed, this, &ScenarioPage::refresh_check);
  if (doc_->is_loaded()) refresh_values();
}

void ScenarioPage::refresh_values() {
  for (auto* r : rows_) r->refresh_value();
  refresh_check();
}

void ScenarioPage::refresh_check() {
  const auto& c = doc_->check();
  for (auto* r : rows_) r->refresh_messages();
  for (auto it = group_messages_.begin(); it != group_messages_.end(); ++it) {
    const auto msgs = doc_->group_messages(it.key());
    it.value()->setText(msgs.join('\n'));
    it.value()->setVisible(!msgs.isEmpty());
  }
  problems_->clear();
  for (const auto& d : c.diagnostics.items()) problems_->addItem(QString::fromStdString(d.to_string()));
  if (doc_->has_check() && c.ok()) problems_->addItem(tr("ok: the plan validates and fits in memory"));

  memory_.set_memory(c.memory, c.hbm_bytes);
  while (gauges_.size() < memory_.rowCount()) {
    auto* bar = new QProgressBar;
    bar->setRange(0, 1000);
    bar->setTextVisible(true);
    gauges_.append(bar);
    gauge_layout_->addWidget(bar);
  }
  for (int i = 0; i < gauges_.size(); ++i) {
    auto* bar = gauges_[i];
    bar->setVisible(i < memory_.rowCount());
    if (i >= memory_.rowCount()) continue;
    const double f = memory_.fraction(i);
    bar->setValue(static_cast<int>(std::min(1.0, f) * 1000));
    bar->setFormat(tr("rank %1: %2 of %3 (%4%)")
                       .arg(i)
                       .arg(format_bytes_q(memory_.ranks()[static_cast<std::size_t>(i)].total_bytes()),
                            format_bytes_q(memory_.hbm_bytes()))
                       .arg(100.0 * f, 0, 'f', 1));
    QPalette pal = bar->palette();
    pal.setColor(QPalette::Highlight, f > 1.0 ? QColor(0xd0, 0x30, 0x30) : f > 0.9 ? QColor(0xe0, 0xa0, 0x20)
                                                                               : QColor(0x30, 0x90, 0x50));
    bar->setPalette(pal);
    bar->setProperty("over", f > 1.0);
  }
  if (!doc_->is_loaded()) return;
  QString s = tr("<b>%1</b> — %2%3").arg(QString::fromStdString(doc_->scenario().name).toHtmlEscaped(),
                                       doc_->path().toHtmlEscaped(), doc_->is_modified() ? tr(" (modified)") : "");
  if (c.parsed && c.parsed->is_training()) {
    const auto& p = *c.parsed;
    s += tr("<br>%1 GPUs (%2), PP%3 DP%4 EP%5, %6 micro-batches per pipeline, topology %7 GPUs")
             .arg(p.gpus())
             .arg(QString::fromStdString(p.gpu.name))
             .arg(p.plan.pp)
             .arg(p.plan.dp)
             .arg(p.plan.ep)
             .arg(p.plan.dp > 0 && p.training().micro_batch > 0 ? p.microbatches() : 0)
             .arg(p.topology.topology.gpu_count());
  }
  summary_->setText(s);
}

}  // namespace moeplan::gui
