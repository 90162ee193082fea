#include "planner_gui/widgets/experts_page.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLineSeries>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <numeric>

namespace moeplan::gui {

QColor HeatMap::color_of(double ratio) {
  // 0 -> blue, 1 -> white, >= 2 -> red.
  const double t = std::clamp(ratio, 0.0, 2.0);
  if (t < 1) return QColor::fromRgbF(static_cast<float>(t), static_cast<float>(t), 1.0f);
  return QColor::fromRgbF(1.0f, static_cast<float>(2 - t), static_cast<float>(2 - t));
}

void HeatMap::set_load(std::shared_ptr<const ExpertLoad> load) {
  load_ = std::move(load);
  image_ = {};
  if (load_ && !load_->layers.empty()) {
    image_ = QImage(load_->experts, static_cast<int>(load_->layers.size()), QImage::Format_RGB32);
    for (int r = 0; r < image_.height(); ++r) {
      const auto& row = load_->expert_tokens[static_cast<std::size_t>(r)];
      const double mean = std::accumulate(row.begin(), row.end(), 0.0) / static_cast<double>(row.size());
      for (int e = 0; e < image_.width(); ++e)
        image_.setPixelColor(e, r, color_of(mean > 0 ? row[static_cast<std::size_t>(e)] / mean : 1.0));
    }
  }
  update();
}

void HeatMap::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  if (image_.isNull()) {
    p.drawText(rect(), Qt::AlignCenter, tr("No expert load yet: open a scenario with MoE layers."));
    return;
  }
  p.drawImage(rect().adjusted(40, 0, 0, -14), image_);
  p.setPen(palette().color(QPalette::Text));
  p.drawText(QRect(0, 0, 38, 14), Qt::AlignRight, QStringLiteral("L%1").arg(load_->layers.front()));
  p.drawText(QRect(0, height() - 28, 38, 14), Qt::AlignRight, QStringLiteral("L%1").arg(load_->layers.back()));
  p.drawText(QRect(40, height() - 14, width() - 40, 14), Qt::AlignLeft, tr("expert 0"));
  p.drawText(QRect(40, height() - 14, width() - 40, 14), Qt::AlignRight, tr("expert %1").arg(load_->experts - 1));
}

void HeatMap::mousePressEvent(QMouseEvent* e) {
  if (!load_ || load_->layers.empty()) return;
  const int h = std::max(1, height() - 14);
  const int row = static_cast<int>(e->position().y()) * static_cast<int>(load_->layers.size()) / h;
  if (row >= 0 && row < static_cast<int>(load_->layers.size())) Q_EMIT layer_clicked(row);
}

ExpertsPage::ExpertsPage(ScenarioDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
  auto* outer = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  auto* compute = new QPushButton(tr("Route the layers"));
  layer_ = new QComboBox;
  bar->addWidget(compute);
  bar->addWidget(new QLabel(tr("Layer")));
  bar->addWidget(layer_);
  bar->addStretch(1);
  outer->addLayout(bar);
  status_ = new QLabel(tr("Expert load per layer from the routing model (one expert-parallel group, one micro-batch)."));
  status_->setWordWrap(true);
  outer->addWidget(status_);
  auto* split = new QSplitter(Qt::Vertical);
  auto* top = new QSplitter(Qt::Horizontal);
  heat_ = new HeatMap;
  heat_->setToolTip(tr("Token copies per expert over the layer's mean: blue below, white at, red above (2x and more)"));
  imbalance_ = new QChartView;
  imbalance_->setRenderHint(QPainter::Antialiasing);
  top->addWidget(heat_);
  top->addWidget(imbalance_);
  auto* bottom = new QSplitter(Qt::Horizontal);
  gpus_ = new QChartView;
  gpus_->setRenderHint(QPainter::Antialiasing);
  placement_ = new QPlainTextEdit;
  placement_->setReadOnly(true);
  placement_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  bottom->addWidget(gpus_);
  bottom->addWidget(placement_);
  bottom->setStretchFactor(0, 3);
  bottom->setStretchFactor(1, 2);
  split->addWidget(top);
  split->addWidget(bottom);
  outer->addWidget(split, 1);

  connect(compute, &QPushButton::clicked, this, &ExpertsPage::refresh);
  connect(heat_, &HeatMap::layer_clicked, layer_, &QComboBox::setCurrentIndex);
  connect(layer_, &QComboBox::currentIndexChanged, this, &ExpertsPage::show_layer);
}

void ExpertsPage::refresh() {
  if (!doc_->has_check() || !doc_->check().ok() || !doc_->check().parsed) {
    status_->setText(tr("The scenario must validate first (see the Scenario page)."));
    return;
  }
  status_->setText(tr("Routing every MoE layer..."));
  auto sc = *doc_->check().parsed;
  job_.run<ExpertLoad>([sc] { return compute_expert_load(sc); },
                       [this](std::shared_ptr<ExpertLoad> load, const QString& error) {
                         if (!load) {
                           status_->setText(tr("Cannot route: %1").arg(error));
                           return;
                         }
                         load_ = load;
                         const double worst_before = *std::max_element(load->imbalance_before.begin(), load->imbalance_before.end());
                         const double worst_after = *std::max_element(load->imbalance_after.begin(), load->imbalance_after.end());
                         status_->setText(tr("%1 MoE layers, %2 experts over EP %3, placement %4 (%5 slots per GPU): "
                                             "worst imbalance (max/mean GPU load) %6 contiguous, %7 with the placement.")
                                              .arg(load->layers.size())
                                              .arg(load->experts)
                                              .arg(load->ep)
                                              .arg(QString::fromStdString(load->policy))
                                              .arg(load->slots_per_gpu_after)
                                              .arg(worst_before, 0, 'f', 3)
                                              .arg(worst_after, 0, 'f', 3));
                         heat_->set_load(load);
                         auto* chart = new QChart;
                         chart->setTitle(tr("Imbalance per MoE layer (max / mean GPU load)"));
                         auto* b = new QLineSeries;
                         b->setName(tr("contiguous"));
                         auto* a = new QLineSeries;
                         a->setName(QString::fromStdString(load->policy));
                         for (std::size_t i = 0; i < load->layers.size(); ++i) {
                           b->append(load->layers[i], load->imbalance_before[i]);
                           a->append(load->layers[i], load->imbalance_after[i]);
                         }
                         chart->addSeries(b);
                         chart->addSeries(a);
                         chart->createDefaultAxes();
                         if (auto* x = qobject_cast<QValueAxis*>(chart->axes(Qt::Horizontal).value(0))) {
                           x->setLabelFormat("%d");
                           x->setTitleText(tr("layer"));
                         }
                         auto* old = imbalance_->chart();
                         imbalance_->setChart(chart);
                         delete old;
                         const QSignalBlocker block(layer_);
                         layer_->clear();
                         for (int l : load->layers) layer_->addItem(QString::number(l));
                         layer_->setCurrentIndex(0);
                         show_layer(0);
                       });
}

void ExpertsPage::show_layer(int row) {
  if (!load_ || row < 0 || row >= static_cast<int>(load_->layers.size())) return;
  const auto r = static_cast<std::size_t>(row);
  auto* chart = new QChart;
  chart->setTitle(tr("Layer %1: token copies per GPU (imbalance %2 -> %3)")
                      .arg(load_->layers[r])
                      .arg(load_->imbalance_before[r], 0, 'f', 3)
                      .arg(load_->imbalance_after[r], 0, 'f', 3));
  auto* before = new QBarSet(tr("contiguous"));
  auto* after = new QBarSet(QString::fromStdString(load_->policy));
  QStringList gpus;
  for (int g = 0; g < load_->ep; ++g) {
    *before << load_->gpu_before[r][static_cast<std::size_t>(g)];
    *after << load_->gpu_after[r][static_cast<std::size_t>(g)];
    gpus << QString::number(g);
  }
  auto* series = new QBarSeries;
  series->append({before, after});
  chart->addSeries(series);
  auto* ax = new QBarCategoryAxis;
  ax->append(gpus);
  ax->setTitleText(tr("GPU of the EP group"));
  auto* ay = new QValueAxis;
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);
  series->attachAxis(ax);
  series->attachAxis(ay);
  auto* old = gpus_->chart();
  gpus_->setChart(chart);
  delete old;
  // Which experts each GPU holds (a replica's expert marked with *).
  const auto& pl = load_->placement_after[r];
  QString text = tr("Layer %1, %2 placement: experts per GPU (* = one of several replicas)\n")
                     .arg(load_->layers[r])
                     .arg(QString::fromStdString(load_->policy));
  for (int g = 0; g < pl.gpus; ++g) {
    QStringList ex;
    for (int s = g * pl.slots_per_gpu(); s < (g + 1) * pl.slots_per_gpu(); ++s) {
      const int e = pl.phy2log[static_cast<std::size_t>(s)];
      ex << (pl.logcnt[static_cast<std::size_t>(e)] > 1 ? QStringLiteral("%1*").arg(e) : QString::number(e));
    }
    text += QStringLiteral("GPU %1: %2\n").arg(g, 3).arg(ex.join(' '));
  }
  placement_->setPlainText(text);
}

}  // namespace moeplan::gui
