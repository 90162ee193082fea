// The Simulate page runs the scenario in a child `moeplan` and shows the
// report's numbers: compared with `moeplan simulate --report` run here
// independently (a second, identical run: the simulation is deterministic).
// Cancel stops the child for real: its process is gone.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QStandardPaths>
#include <QTest>
#include <signal.h>

#include "planner_gui/widgets/main_window.h"

using namespace moeplan::gui;

namespace {

QString scenario(const char* name) { return QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/%1").arg(name); }

QJsonObject cli_report(const QString& file) {
  QTemporaryDir dir;
  const auto out = dir.filePath("r.json");
  QProcess p;
  p.start(QStringLiteral(MOEPLAN_BINARY_DIR "/moeplan"), {"simulate", file, "--report", out});
  p.waitForFinished(300000);
  QFile f(out);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object();
}

bool process_alive(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

}  // namespace

class SimulatePageTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void simulatesASmallScenarioAndShowsTheCliStepTime() {
    MainWindow w;
    w.set_dialogs_enabled(false);
    QVERIFY(w.open_file(scenario("h200x2-pp2-dualpipe.yaml"), nullptr, true));
    QTRY_VERIFY_WITH_TIMEOUT(w.document()->has_check(), 60000);
    auto* page = w.simulate_page();
    QSignalSpy done(page->job(), &SimulationJob::finished);
    QTest::mouseClick(page->run_button(), Qt::LeftButton);
    QVERIFY(page->job()->is_running());
    QVERIFY(done.wait(300000));
    QVERIFY2(done.first().at(1).toBool(), page->job()->outcome().message.c_str());
    QCOMPARE(page->progress_bar()->value(), 1000);
    QCOMPARE(page->runs()->columnCount(), 1);

    const auto cli = cli_report(scenario("h200x2-pp2-dualpipe.yaml"));
    QVERIFY(cli.contains("step_time_s"));
    const double cli_step = cli["step_time_s"].toDouble();
    QVERIFY(cli_step > 0);
    // The number behind the cell, and the cell's text, as the user reads it.
    QCOMPARE(page->runs()->data(page->runs()->index(0, 0), Qt::UserRole).toDouble(), cli_step);
    const auto shown = page->summary_view()->model()->data(page->runs()->index(0, 0)).toString();
    QCOMPARE(shown, QStringLiteral("%1 s").arg(cli_step, 0, 'f', 4));
    QCOMPARE(page->runs()->value(0, "tokens_per_s_per_gpu"), cli["tokens_per_s_per_gpu"].toDouble());
    QCOMPARE(page->runs()->value(0, "mfu"), cli["mfu"].toDouble());
    QCOMPARE(page->runs()->value(0, "gpu_hours_per_trillion_tokens"), cli["gpu_hours_per_trillion_tokens"].toDouble());
    // The timeline got the trace.
    QTRY_VERIFY(w.timeline_page()->view()->data() != nullptr);
    QVERIFY(!w.timeline_page()->view()->data()->empty());
  }

  void cancelStopsTheChildProcess() {
    MainWindow w;
    w.set_dialogs_enabled(false);
    // The 2048-GPU default takes seconds to simulate here: long enough to cancel.
    QVERIFY(w.open_file(scenario("deepseek-v3-pretrain-2048xH800.yaml"), nullptr, true));
    QTRY_VERIFY_WITH_TIMEOUT(w.document()->has_check(), 60000);
    auto* page = w.simulate_page();
    QSignalSpy done(page->job(), &SimulationJob::finished);
    page->run();
    QTRY_VERIFY_WITH_TIMEOUT(page->job()->child_pid() > 0, 60000);
    const int pid = page->job()->child_pid();
    QVERIFY(process_alive(pid));
    QVERIFY(page->cancel_button()->isEnabled());
    QTest::mouseClick(page->cancel_button(), Qt::LeftButton);
    QVERIFY(done.wait(20000));
    QCOMPARE(page->job()->outcome().status, moeplan::runner::SimulationStatus::Cancelled);
    QVERIFY(!done.first().at(1).toBool());
    QVERIFY(!process_alive(pid));  // reaped by the runner: no such process
    QCOMPARE(page->runs()->columnCount(), 0);
    QVERIFY(page->run_button()->isEnabled());
    QVERIFY(page->status_label()->text().contains("cancelled"));
  }

  void aScenarioThatDoesNotValidateIsReportedNotRun() {
    MainWindow w;
    w.set_dialogs_enabled(false);
    QVERIFY(w.open_file(scenario("deepseek-v3-pretrain-2048xH800-ep32.yaml"), nullptr, true));
    auto* page = w.simulate_page();
    QSignalSpy done(page->job(), &SimulationJob::finished);
    page->run();
    QVERIFY(done.wait(120000));
    QCOMPARE(page->job()->outcome().status, moeplan::runner::SimulationStatus::InvalidScenario);
    QVERIFY(page->status_label()->text().contains("does not fit in memory"));
  }
};

QTEST_MAIN(SimulatePageTest)
#include "simulate_page_test.moc"
