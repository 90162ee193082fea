// The Scenario page against `moeplan validate`: every bundled scenario
// loads, and its problems are the CLI's; editing EP on the default scenario
// shows the memory error at the EP field, and undo takes it away.
#include <QDir>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMimeData>
#include <QSettings>
#include <QUrl>
#include <QProcess>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include "planner_gui/widgets/main_window.h"
#include "sim/config/scenario.h"

using namespace moeplan::gui;

namespace {

QString scenarios_dir() { return QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios"); }

// `moeplan validate FILE`: exit code and the error lines it printed.
std::pair<int, QStringList> cli_validate(const QString& file) {
  QProcess p;
  p.start(QStringLiteral(MOEPLAN_BINARY_DIR "/moeplan"), {"validate", file});
  p.waitForFinished(120000);
  QStringList errors;
  for (const auto& line : QString::fromUtf8(p.readAllStandardError()).split('\n'))
    if (line.startsWith("error") || line.contains(": plan") || line.contains(".yaml:")) errors << line;
  return {p.exitCode(), errors};
}

bool wait_check(MainWindow& w) {
  QElapsedTimer t;
  t.start();
  while (!w.document()->has_check() && t.elapsed() < 60000) QTest::qWait(20);
  w.validation()->wait();
  QCoreApplication::processEvents();
  return w.document()->has_check();
}

}  // namespace

class ScenarioPageTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void loadsEveryBundledScenarioWithTheSameVerdictAsTheCli_data() {
    QTest::addColumn<QString>("file");
    for (const auto& f : QDir(scenarios_dir()).entryList({"*.yaml"}, QDir::Files, QDir::Name))
      QTest::newRow(qPrintable(f)) << QDir(scenarios_dir()).filePath(f);
  }
  void loadsEveryBundledScenarioWithTheSameVerdictAsTheCli() {
    QFETCH(QString, file);
    MainWindow w;
    w.set_dialogs_enabled(false);
    QString error;
    moeplan::Diagnostics read;
    if (moeplan::config::load_scenario(file.toStdString(), read).is_serving()) {
      // Serving scenarios have no forms yet: refused with a message that says so, never half-shown.
      QVERIFY(!w.open_file(file, &error, true));
      QVERIFY2(error.contains("only training workloads"), qPrintable(error));
      return;
    }
    QVERIFY2(w.open_file(file, &error, true), qPrintable(error));
    QVERIFY(wait_check(w));
    const auto [code, cli_errors] = cli_validate(file);
    const auto& diag = w.document()->check().diagnostics;
    QCOMPARE(diag.empty(), code == 0);
    // Each problem the GUI lists is one the CLI printed (same message text).
    for (const auto& d : diag.items()) {
      bool found = false;
      for (const auto& l : cli_errors) found = found || l.contains(QString::fromStdString(d.message));
      QVERIFY2(found, d.to_string().c_str());
    }
    QCOMPARE(w.scenario_page()->problems()->count(), diag.empty() ? 1 : static_cast<int>(diag.size()));
    if (diag.empty()) {  // a plan that validates has a gauge per pipeline rank, none over
      QCOMPARE(w.scenario_page()->memory_model()->rowCount(), w.document()->scenario().plan.pp);
      for (int r = 0; r < w.scenario_page()->memory_model()->rowCount(); ++r)
        QVERIFY(w.scenario_page()->memory_model()->fraction(r) <= 1.0);
    }
  }

  void editingEpTo32ShowsTheMemoryErrorAtEpAndUndoRemovesIt() {
    MainWindow w;
    w.set_dialogs_enabled(false);
    w.show();
    QVERIFY(w.open_file(scenarios_dir() + "/deepseek-v3-pretrain-2048xH800.yaml", nullptr, true));
    QVERIFY(wait_check(w));
    auto* row = w.scenario_page()->row("plan.ep");
    QVERIFY(row);
    auto* spin = qobject_cast<QSpinBox*>(row->editor());
    QVERIFY(spin);
    QCOMPARE(spin->value(), 64);
    QVERIFY(row->message_label()->isHidden());

    // The user types 32 into the EP spin box.
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, "32");
    QCOMPARE(w.document()->scenario().plan.ep, 32);
    QTRY_VERIFY_WITH_TIMEOUT(!row->message_label()->isHidden(), 60000);
    QVERIFY2(row->message_label()->text().contains("does not fit in memory"), qPrintable(row->message_label()->text()));
    // The same message as `moeplan validate` of the bundled -ep32 variant (EP 32, otherwise the same plan).
    const auto [code, cli_errors] = cli_validate(scenarios_dir() + "/deepseek-v3-pretrain-2048xH800-ep32.yaml");
    QCOMPARE(code, 2);
    bool same = false;
    for (const auto& l : cli_errors) same = same || l.contains(row->message_label()->text());
    QVERIFY2(same, qPrintable(cli_errors.join('\n')));
    // The gauge of some pipeline rank is over 100%.
    bool over = false;
    for (int r = 0; r < w.scenario_page()->memory_model()->rowCount(); ++r)
      over = over || w.scenario_page()->memory_model()->fraction(r) > 1.0;
    QVERIFY(over);
    QVERIFY(w.isWindowModified());

    // Undo (Ctrl+Z): EP back to 64, the error gone.
    QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(w.document()->scenario().plan.ep, 64);
    QCOMPARE(spin->value(), 64);
    QTRY_VERIFY_WITH_TIMEOUT(row->message_label()->isHidden() && w.document()->check().ok(), 60000);
    QVERIFY(!w.isWindowModified());
    // Redo brings it back.
    w.document()->undo_stack()->redo();
    QTRY_VERIFY_WITH_TIMEOUT(!row->message_label()->isHidden(), 60000);
  }

  void aBrokenFileIsAnErrorNotACrash() {
    QTemporaryDir dir;
    const auto bad = dir.filePath("bad.yaml");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("plan: [this is not\n  a scenario");
    f.close();
    MainWindow w;
    w.set_dialogs_enabled(false);
    QString error;
    QVERIFY(!w.open_file(bad, &error, true));
    QVERIFY2(error.contains("bad.yaml"), qPrintable(error));
    QVERIFY(!w.open_file(dir.filePath("missing.yaml"), &error, true));
    QVERIFY2(error.contains("does not exist"), qPrintable(error));
    QVERIFY(!w.document()->is_loaded());
  }

  void droppingAScenarioFileOpensItAndAddsItToTheRecentFiles() {
    const auto file = scenarios_dir() + "/h200x2-ep2.yaml";
    MainWindow w;
    w.set_dialogs_enabled(false);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(file)});
    QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&w, &drop);
    QVERIFY(w.document()->is_loaded());
    QCOMPARE(w.document()->path(), QFileInfo(file).absoluteFilePath());
    QCOMPARE(QSettings().value("files/recent").toStringList().value(0), QFileInfo(file).absoluteFilePath());
  }

  void savesWhatItShowsAndReadsItBack() {
    QTemporaryDir dir;
    MainWindow w;
    w.set_dialogs_enabled(false);
    QVERIFY(w.open_file(scenarios_dir() + "/small-moe-64xH800.yaml", nullptr, true));
    w.document()->set_value("plan.comm_sms", QVariant::fromValue<qlonglong>(12));
    QString error;
    const auto out = dir.filePath("edited.yaml");
    QVERIFY2(w.document()->save(out, &error), qPrintable(error));
    QVERIFY(!w.document()->is_modified());
    moeplan::Diagnostics diag;
    const auto back = moeplan::config::load_scenario(out.toStdString(), diag);
    QVERIFY2(diag.empty(), diag.to_string().c_str());
    QCOMPARE(back.plan.comm_sms, 12);
    QCOMPARE(back.plan.ep, w.document()->scenario().plan.ep);
  }
};

QTEST_MAIN(ScenarioPageTest)
#include "scenario_page_test.moc"
