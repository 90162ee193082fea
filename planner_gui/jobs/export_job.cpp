#include "planner_gui/jobs/export_job.h"

#include <QDir>
#include <QFile>
#include <QMetaObject>
#include <unistd.h>

#include "planner_gui/models/run_commands.h"
#include "sim/config/scenario_yaml.h"
#include "sim/pipeline/rank_files.h"
#include "sim/plan/validate.h"
#include "sim/program/program_json.h"
#include "sim/util/units.h"
#include "sim/workload/build_program.h"

namespace moeplan::gui {

ExportResult export_plan(const config::Scenario& sc_in, const QString& folder) {
  ExportResult r;
  if (!QDir().mkpath(folder)) {
    r.message = QObject::tr("cannot create the folder %1; pick a writable folder").arg(folder);
    return r;
  }
  const QDir dir(folder);
  const auto scenario_path = dir.filePath("scenario.yaml");
  const auto program_path = dir.filePath("program.json");
  const auto commands_path = dir.filePath("run.sh");
  try {
    // The scenario as saved there, read back: the program is planned from the file a user would run.
    config::write_scenario(sc_in, scenario_path.toStdString());
    Diagnostics diag;
    auto sc = config::load_scenario(scenario_path.toStdString(), diag);
    std::optional<plan::ValidatedPlan> vp;
    if (diag.empty()) vp = plan::validate_plan(sc, diag);
    if (!vp) {
      r.message = QObject::tr("the scenario does not validate; fix these first:\n%1").arg(QString::fromStdString(diag.to_string()));
      return r;
    }
    r.files << scenario_path;
    if (vp->layout.pipelines() > 1) {  // the same guard as `moeplan plan`: half the machine's memory
      const auto size = pipeline::estimate_program_size(sc, *vp);
      const double machine = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
      if (size.memory_bytes > 0.5 * machine) {
        r.message = QObject::tr("the whole program holds about %1 ops and would need about %2 of memory (this machine "
                                "has %3); write it per rank instead:\n  moeplan plan %4 --per-rank -o %5")
                        .arg(size.ops)
                        .arg(QString::fromStdString(format_bytes(size.memory_bytes)),
                             QString::fromStdString(format_bytes(machine)), scenario_path, dir.filePath("ranks"));
        return r;
      }
    }
    const auto p = workload::build_program(sc, *vp, {});
    program::write_program(p, program_path.toStdString());
    r.files << program_path;
    RunCommandsInput in;
    in.program_path = program_path;
    in.scenario_path = scenario_path;
    in.ranks = sc.gpus();
    in.nodes = std::max(1, sc.topology.topology.node_count());
    in.gpus_per_node = sc.topology.topology.gpus_per_node();
    r.commands = run_commands(in);
    QFile f(commands_path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(r.commands.toUtf8()) < 0) {
      r.message = QObject::tr("cannot write %1: %2").arg(commands_path, f.errorString());
      return r;
    }
    f.close();
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther);
    r.files << commands_path;
    r.ok = true;
    r.message = QObject::tr("%1 ops over %2 ranks written to %3").arg(p.ops.size()).arg(sc.gpus()).arg(folder);
  } catch (const std::exception& e) {
    r.message = QString::fromStdString(e.what());
  }
  return r;
}

ExportJob::ExportJob(QObject* parent) : QObject(parent) { pool_.setMaxThreadCount(1); }

ExportJob::~ExportJob() {
  tracker_.invalidate();
  pool_.waitForDone();
}

void ExportJob::start(const config::Scenario& sc, const QString& folder) {
  const auto id = tracker_.next();
  running_ = true;
  pool_.start([this, id, sc, folder] {
    auto result = export_plan(sc, folder);
    QMetaObject::invokeMethod(
        this,
        [this, id, result] {
          if (!tracker_.is_current(id)) return;
          running_ = false;
          Q_EMIT finished(result);
        },
        Qt::QueuedConnection);
  });
}

}  // namespace moeplan::gui
