// The frontier scatter of a sweep: throughput per GPU (y) against GPUs or
// cost (x), one point per ok row of the results file. Built here once and
// used by the Search page and by `moeplan-gui --plot-frontier` (headless).
#pragma once

#include <QChart>
#include <QScatterSeries>
#include <QSize>
#include <QString>
#include <vector>

#include "planner_gui/models/sweep_results_model.h"

namespace moeplan::gui {

// Diameter of a point's mark, in pixels.
inline constexpr double kFrontierMarkerSize = 9;

struct FrontierAxes {
  QString x_metric = QStringLiteral("gpu_hours_per_trillion_tokens");
  QString y_metric = QStringLiteral("tokens_per_s_per_gpu");
};
// A metric's axis title ("Cost (GPU-hours per trillion tokens)").
QString metric_title(const QString& metric);

// A chart with one scatter series ("ok rows") holding `points`, in order.
QChart* build_frontier_chart(const std::vector<FrontierPoint>& points, const FrontierAxes& axes, const QString& title);
// Replaces the chart's points (rows arrived) and rescales its axes.
void update_frontier_chart(QChart* chart, const std::vector<FrontierPoint>& points);
// The chart's scatter series of ok rows.
QScatterSeries* frontier_series(QChart* chart);

// Whether write_frontier_image can write SVG (Qt SVG was found at build time).
bool frontier_svg_supported();

// Reads `results_path` (CSV or JSON lines) with the core reader and writes
// the frontier chart of `size` pixels to `out_path`, without a window: a PNG
// for a .png name, an SVG (QSvgGenerator) for a .svg name when
// frontier_svg_supported(). On failure returns false with `error` saying
// what happened.
bool write_frontier_image(const QString& results_path, const QString& out_path, QSize size, const FrontierAxes& axes,
                          QString* error, int* points_written = nullptr);

}  // namespace moeplan::gui
