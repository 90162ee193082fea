// The Export page writes the program `moeplan plan` writes (byte for byte),
// the scenario it was planned from, and the moeplan-run commands. "Run
// here": disabled, saying why, on a machine without GPU or moeplan-run (this
// one); given a stand-in moeplan-run that prints lines and writes a known
// measured trace, the log shows its output and the trace reaches the
// Timeline and Calibrate pages.
#include <QFile>
#include <QDir>
#include <QFileInfo>
#include <QTextStream>
#include <algorithm>
#include <cmath>
#include <map>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "planner_gui/models/run_here.h"
#include "planner_gui/widgets/main_window.h"
#include "sim/program/program_json.h"
#include "sim/trace/compare.h"
#include "sim/trace/trace.h"
#include "tests/planner_gui/one_ms_trace.h"

using namespace moeplan;
using namespace moeplan::gui;

namespace {

QByteArray read_all(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray cli_plan(const QString& scenario, const QString& out) {
  QProcess p;
  p.start(QStringLiteral(MOEPLAN_BINARY_DIR "/moeplan"), {"plan", scenario, "-o", out});
  p.waitForFinished(300000);
  return p.exitCode() == 0 ? read_all(out) : QByteArray();
}


// A stand-in for moeplan-run: prints two lines, waits a little (so the output
// streams before the end), copies the prepared traces to the paths given
// after --trace and --chrome.
QString write_stand_in(const QString& dir, const QString& trace, const QString& chrome) {
  const auto path = QDir(dir).filePath("moeplan-run");
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  QTextStream(&f) << "#!/bin/sh\n"
                  << "echo \"stand-in moeplan-run $1\"\n"
                  << "sleep 0.3\n"
                  << "while [ $# -gt 0 ]; do\n"
                  << "  case \"$1\" in\n"
                  << "    --trace) cp '" << trace << "' \"$2\"; shift ;;\n"
                  << "    --chrome) cp '" << chrome << "' \"$2\"; shift ;;\n"
                  << "  esac\n"
                  << "  shift\n"
                  << "done\n"
                  << "echo 'step 1 of 1 measured' >&2\n";
  f.close();
  f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
  return path;
}

}  // namespace

class ExportPageTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void exportsTheProgramMoeplanPlanWrites_data() {
    QTest::addColumn<QString>("scenario");
    QTest::newRow("small-moe-64xH800") << QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/small-moe-64xH800.yaml");
    QTest::newRow("h200x2-pp2-dualpipe") << QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/h200x2-pp2-dualpipe.yaml");
  }
  void exportsTheProgramMoeplanPlanWrites() {
    QFETCH(QString, scenario);
    QTemporaryDir dir;
    MainWindow w;
    w.set_dialogs_enabled(false);
    QVERIFY(w.open_file(scenario, nullptr, true));
    auto* page = w.export_page();
    page->folder_edit()->setText(dir.filePath("export"));
    QSignalSpy done(page->job(), &ExportJob::finished);
    page->export_now();
    QVERIFY(done.wait(300000));
    QVERIFY2(page->status_label()->text().startsWith("Done"), qPrintable(page->status_label()->text()));
    const auto exported = read_all(dir.filePath("export/program.json"));
    QVERIFY(!exported.isEmpty());
    // Independent: the CLI on the bundled file, and on the exported scenario.
    QVERIFY(exported == cli_plan(scenario, dir.filePath("cli.json")));
    QVERIFY(exported == cli_plan(dir.filePath("export/scenario.yaml"), dir.filePath("cli2.json")));
    const auto commands = page->commands()->toPlainText();
    QVERIFY(commands.contains("moeplan-run program.json"));
    QVERIFY(commands.contains("mpirun -n " + QString::number(w.document()->scenario().gpus())));
    QVERIFY(commands.contains("srun --mpi=pmi2"));
    QVERIFY(QFile::exists(dir.filePath("export/run.sh")));
  }

  void aPlanThatDoesNotValidateIsNotExported() {
    QTemporaryDir dir;
    MainWindow w;
    w.set_dialogs_enabled(false);
    QVERIFY(w.open_file(QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/h200x2-pp2-dualpipe.yaml"), nullptr, true));
    w.document()->set_value("plan.pp", QVariant::fromValue<qlonglong>(3));  // 3 x 1 != the topology's 2 GPUs
    auto* page = w.export_page();
    page->folder_edit()->setText(dir.filePath("export"));
    QSignalSpy done(page->job(), &ExportJob::finished);
    page->export_now();
    QVERIFY(done.wait(60000));
    QVERIFY2(page->status_label()->text().contains("plan.pp"), qPrintable(page->status_label()->text()));
    QVERIFY(!QFile::exists(dir.filePath("export/program.json")));
  }

  void runHereIsDisabledAndSaysWhyWithoutGpuOrMoeplanRun() {
    // What this machine has, found independently of the page.
    const bool has_smi = !QStandardPaths::findExecutable("nvidia-smi").isEmpty();
    const bool has_run = !QStandardPaths::findExecutable("moeplan-run").isEmpty() ||
                         QFileInfo(QCoreApplication::applicationDirPath() + "/moeplan-run").isExecutable();
    if (has_smi && has_run) QSKIP("this machine has nvidia-smi and moeplan-run: Run here may be available");
    MainWindow w;
    w.set_dialogs_enabled(false);
    QVERIFY(w.open_file(QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/h200x2-pp2-dualpipe.yaml"), nullptr, true));
    auto* page = w.export_page();
    QTemporaryDir dir;
    page->folder_edit()->setText(dir.filePath("export"));
    QSignalSpy done(page->job(), &ExportJob::finished);
    page->export_now();
    QVERIFY(done.wait(300000));
    QVERIFY(!page->run_here_support().available());
    QVERIFY(!page->run_here_button()->isEnabled());  // exported, but nothing to run it with
    const auto tip = page->run_here_button()->toolTip();
    QVERIFY2(tip.contains(has_run ? "nvidia-smi was not found" : "moeplan-run was not found"), qPrintable(tip));
  }

  void runHereVerdicts() {
    QCOMPARE(count_listed_gpus("GPU 0: NVIDIA H800 (UUID: GPU-1)\nGPU 1: NVIDIA H800 (UUID: GPU-2)\n"), 2);
    QCOMPARE(count_listed_gpus("No devices were found\n"), 0);
    QVERIFY(run_here_support("/opt/bin/moeplan-run", 8, "").available());
    QVERIFY(run_here_support("", 8, "").reason.contains("moeplan-run was not found"));
    QVERIFY(run_here_support("/opt/bin/moeplan-run", 0, "nvidia-smi lists none").reason.contains("nvidia-smi lists none"));
  }

  void runHereStreamsTheOutputAndLoadsTheMeasuredTrace() {
    QTemporaryDir dir;
    MainWindow w;
    w.set_dialogs_enabled(false);
    QVERIFY(w.open_file(QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/h200x2-pp2-dualpipe.yaml"), nullptr, true));
    auto* page = w.export_page();
    page->folder_edit()->setText(dir.filePath("export"));
    QSignalSpy exported(page->job(), &ExportJob::finished);
    page->export_now();
    QVERIFY(exported.wait(300000));
    const auto program_path = dir.filePath("export/program.json");
    const auto p = program::read_program(program_path.toStdString());
    const auto t = test::one_ms_trace(p);
    const auto fixture_trace = dir.filePath("fixture-measured.json");
    const auto fixture_chrome = dir.filePath("fixture-measured.chrome.json");
    trace::write_json(trace::to_json(t, p), fixture_trace.toStdString());
    trace::write_json(trace::to_chrome_trace(t, p), fixture_chrome.toStdString());
    const auto stand_in = write_stand_in(dir.path(), fixture_trace, fixture_chrome);
    QVERIFY(!stand_in.isEmpty());
    page->set_run_here_support(run_here_support(stand_in, 1, {}));
    QVERIFY(page->run_here_button()->isEnabled());

    QSignalSpy output(page->run_job(), &RunHereJob::output);
    bool running_at_first_output = false;
    QObject::connect(page->run_job(), &RunHereJob::output, page, [&] {
      if (output.count() == 1) running_at_first_output = page->run_job()->is_running();
    });
    QSignalSpy finished(page->run_job(), &RunHereJob::finished);
    QSignalSpy parsed(w.timeline_page()->parse_job(), &TraceParseJob::parsed);
    QSignalSpy compared(w.calibrate_page()->job(), &CompareJob::finished);
    QTest::mouseClick(page->run_here_button(), Qt::LeftButton);
    QVERIFY(!page->run_here_button()->isEnabled());  // one run at a time
    QVERIFY(finished.wait(30000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QVERIFY(output.count() >= 1);
    // The first line arrived while the child still ran (it sleeps before its last line).
    QVERIFY(running_at_first_output);
    QVERIFY(output.first().at(0).toString().contains("stand-in moeplan-run " + program_path));
    QVERIFY(page->run_log()->toPlainText().contains("step 1 of 1 measured"));
    QCOMPARE(read_all(dir.filePath("export/measured.json")), read_all(fixture_trace));

    // Timeline: every op of the program, from the measured Chrome trace.
    QVERIFY(parsed.count() || parsed.wait(60000));
    const auto* data = w.timeline_page()->view()->data();
    QVERIFY(data);
    QCOMPARE(data->ops().size(), p.ops.size());
    std::map<std::pair<int, int>, int> per_lane;  // the trace's end: the longest lane's ops x 1 ms
    int longest = 0;
    for (const auto& op : p.ops) longest = std::max(longest, ++per_lane[{op.rank, static_cast<int>(op.stream)}]);
    QVERIFY2(std::abs(data->end_s() - longest * 1e-3) < 1e-9, qPrintable(QString::number(data->end_s())));
    // Calibrate: the measured column is counted ops x 1 ms per kind.
    QVERIFY(compared.wait(300000));
    QVERIFY2(compared.first().at(0).toBool(), qPrintable(compared.first().at(1).toString()));
    std::map<std::string, int> counted;
    for (const auto& op : p.ops)
      if (trace::counts_in_kind_time(op)) ++counted[trace::op_kind(op)];
    auto* m = w.calibrate_page()->model();
    QVERIFY(m->rowCount() > 0);
    for (int r = 0; r < m->rowCount(); ++r) {
      const auto kind = m->data(m->index(r, ComparisonModel::Kind)).toString().toStdString();
      QCOMPARE(m->data(m->index(r, ComparisonModel::MeasuredMs), Qt::UserRole).toDouble(), counted[kind] * 1e-3);
    }
    QVERIFY(page->run_here_button()->isEnabled());
  }
};

QTEST_MAIN(ExportPageTest)
#include "export_page_test.moc"
