// The Experts page's numbers from the core routing: every layer's expert
// loads add up to the token copies of a micro-batch (tokens per GPU x EP x
// top-k, closed form); GPU loads conserve them; contiguous placement gives
// the same GPU loads before and after; EPLB lowers the worst imbalance.
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <numeric>

#include "planner_gui/widgets/main_window.h"

using namespace moeplan::gui;

namespace {

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

const ExpertLoad* route(MainWindow& w, const char* scenario) {
  w.set_dialogs_enabled(false);
  if (!w.open_file(QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/%1").arg(scenario), nullptr, true)) return nullptr;
  QElapsedTimer t;
  t.start();
  while (!w.document()->has_check() && t.elapsed() < 60000) QTest::qWait(20);
  w.experts_page()->refresh();
  while (!w.experts_page()->load() && t.elapsed() < 120000) QTest::qWait(20);
  return w.experts_page()->load();
}

}  // namespace

class ExpertsPageTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void contiguousPlacementRowsSumToTheMicroBatchsTokenCopies() {
    MainWindow w;
    const auto* load = route(w, "small-moe-64xH800.yaml");
    QVERIFY(load);
    const auto& sc = w.document()->scenario();
    QCOMPARE(static_cast<int>(load->layers.size()), sc.model.moe_layers());
    const double copies = static_cast<double>(sc.tokens_per_microbatch()) * sc.plan.ep * sc.model.experts_per_token;
    for (std::size_t l = 0; l < load->layers.size(); ++l) {
      QCOMPARE(sum(load->expert_tokens[l]), copies);
      QCOMPARE(sum(load->gpu_before[l]), copies);
      QCOMPARE(load->gpu_after[l], load->gpu_before[l]);  // contiguous both ways
      QCOMPARE(load->imbalance_after[l], load->imbalance_before[l]);
    }
  }

  void eplbLowersTheWorstImbalanceOfSkewedRouting() {
    MainWindow w;
    const auto* load = route(w, "deepseek-v3-pretrain-2048xH800-skewed-eplb.yaml");
    QVERIFY(load);
    QCOMPARE(load->policy, std::string("eplb"));
    QVERIFY(load->slots_per_gpu_after > load->experts / load->ep);  // redundant experts
    for (std::size_t l = 0; l < load->layers.size(); ++l) {
      QCOMPARE(sum(load->gpu_after[l]), static_cast<double>(load->copies_per_layer));
      QVERIFY(load->imbalance_after[l] >= 1.0);
    }
    const double worst_before = *std::max_element(load->imbalance_before.begin(), load->imbalance_before.end());
    const double worst_after = *std::max_element(load->imbalance_after.begin(), load->imbalance_after.end());
    QVERIFY2(worst_after < worst_before, qPrintable(QStringLiteral("%1 %2").arg(worst_after).arg(worst_before)));
  }
};

QTEST_MAIN(ExpertsPageTest)
#include "experts_page_test.moc"
