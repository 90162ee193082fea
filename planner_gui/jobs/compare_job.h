// `moeplan compare PROGRAM MEASURED --json OUT [--calibration CAL]` as a
// child process (the simulated side runs the SimGrid engine, which lives in
// `moeplan`, not in the GUI); the comparison JSON arrives when it is done.
// cancel() kills it.
#pragma once

#include <nlohmann/json.hpp>

#include "planner_gui/jobs/cli_job.h"

namespace moeplan::gui {

class CompareJob : public CliJob {
  Q_OBJECT
 public:
  explicit CompareJob(QObject* parent = nullptr) : CliJob("compare", parent) {}
  void start(const QString& program, const QString& measured, const QString& calibration = {});
  const nlohmann::json& comparison() const { return comparison_; }

 private:
  QString take_result() override;
  nlohmann::json comparison_;
};

}  // namespace moeplan::gui
