// The Calibrate page's table: the measured column against a measured trace
// made here with every op lasting exactly 1 ms (closed form: a kind's
// measured time is its counted ops x 1 ms), the simulated column against
// `moeplan compare --json` run independently (a second, identical run);
// after "Apply & re-simulate", the calibrated columns against `moeplan
// calibrate` + `moeplan compare --calibration` on the command line.
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <map>

#include "planner_gui/widgets/main_window.h"
#include "sim/program/program_json.h"
#include "sim/trace/compare.h"
#include "tests/planner_gui/one_ms_trace.h"

using namespace moeplan;
using namespace moeplan::gui;

namespace {

bool run_cli(const QStringList& args) {
  QProcess p;
  p.start(QStringLiteral(MOEPLAN_BINARY_DIR "/moeplan"), args);
  return p.waitForFinished(300000) && p.exitCode() == 0;
}

// The DualPipe scenario's program planned by the command line into `dir`,
// and a 1-ms measured trace of it (one_ms_trace.h) beside it.
struct Planned {
  QString program_path, measured;
  program::Program program;
};
bool plan_with_one_ms_trace(const QTemporaryDir& dir, Planned& out) {
  out.program_path = dir.filePath("program.json");
  out.measured = dir.filePath("measured.json");
  if (!run_cli({"plan", QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/h200x2-pp2-dualpipe.yaml"), "-o", out.program_path}))
    return false;
  out.program = program::read_program(out.program_path.toStdString());
  trace::write_json(trace::to_json(test::one_ms_trace(out.program), out.program), out.measured.toStdString());
  return true;
}

}  // namespace

class CalibratePageTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void comparesAMeasuredTraceAgainstTheSimulationPerOpKind() {
    QTemporaryDir dir;
    Planned planned;
    QVERIFY(plan_with_one_ms_trace(dir, planned));
    const auto& [program_path, measured, p] = planned;

    MainWindow w;
    w.set_dialogs_enabled(false);
    auto* page = w.calibrate_page();
    QSignalSpy done(page->job(), &CompareJob::finished);
    page->compare(program_path, measured);
    QVERIFY(done.wait(300000));
    QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(1).toString()));
    auto* m = page->model();
    QVERIFY(m->rowCount() > 3);

    std::map<std::string, int> counted;
    for (const auto& op : p.ops)
      if (trace::counts_in_kind_time(op)) ++counted[trace::op_kind(op)];
    const auto cli_json = dir.filePath("cli.json");
    QVERIFY(run_cli({"compare", program_path, measured, "--json", cli_json}));
    const auto cli = trace::read_json_file(cli_json.toStdString());
    QCOMPARE(m->rowCount(), static_cast<int>(cli["kinds"].size()));
    for (int r = 0; r < m->rowCount(); ++r) {
      const auto kind = m->data(m->index(r, ComparisonModel::Kind)).toString().toStdString();
      QVERIFY2(counted.count(kind), kind.c_str());
      QCOMPARE(m->data(m->index(r, ComparisonModel::MeasuredMs), Qt::UserRole).toDouble(), counted[kind] * 1e-3);
      QCOMPARE(m->data(m->index(r, ComparisonModel::SimulatedMs), Qt::UserRole).toDouble(),
               cli["kinds"][static_cast<std::size_t>(r)]["simulated_s"].get<double>());
    }
    QCOMPARE(m->simulated_step_s(), cli["simulated_step_s"].get<double>());
    QVERIFY(page->status_label()->text().contains("Step: simulated"));
  }

  // The after columns against the command line: `moeplan calibrate` on the
  // same measured trace, then `moeplan compare --calibration` with what it
  // wrote (a second, identical run of the same core path).
  void applyingTheCalibrationShowsTheErrorsTheCommandLineGivesAfterCalibration() {
    QTemporaryDir dir;
    Planned planned;
    QVERIFY(plan_with_one_ms_trace(dir, planned));
    const auto& [program_path, measured, p] = planned;

    MainWindow w;
    w.set_dialogs_enabled(false);
    auto* page = w.calibrate_page();
    QVERIFY(!page->apply_button()->isEnabled());  // nothing compared yet
    QSignalSpy compared(page->job(), &CompareJob::finished);
    page->compare(program_path, measured);
    QVERIFY(compared.wait(300000));
    QVERIFY2(compared.first().at(0).toBool(), qPrintable(compared.first().at(1).toString()));
    QVERIFY(page->apply_button()->isEnabled());
    auto* m = page->model();
    QVERIFY(!m->has_calibrated());
    QVERIFY(!m->data(m->index(0, ComparisonModel::CalibratedMs)).isValid());

    QSignalSpy fitted(page->fit_job(), &CalibrationFitJob::finished);
    QSignalSpy recompared(page->calibrated_job(), &CompareJob::finished);
    QTest::mouseClick(page->apply_button(), Qt::LeftButton);
    QVERIFY(fitted.wait(300000));
    QVERIFY2(fitted.first().at(0).toBool(), qPrintable(fitted.first().at(1).toString()));
    QVERIFY(recompared.wait(300000));
    QVERIFY2(recompared.first().at(0).toBool(), qPrintable(recompared.first().at(1).toString()));
    QVERIFY(m->has_calibrated());

    const auto cli_calibration = dir.filePath("calibration.json");
    QVERIFY(run_cli({"calibrate", program_path, measured, "-o", cli_calibration}));
    const auto before_json = dir.filePath("before.json");
    const auto after_json = dir.filePath("after.json");
    QVERIFY(run_cli({"compare", program_path, measured, "--json", before_json}));
    QVERIFY(run_cli({"compare", program_path, measured, "--calibration", cli_calibration, "--json", after_json}));
    const auto before = trace::read_json_file(before_json.toStdString());
    const auto after = trace::read_json_file(after_json.toStdString());
    QCOMPARE(m->rowCount(), static_cast<int>(after["kinds"].size()));
    for (int r = 0; r < m->rowCount(); ++r) {
      const auto& k = after["kinds"][static_cast<std::size_t>(r)];
      QCOMPARE(m->data(m->index(r, ComparisonModel::Kind)).toString().toStdString(), k["kind"].get<std::string>());
      QCOMPARE(m->data(m->index(r, ComparisonModel::CalibratedMs), Qt::UserRole).toDouble(),
               k["simulated_s"].get<double>());
      QCOMPARE(m->data(m->index(r, ComparisonModel::CalibratedErrorPercent), Qt::UserRole).toDouble(),
               k["relative_error"].get<double>());
      QCOMPARE(m->data(m->index(r, ComparisonModel::ErrorPercent), Qt::UserRole).toDouble(),
               before["kinds"][static_cast<std::size_t>(r)]["relative_error"].get<double>());
    }
    QCOMPARE(m->calibrated_step_s(), after["simulated_step_s"].get<double>());
    QCOMPARE(m->calibrated_step_relative_error(), after["step_relative_error"].get<double>());
    QCOMPARE(m->step_relative_error(), before["step_relative_error"].get<double>());
    // The fit changes the prediction: a calibration that changed nothing would pass the above trivially.
    QVERIFY(after["simulated_step_s"].get<double>() != before["simulated_step_s"].get<double>());
    QVERIFY(page->status_label()->text().contains("After calibration"));
    // The calibration the page fitted is the command line's, byte for byte.
    QFile gui_cal(page->fit_job()->calibration_path()), cli_cal(cli_calibration);
    QVERIFY(gui_cal.open(QIODevice::ReadOnly) && cli_cal.open(QIODevice::ReadOnly));
    QCOMPARE(gui_cal.readAll(), cli_cal.readAll());
  }

  void aTraceOfAnotherProgramIsAnErrorNotACrash() {
    QTemporaryDir dir;
    const auto program_path = dir.filePath("program.json");
    QVERIFY(run_cli({"plan", QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/h200x2-pp2-dualpipe.yaml"), "-o", program_path}));
    QFile bad(dir.filePath("bad.json"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"schema\": \"moeplan-trace\", \"version\": 1, \"records\": [{\"op\": 99999999, \"rank\": 0}]}");
    bad.close();
    MainWindow w;
    w.set_dialogs_enabled(false);
    QSignalSpy done(w.calibrate_page()->job(), &CompareJob::finished);
    w.calibrate_page()->compare(program_path, bad.fileName());
    QVERIFY(done.wait(60000));
    QVERIFY(!done.first().at(0).toBool());
    QVERIFY(w.calibrate_page()->status_label()->text().startsWith("Not compared"));
  }
};

QTEST_MAIN(CalibratePageTest)
#include "calibrate_page_test.moc"
