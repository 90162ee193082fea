// `moeplan calibrate PROGRAM MEASURED -o CALIBRATION` as a child process: the
// core fits the cost model's compute efficiencies to the measured trace and
// writes the calibration that `moeplan compare --calibration` and
// `moeplan simulate --calibration` read. cancel() kills it.
#pragma once

#include <QObject>
#include <QProcess>
#include <QTemporaryDir>
#include <memory>

namespace moeplan::gui {

class CalibrationFitJob : public QObject {
  Q_OBJECT
 public:
  explicit CalibrationFitJob(QObject* parent = nullptr);
  ~CalibrationFitJob() override;
  void start(const QString& program, const QString& measured);
  void cancel();
  bool is_running() const { return process_.state() != QProcess::NotRunning; }
  // The calibration written by the last run that succeeded (empty before).
  QString calibration_path() const { return calibration_; }

 Q_SIGNALS:
  void finished(bool ok, const QString& message);  // message: the fit's table as text, or what went wrong

 private:
  QProcess process_;
  std::unique_ptr<QTemporaryDir> dir_;
  QString calibration_;
};

}  // namespace moeplan::gui
