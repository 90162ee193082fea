#include "planner_gui/charts/frontier_chart.h"

#include <QCoreApplication>
#include <QGraphicsScene>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QValueAxis>
#ifdef MOEPLAN_GUI_HAS_SVG
#include <QSvgGenerator>
#endif
#include <algorithm>

namespace moeplan::gui {
namespace {

void fit_axes(QChart* chart, const std::vector<FrontierPoint>& points) {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (!points.empty()) {
    auto [xa, xb] = std::minmax_element(points.begin(), points.end(), [](auto& a, auto& b) { return a.x < b.x; });
    auto [ya, yb] = std::minmax_element(points.begin(), points.end(), [](auto& a, auto& b) { return a.y < b.y; });
    x0 = xa->x, x1 = xb->x, y0 = ya->y, y1 = yb->y;
    const double dx = std::max((x1 - x0) * 0.08, std::abs(x1) * 0.02 + 1e-9);
    const double dy = std::max((y1 - y0) * 0.08, std::abs(y1) * 0.02 + 1e-9);
    x0 -= dx, x1 += dx, y0 -= dy, y1 += dy;
  }
  const auto h = chart->axes(Qt::Horizontal), v = chart->axes(Qt::Vertical);
  if (!h.isEmpty()) {
    h.first()->setRange(x0, x1);
    static_cast<QValueAxis*>(h.first())->applyNiceNumbers();
  }
  if (!v.isEmpty()) {
    v.first()->setRange(y0, y1);
    static_cast<QValueAxis*>(v.first())->applyNiceNumbers();
  }
}

}  // namespace

QString metric_title(const QString& metric) {
  if (metric == "tokens_per_s_per_gpu") return QObject::tr("Throughput (tokens/s per GPU)");
  if (metric == "gpu_hours_per_trillion_tokens") return QObject::tr("Cost (GPU-hours per trillion tokens)");
  if (metric == "gpus") return QObject::tr("GPUs");
  if (metric == "step_time_s") return QObject::tr("Step time (s)");
  if (metric == "memory_headroom_bytes") return QObject::tr("Memory headroom (bytes)");
  if (metric == "mfu") return QObject::tr("MFU");
  return metric;
}

QScatterSeries* frontier_series(QChart* chart) {
  for (auto* s : chart->series())
    if (auto* sc = qobject_cast<QScatterSeries*>(s)) return sc;
  return nullptr;
}

QChart* build_frontier_chart(const std::vector<FrontierPoint>& points, const FrontierAxes& axes, const QString& title) {
  auto* chart = new QChart;
  chart->setTitle(title);
  auto* series = new QScatterSeries;
  series->setName(QObject::tr("ok rows"));
  series->setMarkerSize(kFrontierMarkerSize);
  chart->addSeries(series);
  auto* ax = new QValueAxis;
  ax->setTitleText(metric_title(axes.x_metric));
  auto* ay = new QValueAxis;
  ay->setTitleText(metric_title(axes.y_metric));
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);
  series->attachAxis(ax);
  series->attachAxis(ay);
  chart->legend()->setVisible(false);
  update_frontier_chart(chart, points);
  return chart;
}

void update_frontier_chart(QChart* chart, const std::vector<FrontierPoint>& points) {
  auto* series = frontier_series(chart);
  if (!series) return;
  QList<QPointF> pts;
  pts.reserve(static_cast<qsizetype>(points.size()));
  for (const auto& p : points) pts.append(QPointF(p.x, p.y));
  series->replace(pts);
  fit_axes(chart, points);
}

bool frontier_svg_supported() {
#ifdef MOEPLAN_GUI_HAS_SVG
  return true;
#else
  return false;
#endif
}

bool write_frontier_image(const QString& results_path, const QString& out_path, QSize size, const FrontierAxes& axes,
                          QString* error, int* points_written) {
  const bool svg = out_path.endsWith(".svg", Qt::CaseInsensitive);
  if (!svg && !out_path.endsWith(".png", Qt::CaseInsensitive)) {
    if (error) *error = QObject::tr("%1: the image's name ends in .png%2").arg(out_path, frontier_svg_supported() ? " or .svg" : "");
    return false;
  }
  if (svg && !frontier_svg_supported()) {
    if (error)
      *error = QObject::tr("%1: only PNG is written (Qt SVG was not found when moeplan-gui was built: install "
                           "qt6-svg-dev and rebuild); use a .png name").arg(out_path);
    return false;
  }
  SweepResultsModel model;
  if (!model.reload(results_path, error)) return false;
  const auto points = model.ok_points(axes.x_metric, axes.y_metric);
  if (points_written) *points_written = static_cast<int>(points.size());
  auto* chart = build_frontier_chart(
      points, axes,
      QObject::tr("%1: %2 ok of %3 rows").arg(QFileInfo(results_path).fileName()).arg(points.size()).arg(model.rowCount()));
  // Laid out at the image's size in a scene of its own (no view, no window).
  QGraphicsScene scene;  // owns the chart
  scene.addItem(chart);
  const QRectF area(QPointF(0, 0), QSizeF(size));
  chart->setGeometry(area);
  scene.setSceneRect(area);
  QCoreApplication::processEvents();  // the chart lays out its axes and series
  const auto cannot_write = [&] {
    if (error) *error = QObject::tr("could not write %1; check that its folder exists and is writable").arg(out_path);
    return false;
  };
#ifdef MOEPLAN_GUI_HAS_SVG
  if (svg) {
    QSvgGenerator generator;
    generator.setFileName(out_path);
    generator.setSize(size);
    generator.setViewBox(area);
    generator.setTitle(QFileInfo(results_path).fileName());
    generator.setDescription(QObject::tr("moeplan-gui --plot-frontier: %1 against %2").arg(axes.y_metric, axes.x_metric));
    QPainter painter;
    if (!painter.begin(&generator)) return cannot_write();
    painter.fillRect(area, Qt::white);
    scene.render(&painter, area, area);
    painter.end();
    return QFileInfo::exists(out_path) || cannot_write();
  }
#endif
  QImage image(size, QImage::Format_ARGB32);
  image.fill(Qt::white);
  {
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    scene.render(&painter, area, area);
  }
  if (!image.save(out_path, "PNG")) return cannot_write();
  return true;
}

}  // namespace moeplan::gui
