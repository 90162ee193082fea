// The Export page writes the program `moeplan plan` writes (byte for byte),
// the scenario it was planned from, and the moeplan-run commands.
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "planner_gui/widgets/main_window.h"

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
};

QTEST_MAIN(ExportPageTest)
#include "export_page_test.moc"
