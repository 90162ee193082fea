// The Topology page draws what the core's topology graph holds: every
// switch and node of the cluster, and every vertex and link of one node.
#include <QElapsedTimer>
#include <QImage>
#include <QStandardPaths>
#include <QTest>

#include "planner_gui/widgets/main_window.h"

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
};

QTEST_MAIN(TopologyPageTest)
#include "topology_page_test.moc"
