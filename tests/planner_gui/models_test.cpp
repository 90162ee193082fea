// The GUI's Qt models over core types, each under QAbstractItemModelTester,
// and their contents against what the core (or the file) says.
#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QTest>

#include "planner_gui/jobs/validation_job.h"
#include "planner_gui/models/field_table_model.h"
#include "planner_gui/models/memory_model.h"
#include "planner_gui/models/run_summary_model.h"
#include "planner_gui/models/scenario_document.h"
#include "planner_gui/models/scenario_fields.h"
#include "planner_gui/models/sweep_results_model.h"
#include "sim/plan/validate.h"

using namespace moeplan;
using namespace moeplan::gui;

namespace {
QString scenario(const char* name) { return QStringLiteral(MOEPLAN_SOURCE_DIR "/scenarios/%1").arg(name); }
}  // namespace

class ModelsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void fieldTableShowsEveryFieldWithTheScenariosValues() {
    ScenarioDocument doc;
    FieldTableModel model(&doc);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(doc.load(scenario("deepseek-v3-pretrain-2048xH800.yaml"), nullptr));
    QCOMPARE(model.rowCount(), static_cast<int>(scenario_fields().size()));
    const int ep = model.row_of("plan.ep");
    QVERIFY(ep >= 0);
    QCOMPARE(model.data(model.index(ep, FieldTableModel::Value)).toLongLong(), 64LL);  // the file says ep: 64
    QCOMPARE(model.data(model.index(model.row_of("plan.schedule"), FieldTableModel::Value)).toString(), QString("dualpipe"));
    // Editing through the model is an undoable edit of the document.
    QVERIFY(model.setData(model.index(ep, FieldTableModel::Value), QVariant::fromValue<qlonglong>(32)));
    QCOMPARE(doc.scenario().plan.ep, 32);
    QVERIFY(doc.is_modified());
    doc.undo_stack()->undo();
    QCOMPARE(doc.scenario().plan.ep, 64);
    QVERIFY(!doc.is_modified());
  }

  void everyFieldReadsBackWhatItWrote() {
    ScenarioDocument doc;
    QVERIFY(doc.load(scenario("small-moe-64xH800.yaml"), nullptr));
    for (const auto& f : scenario_fields()) {
      const auto v = doc.value(f.path);
      doc.apply_value(f.path, v);
      QCOMPARE(doc.value(f.path), v);
    }
  }

  void memoryModelHoldsTheCoreMemoryOfEveryPipelineRank() {
    ScenarioDocument doc;
    QVERIFY(doc.load(scenario("deepseek-v3-pretrain-2048xH800.yaml"), nullptr));
    const auto c = check_scenario(doc.scenario(), doc.path().toStdString());
    QVERIFY2(c.ok(), c.diagnostics.to_string().c_str());
    MemoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.set_memory(c.memory, c.hbm_bytes);
    QCOMPARE(model.rowCount(), 16);  // pp 16
    // Independent: the core's validate_plan reports the peak rank's memory.
    Diagnostics diag;
    auto sc = config::load_scenario(scenario("deepseek-v3-pretrain-2048xH800.yaml").toStdString(), diag);
    const auto vp = plan::validate_plan(sc, diag);
    QVERIFY(vp);
    double peak = 0;
    for (int r = 0; r < model.rowCount(); ++r)
      peak = std::max(peak, model.data(model.index(r, MemoryModel::Total), Qt::UserRole).toDouble());
    QCOMPARE(peak, vp->peak_memory.total_bytes());
    QCOMPARE(model.hbm_bytes(), sc.gpu.hbm_bytes);
  }

  void runSummaryKeepsTheLastFourRunsAndShowsTheReportsNumbers() {
    RunSummaryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 1; i <= 5; ++i) {
      SimulationRun r;
      r.name = QString::number(i);
      r.report = {{"step_time_s", 0.5 * i}, {"mfu", 0.25}, {"tokens_per_s_per_gpu", 1000.0 * i}};
      model.add_run(r);
    }
    QCOMPARE(model.columnCount(), 4);
    QCOMPARE(model.runs().front().name, QString("2"));  // run 1 dropped
    QCOMPARE(model.value(0, "step_time_s"), 1.0);
    QCOMPARE(model.data(model.index(0, 0)).toString(), QString("1.0000 s"));  // step time of run 2
    QCOMPARE(model.data(model.index(2, 3)).toString(), QString("25.0 %"));    // MFU of run 5
    QVERIFY(std::isnan(model.value(0, "gpu_hours_per_trillion_tokens")));
  }

  void sweepResultsGrowAsRowsArriveAndKeepOnlyOkPointsForTheFrontier() {
    QTemporaryDir dir;
    const auto path = dir.filePath("r.csv");
    std::vector<std::string> fields{"plan.pp"};
    {
      sweep::ResultsWriter w(path.toStdString(), fields, sweep::Format::Csv);
      sweep::Row ok;
      ok.index = 0, ok.of = 3, ok.hash = "aaaa", ok.tier = "analytic", ok.status = "ok", ok.values = {"8"};
      ok.metrics = {{"tokens_per_s_per_gpu", 1500.0}, {"gpu_hours_per_trillion_tokens", 185.0}, {"gpus", 64}};
      w.write(ok);
    }
    SweepResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QString error;
    QVERIFY2(model.reload(path, &error), qPrintable(error));
    QCOMPARE(model.rowCount(), 1);
    {
      sweep::ResultsWriter w(path.toStdString(), fields, sweep::Format::Csv);
      sweep::Row bad;
      bad.index = 1, bad.of = 3, bad.hash = "bbbb", bad.tier = "analytic", bad.status = "invalid",
      bad.reason = "plan.ep: 3, must divide", bad.values = {"16"};
      w.write(bad);
      sweep::Row ok2;
      ok2.index = 2, ok2.of = 3, ok2.hash = "cccc", ok2.tier = "analytic", ok2.status = "ok", ok2.values = {"16"};
      ok2.metrics = {{"tokens_per_s_per_gpu", 1700.0}, {"gpu_hours_per_trillion_tokens", 163.0}, {"gpus", 64}};
      w.write(ok2);
    }
    QVERIFY(model.reload(path, &error));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.axis_columns(), QStringList{"plan.pp"});
    const auto pts = model.ok_points("gpu_hours_per_trillion_tokens", "tokens_per_s_per_gpu");
    QCOMPARE(pts.size(), std::size_t{2});
    QCOMPARE(pts[0].x, 185.0);
    QCOMPARE(pts[1].y, 1700.0);
    QCOMPARE(pts[1].hash, QString("cccc"));
    QCOMPARE(pts[1].label, QString("plan.pp=16"));
  }

  void aStaleCheckIsDroppedAndTheLatestOneIsKept() {
    ScenarioDocument doc;
    ValidationJob job(&doc);
    QVERIFY(doc.load(scenario("h200x2-pp2-dualpipe.yaml"), nullptr));
    // Three edits in a row: only the check of the last revision may land.
    doc.set_value("plan.comm_sms", QVariant::fromValue<qlonglong>(1));
    doc.set_value("plan.pp", QVariant::fromValue<qlonglong>(3));
    doc.set_value("plan.pp", QVariant::fromValue<qlonglong>(2));
    QTRY_VERIFY_WITH_TIMEOUT(doc.has_check(), 30000);
    job.wait();
    QCoreApplication::processEvents();
    QVERIFY(!doc.set_check(doc.revision() - 1, {}));  // an older revision is refused
    QVERIFY2(doc.check().ok(), doc.check().diagnostics.to_string().c_str());
    QVERIFY(job.delivered() >= 1);
  }
};

QTEST_MAIN(ModelsTest)
#include "models_test.moc"
