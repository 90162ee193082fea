// moeplan-gui [scenario.yaml]: the desktop planner.
// Headless uses (no window; the offscreen platform is chosen for them):
//   moeplan-gui --plot-frontier results.csv -o frontier.png|frontier.svg [--size 1200x800] [--x gpus]
//   moeplan-gui --screenshot DIR [scenario.yaml] [--results results.csv]
//   moeplan-gui --bench-timeline [scenario.yaml]
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "planner_gui/charts/frontier_chart.h"
#include "planner_gui/models/scenario_fields.h"
#include "planner_gui/widgets/main_window.h"
#include "sim/config/scenario.h"
#include "sim/runner/simulation_job.h"

using namespace moeplan;
using namespace moeplan::gui;

namespace {

bool wants_headless(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    for (const char* o : {"--plot-frontier", "--screenshot", "--bench-timeline"})
      if (std::strcmp(argv[i], o) == 0) return true;
  return false;
}

// Waits, processing events, until `done` or `timeout_ms`.
template <class F>
bool wait_for(F done, int timeout_ms) {
  QElapsedTimer t;
  t.start();
  while (!done()) {
    if (t.elapsed() > timeout_ms) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
  }
  return true;
}

int plot_frontier(const QCommandLineParser& args) {
  const auto in = args.value("plot-frontier");
  const auto out = args.value("o");
  if (out.isEmpty()) {
    std::fprintf(stderr, "moeplan-gui: --plot-frontier needs -o FILE.png%s\n", frontier_svg_supported() ? " or FILE.svg" : "");
    return 2;
  }
  const bool png = out.endsWith(".png", Qt::CaseInsensitive);
  if (!png && !(out.endsWith(".svg", Qt::CaseInsensitive) && frontier_svg_supported())) {
    std::fprintf(stderr, "moeplan-gui: %s: %s\n", qPrintable(out),
                 frontier_svg_supported() ? "write a .png or an .svg name"
                                          : "only PNG is written (Qt SVG was not found when moeplan-gui was built: "
                                            "install qt6-svg-dev and rebuild); use a .png name");
    return 2;
  }
  const auto size_text = args.value("size").split('x');
  const QSize size(size_text.value(0).toInt(), size_text.value(1).toInt());
  if (size_text.size() != 2 || size.width() < 100 || size.height() < 100 || size.width() > 10000 ||
      size.height() > 10000) {
    std::fprintf(stderr, "moeplan-gui: --size %s: expected WIDTHxHEIGHT in pixels, each 100..10000\n",
                 qPrintable(args.value("size")));
    return 2;
  }
  FrontierAxes axes;
  if (args.isSet("x")) axes.x_metric = args.value("x");
  QString error;
  int points = 0;
  if (!write_frontier_image(in, out, size, axes, &error, &points)) {
    std::fprintf(stderr, "moeplan-gui: %s\n", qPrintable(error));
    return 1;
  }
  std::printf("%s: %d ok rows plotted (%s against %s), %dx%d\n", qPrintable(out), points, qPrintable(axes.y_metric),
              qPrintable(axes.x_metric), size.width(), size.height());
  return 0;
}

// Paint time of a whole-view repaint of the scenario's simulated trace, offscreen.
int bench_timeline(const QString& scenario) {
  auto req = runner::SimulationRequest::file(scenario.toStdString());
  req.with_trace = true;
  QElapsedTimer sim;
  sim.start();
  const auto out = runner::run_simulation(req, {});
  if (!out.ok()) {
    std::fprintf(stderr, "moeplan-gui: simulation %s: %s\n", runner::to_string(out.status).data(), out.message.c_str());
    return 1;
  }
  QElapsedTimer parse;
  parse.start();
  auto data = std::make_shared<const TimelineData>(TimelineData::from_chrome_trace(out.trace));
  const auto parse_ms = static_cast<double>(parse.nsecsElapsed()) / 1e6;
  TimelineView view;
  view.resize(1600, 900);
  view.set_data(data);
  QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
  std::vector<double> ms;
  for (int i = 0; i < 25; ++i) {
    QElapsedTimer t;
    t.start();
    view.render(&image);
    ms.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
  }
  std::sort(ms.begin(), ms.end());
  std::printf("timeline bench: %s\n  simulation (child process, with trace): %.1f s\n  trace: %zu ops on %zu lanes, "
              "parsed in %.0f ms\n  whole-view repaint 1600x900 offscreen, 25 runs: median %.2f ms, min %.2f, max %.2f "
              "(%lld rectangles)\n  target: < 33 ms: %s\n",
              qPrintable(scenario), static_cast<double>(sim.elapsed()) / 1e3, data->ops().size(), data->lanes().size(),
              parse_ms, ms[ms.size() / 2], ms.front(), ms.back(), view.last_rects(), ms[ms.size() / 2] < 33 ? "met" : "MISSED");
  return 0;
}

int screenshots(MainWindow& w, const QCommandLineParser& args, const QString& scenario) {
  w.set_dialogs_enabled(false);
  w.resize(1280, 800);
  w.show();
  QString error;
  if (!w.open_file(scenario, &error, true)) {
    std::fprintf(stderr, "moeplan-gui: %s\n", qPrintable(error));
    return 1;
  }
  wait_for([&] { return w.document()->has_check(); }, 60000);
  for (const auto& edit : args.values("set")) {  // field=value, as a user would type it
    const auto field = edit.section('=', 0, 0), value = edit.section('=', 1);
    const auto* spec = find_field(field);
    if (!spec) {
      std::fprintf(stderr, "moeplan-gui: --set %s: no such field\n", qPrintable(edit));
      return 2;
    }
    w.document()->set_value(field, spec->kind == FieldKind::Integer ? QVariant(value.toLongLong())
                                   : spec->kind == FieldKind::Real  ? QVariant(value.toDouble())
                                                                    : QVariant(value));
    wait_for([&] { return w.document()->has_check() && w.validation()->delivered() > 0 &&
                          w.document()->check().yaml == w.document()->yaml(); }, 60000);
  }
  w.simulate_page()->run();
  if (!wait_for([&] { return !w.simulate_page()->job()->is_running(); }, 300000))
    std::fprintf(stderr, "moeplan-gui: the simulation did not finish in 5 minutes; its page is shown as it is\n");
  QCoreApplication::processEvents();
  w.experts_page()->refresh();
  wait_for([&] { return w.experts_page()->load() != nullptr; }, 120000);
  QTemporaryDir export_dir;
  if (w.document()->scenario().gpus() <= 256) {  // a whole program of a larger cluster takes minutes to build
    w.export_page()->folder_edit()->setText(export_dir.filePath("export"));
    w.export_page()->export_now();
    wait_for([&] { return !w.export_page()->job()->is_running(); }, 120000);
  }
  wait_for([&] { return w.timeline_page()->view()->data() != nullptr; }, 30000);
  if (args.isSet("results")) w.search_page()->open_results(args.value("results"));
  if (args.isSet("sweep")) w.search_page()->open_spec(args.value("sweep"));
  const auto files = w.screenshot_pages(args.value("screenshot"));
  for (const auto& f : files) std::printf("%s\n", qPrintable(f));
  return files.isEmpty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (wants_headless(argc, argv) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName("moeplan");
  QApplication::setApplicationName("moeplan-gui");
  QApplication::setApplicationVersion(MOEPLAN_GUI_VERSION);
  QApplication::setDesktopFileName("moeplan-gui");

  QCommandLineParser args;
  args.setApplicationDescription("moeplan desktop planner: scenario, simulation, timeline and sweep frontier");
  args.addHelpOption();
  args.addVersionOption();
  args.addPositionalArgument("scenario", "A scenario file to open (or a sweep results .csv/.jsonl)", "[scenario.yaml]");
  args.addOption({"plot-frontier", "Write the frontier chart of a sweep results file (no window).", "results.csv"});
  args.addOption({"o", "Output file of --plot-frontier (.png, or .svg when built with Qt SVG).", "file"});
  args.addOption({"size", "Size of the --plot-frontier image (pixels; the SVG's view box).", "WxH", "1200x800"});
  args.addOption({"x", "x metric of the frontier: gpu_hours_per_trillion_tokens, gpus, step_time_s, "
                       "memory_headroom_bytes.", "metric"});
  args.addOption({"screenshot", "Open the scenario, simulate it, and grab every page into DIR (no window).", "DIR"});
  args.addOption({"results", "With --screenshot: a results file for the Search page.", "results.csv"});
  args.addOption({"sweep", "With --screenshot: the sweep file of those results.", "sweep.yaml"});
  args.addOption({"set", "With --screenshot: edit a field first (plan.ep=32); may repeat.", "field=value"});
  args.addOption({"bench-timeline", "Print the paint time of a whole-view repaint of the scenario's trace."});
  args.process(app);

  if (args.isSet("plot-frontier")) return plot_frontier(args);
  const auto positional = args.positionalArguments();
  const auto scenario = positional.isEmpty() ? QString() : positional.first();
  QString scenario_or_default = scenario;
  if (scenario.isEmpty()) {
    try {
      scenario_or_default = QString::fromStdString(config::default_scenario_path());
    } catch (const std::exception& e) {
      if (args.isSet("bench-timeline") || args.isSet("screenshot")) {
        std::fprintf(stderr, "moeplan-gui: %s\n", e.what());
        return 2;
      }
    }
  }
  if (args.isSet("bench-timeline")) return bench_timeline(scenario_or_default);

  MainWindow w;
  if (args.isSet("screenshot")) return screenshots(w, args, scenario_or_default);
  w.show();
  if (!scenario.isEmpty()) w.open_file(scenario);
  return app.exec();
}
