// `moeplan compare PROGRAM MEASURED --json OUT [--calibration CAL]` as a
// child process (the simulated side runs the SimGrid engine, which lives in
// `moeplan`, not in the GUI); the comparison JSON arrives when it is done.
// cancel() kills it.
#pragma once

#include <QObject>
#include <QProcess>
#include <QTemporaryDir>
#include <memory>
#include <nlohmann/json.hpp>

namespace moeplan::gui {

class CompareJob : public QObject {
  Q_OBJECT
 public:
  explicit CompareJob(QObject* parent = nullptr);
  ~CompareJob() override;
  void start(const QString& program, const QString& measured, const QString& calibration = {});
  void cancel();
  bool is_running() const { return process_.state() != QProcess::NotRunning; }

 Q_SIGNALS:
  void finished(bool ok, const QString& message);  // message: the table as text, or what went wrong

 public:
  const nlohmann::json& comparison() const { return comparison_; }

 private:
  QProcess process_;
  std::unique_ptr<QTemporaryDir> dir_;
  nlohmann::json comparison_;
};

}  // namespace moeplan::gui
