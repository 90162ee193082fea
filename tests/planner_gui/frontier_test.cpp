// The frontier chart, headless and on the Search page: its scatter series
// holds exactly the ok rows of the results file (rows written here with
// known values, and rows of a real sweep, counted from the CSV directly).
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QStandardPaths>
#include <QTest>
#include <QXmlStreamReader>

#include "planner_gui/charts/frontier_chart.h"
#include "planner_gui/widgets/main_window.h"

using namespace moeplan;
using namespace moeplan::gui;

namespace {

// Three ok rows and two that are not (invalid, error), with known metrics.
QString write_known_results(const QTemporaryDir& dir) {
  const auto path = dir.filePath("known.csv");
  sweep::ResultsWriter w(path.toStdString(), {"plan.pp"}, sweep::Format::Csv);
  const double ys[] = {1200, 0, 1500, 0, 1400};
  const double xs[] = {250, 0, 190, 0, 210};
  const char* status[] = {"ok", "invalid", "ok", "error", "ok"};
  for (std::size_t i = 0; i < 5; ++i) {
    sweep::Row r;
    r.index = i, r.of = 5, r.hash = std::string(16, static_cast<char>('a' + i)), r.tier = "analytic";
    r.status = status[i];
    r.values = {std::to_string(4 << i)};
    if (r.status == "ok") r.metrics = {{"tokens_per_s_per_gpu", ys[i]}, {"gpu_hours_per_trillion_tokens", xs[i]}, {"gpus", 64}};
    else r.reason = "it failed, as planned";
    w.write(r);
  }
  return path;
}

// Rows of a CSV whose status column says ok, read without the core reader
// (the test's own split; the sweep's reasons may hold commas only inside quotes,
// and status comes before reason).
int ok_rows_in(const QString& csv) {
  QFile f(csv);
  if (!f.open(QIODevice::ReadOnly)) return -1;
  const auto lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
  const int status = static_cast<int>(lines.first().split(',').indexOf("status"));
  int n = 0;
  for (int i = 1; i < lines.size(); ++i) n += lines[i].split(',').value(status) == "ok";
  return n;
}

}  // namespace

class FrontierTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void chartSeriesHoldsExactlyTheOkRowsInOrder() {
    QTemporaryDir dir;
    const auto csv = write_known_results(dir);
    SweepResultsModel model;
    QString error;
    QVERIFY2(model.reload(csv, &error), qPrintable(error));
    FrontierAxes axes;
    std::unique_ptr<QChart> chart(build_frontier_chart(model.ok_points(axes.x_metric, axes.y_metric), axes, "t"));
    auto* s = frontier_series(chart.get());
    QVERIFY(s);
    const QList<QPointF> expected{{250, 1200}, {190, 1500}, {210, 1400}};
    QCOMPARE(s->points(), expected);
  }

  void plotFrontierWritesAPngOfTheAskedSizeWithoutAWindow() {
    QTemporaryDir dir;
    const auto csv = write_known_results(dir);
    const auto png = dir.filePath("frontier.png");
    QProcess p;
    p.start(QStringLiteral(MOEPLAN_BINARY_DIR "/moeplan-gui"), {"--plot-frontier", csv, "-o", png, "--size", "900x600"});
    QVERIFY(p.waitForFinished(60000));
    const auto out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
    QVERIFY2(out.contains("3 ok rows plotted"), qPrintable(out));
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(900, 600));
    // Not a blank image: axes, labels and the three markers are drawn.
    int marked = 0;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) marked += qGray(image.pixel(x, y)) < 200;
    QVERIFY2(marked > 2000, qPrintable(QString::number(marked)));
  }

  void plotFrontierRefusesBadInputWithAMessage() {
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(MOEPLAN_BINARY_DIR "/moeplan-gui"),
            {"--plot-frontier", dir.filePath("missing.csv"), "-o", dir.filePath("f.png")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    QVERIFY(!QString::fromUtf8(p.readAllStandardError()).isEmpty());
    QVERIFY(!QFile::exists(dir.filePath("f.png")));
    p.start(QStringLiteral(MOEPLAN_BINARY_DIR "/moeplan-gui"),
            {"--plot-frontier", write_known_results(dir), "-o", dir.filePath("f.gif")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(".png"));
    QVERIFY(!QFile::exists(dir.filePath("f.gif")));
    if (!frontier_svg_supported()) {  // a build without Qt SVG refuses .svg, saying what to install
      p.start(QStringLiteral(MOEPLAN_BINARY_DIR "/moeplan-gui"),
              {"--plot-frontier", write_known_results(dir), "-o", dir.filePath("f.svg")});
      QVERIFY(p.waitForFinished(60000));
      QCOMPARE(p.exitCode(), 2);
      QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("qt6-svg-dev"));
    }
  }

  // The SVG is well-formed XML (Qt's stream reader reads it to the end) and
  // holds one scatter mark (a circle of the marker's size) per ok row: 3
  // of the 5 known rows.
  void plotFrontierWritesAnSvgWithOneMarkPerOkRow() {
    if (!frontier_svg_supported()) QSKIP("built without Qt SVG (qt6-svg-dev): PNG only");
    QTemporaryDir dir;
    const auto csv = write_known_results(dir);
    const auto svg = dir.filePath("frontier.svg");
    QProcess p;
    p.start(QStringLiteral(MOEPLAN_BINARY_DIR "/moeplan-gui"), {"--plot-frontier", csv, "-o", svg, "--size", "900x600"});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
    QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).contains("3 ok rows plotted"));
    QFile f(svg);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&f);
    int marks = 0;
    QString view_box;
    while (!xml.atEnd()) {
      if (xml.readNext() != QXmlStreamReader::StartElement) continue;
      const auto a = xml.attributes();
      if (xml.name() == QLatin1String("svg")) view_box = a.value("viewBox").toString();
      if (xml.name() == QLatin1String("circle") && a.value("r").toDouble() == kFrontierMarkerSize / 2) ++marks;
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(view_box, QString("0 0 900 600"));
    QCOMPARE(marks, ok_rows_in(csv));
    QCOMPARE(marks, 3);
  }

  void searchPageRunsASweepFillsTheFrontierAndOpensAClickedPoint() {
    QTemporaryDir dir;
    MainWindow w;
    w.set_dialogs_enabled(false);
    auto* page = w.search_page();
    page->open_spec(QStringLiteral(MOEPLAN_SOURCE_DIR "/tests/data/planner_gui/small-sweep.yaml"));
    const auto csv = dir.filePath("results.csv");
    QSignalSpy done(page->job(), &SweepJob::finished);
    page->run_sweep(csv);
    QVERIFY(done.wait(120000));
    QCOMPARE(done.first().at(0).toInt(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 8, 10000);
    const int ok = ok_rows_in(csv);
    QCOMPARE(ok, 4);
    auto* s = frontier_series(page->chart());
    QCOMPARE(s->count(), ok);

    // Click the first point: its configuration opens as the scenario.
    const auto pts = page->model()->ok_points("gpu_hours_per_trillion_tokens", "tokens_per_s_per_gpu");
    const auto& row = page->model()->results().rows[static_cast<std::size_t>(pts[0].row)];
    QSignalSpy opened(page, &SearchPage::open_scenario);
    Q_EMIT s->clicked(s->at(0));
    QCOMPARE(opened.count(), 1);
    QTRY_VERIFY(w.document()->is_loaded());
    const auto& sc = w.document()->scenario();
    QCOMPARE(QString::fromUtf8(schedule::to_string(sc.plan.schedule).data()), QString::fromStdString(row.at("plan.schedule")));
    QCOMPARE(QString::number(sc.plan.comm_sms), QString::fromStdString(row.at("plan.comm_sms")));
    QCOMPARE(QString::number(sc.plan.ep), QString::fromStdString(row.at("plan.ep")));
    QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(w.scenario_page()));
  }
};

QTEST_MAIN(FrontierTest)
#include "frontier_test.moc"
