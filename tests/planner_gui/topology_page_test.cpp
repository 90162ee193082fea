// The Topology page draws what the core's topology graph holds: every
// switch and node of the cluster, and every vertex and link of one node;
// after a simulation, each link in the colour of the busy fraction that
// `moeplan simulate --report` gives for it (an independent run of the CLI).
#include <QElapsedTimer>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QStandardPaths>
#include <QTest>

#include "planner_gui/widgets/main_window.h"
#include "sim/trace/compare.h"

using namespace moeplan;
using namespace moeplan::gui;

class TopologyPageTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void drawsEverySwitchAndNodeAndOneNodesPartsAndLinks() {
    MainWindow w;
    w.set_dialogs_enabled(false);
    QVERIFY(w.open_file(QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/small-moe-64xH800.yaml"), nullptr, true));
    QElapsedTimer t;
    t.start();
    while (!w.document()->has_check() && t.elapsed() < 60000) QTest::qWait(20);
    QVERIFY(w.document()->check().parsed);
    const auto& topo = w.document()->check().parsed->topology.topology;
    const auto& g = topo.graph();
    int switches = 0, node0_parts = 0, node0_links = 0;
    for (std::size_t v = 0; v < boost::num_vertices(g); ++v) {
      switches += g[v].kind == topology::VertexKind::Switch;
      node0_parts += g[v].kind != topology::VertexKind::Switch && g[v].node == 0;
    }
    for (int id = 0; id < topo.link_count(); ++id) {
      const auto& l = topo.link(id);
      const auto &a = g[l.a], &b = g[l.b];
      node0_links += a.kind != topology::VertexKind::Switch && b.kind != topology::VertexKind::Switch && a.node == 0 &&
                     b.node == 0;
    }
    auto* page = w.topology_page();
    page->refresh();
    QImage image(800, 600, QImage::Format_ARGB32_Premultiplied);
    page->cluster_view()->resize(800, 600);
    page->cluster_view()->render(&image);
    QCOMPARE(page->cluster_view()->drawn_vertices(), switches + topo.node_count());
    page->node_view()->resize(800, 600);
    page->node_view()->render(&image);
    QCOMPARE(page->node_view()->drawn_vertices(), node0_parts);
    QCOMPARE(page->node_view()->drawn_links(), node0_links);
    QVERIFY(node0_links > 0);
  }

  void linksTakeTheColourOfTheBusyFractionTheReportGives() {
    const QString scenario = QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/h200x2-ep2.yaml");
    MainWindow w;
    w.set_dialogs_enabled(false);
    QVERIFY(w.open_file(scenario, nullptr, true));
    QTRY_VERIFY_WITH_TIMEOUT(w.document()->has_check(), 60000);
    auto* page = w.topology_page();
    page->refresh();
    QVERIFY(!page->link_usage());
    QSignalSpy done(w.simulate_page()->job(), &SimulationJob::finished);
    w.simulate_page()->run();
    QVERIFY(done.wait(300000));
    QVERIFY(done.first().at(1).toBool());
    QVERIFY(page->link_usage());

    QTemporaryDir dir;
    QProcess cli;
    cli.start(QStringLiteral(MOEPLAN_BINARY_DIR "/moeplan"), {"simulate", scenario, "--report", dir.filePath("r.json")});
    QVERIFY(cli.waitForFinished(300000) && cli.exitCode() == 0);
    const auto report = trace::read_json_file(dir.filePath("r.json").toStdString());
    QVERIFY(report.contains("link_usage"));
    const auto& links = report["link_usage"];
    QVERIFY(!links.empty());  // EP 2 on two GPUs: the all-to-all crosses the NVSwitch
    QCOMPARE(page->link_usage()->size(), links.size());
    auto* view = page->node_view();
    view->resize(800, 600);
    QImage image(800, 600, QImage::Format_ARGB32_Premultiplied);
    view->render(&image);
    for (const auto& l : links) {
      const double busy = l["busy"].get<double>();
      QVERIFY(busy > 0 && busy <= 1.0 + 1e-9);
      QCOMPARE(view->pen_color(l["link"].get<int>()), TopologyView::utilisation_color(busy));
    }
    QCOMPARE(view->drawn_used_links(), static_cast<int>(links.size()));  // both links are in node 0
    // An edit makes the numbers stale: back to colours by kind.
    w.document()->set_value("simulation.seed", QVariant::fromValue<qlonglong>(7));
    QTRY_VERIFY_WITH_TIMEOUT(!page->link_usage(), 60000);
    view->render(&image);
    QCOMPARE(view->drawn_used_links(), 0);
  }
};

QTEST_MAIN(TopologyPageTest)
#include "topology_page_test.moc"
