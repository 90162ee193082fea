#include "planner_gui/charts/run_charts.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QStackedBarSeries>
#include <QValueAxis>

#include "planner_gui/models/memory_model.h"

namespace moeplan::gui {

const std::vector<std::pair<const char*, const char*>>& breakdown_terms() {
  static const std::vector<std::pair<const char*, const char*>> t{
      {"attention_s", "Attention"},         {"experts_s", "Experts"},
      {"dense_s", "Dense FFN"},             {"other_compute_s", "Other compute"},
      {"exposed_all_to_all_s", "Exposed all-to-all"}, {"exposed_pp_s", "Exposed PP"},
      {"exposed_dp_s", "Exposed DP"},       {"bubble_s", "Bubble"}};
  return t;
}

QChart* build_breakdown_chart(const std::vector<SimulationRun>& runs) {
  auto* chart = new QChart;
  chart->setTitle(QObject::tr("Step breakdown (s)"));
  auto* series = new QStackedBarSeries;
  for (const auto& [key, label] : breakdown_terms()) {
    auto* set = new QBarSet(QObject::tr(label));
    for (const auto& r : runs) {
      const auto& b = r.report.contains("breakdown") ? r.report["breakdown"] : nlohmann::json::object();
      *set << (b.contains(key) && b[key].is_number() ? b[key].get<double>() : 0.0);
    }
    series->append(set);
  }
  chart->addSeries(series);
  QStringList names;
  for (std::size_t i = 0; i < runs.size(); ++i) names << QStringLiteral("%1. %2").arg(i + 1).arg(runs[i].name);
  auto* ax = new QBarCategoryAxis;
  ax->append(names);
  auto* ay = new QValueAxis;
  ay->setTitleText(QObject::tr("seconds per step"));
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);
  series->attachAxis(ax);
  series->attachAxis(ay);
  chart->legend()->setAlignment(Qt::AlignRight);
  return chart;
}

QChart* build_memory_chart(const SimulationRun& run) {
  constexpr double kGiB = 1024.0 * 1024 * 1024;
  auto* chart = new QChart;
  chart->setTitle(QObject::tr("Memory per GPU by pipeline rank (GiB; HBM %1)").arg(format_bytes_q(run.hbm_bytes)));
  auto* series = new QStackedBarSeries;
  auto* w = new QBarSet(QObject::tr("Weights"));
  auto* g = new QBarSet(QObject::tr("Gradients"));
  auto* o = new QBarSet(QObject::tr("Optimizer"));
  auto* a = new QBarSet(QObject::tr("Activations"));
  QStringList ranks;
  for (const auto& m : run.memory) {
    *w << m.weights_bytes / kGiB;
    *g << m.gradients_bytes / kGiB;
    *o << m.optimizer_bytes / kGiB;
    *a << m.activations_bytes / kGiB;
    ranks << QString::number(m.pipe_rank);
  }
  series->append({w, g, o, a});
  chart->addSeries(series);
  auto* ax = new QBarCategoryAxis;
  ax->append(ranks);
  ax->setTitleText(QObject::tr("pipeline rank"));
  auto* ay = new QValueAxis;
  double top = run.hbm_bytes / kGiB;
  for (const auto& m : run.memory) top = std::max(top, m.total_bytes() / kGiB);
  ay->setRange(0, top * 1.05);
  ay->setTitleText(QObject::tr("GiB"));
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);
  series->attachAxis(ax);
  series->attachAxis(ay);
  chart->legend()->setAlignment(Qt::AlignRight);
  return chart;
}

}  // namespace moeplan::gui
