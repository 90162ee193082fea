// Simulated against measured per op kind: the core's comparison
// (trace::compare_traces, written by `moeplan compare --json`) as a table;
// after a calibration is applied, the comparison of the re-simulation
// (`moeplan compare --calibration`) beside it, matched by op kind.
#pragma once

#include <QAbstractTableModel>
#include <nlohmann/json.hpp>

namespace moeplan::gui {

class ComparisonModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Kind, Ops, SimulatedMs, MeasuredMs, ErrorPercent, CalibratedMs, CalibratedErrorPercent, ColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  // Takes the JSON of trace::to_json(Comparison); throws std::runtime_error when it is not one.
  // Clears the calibrated comparison.
  void set_comparison(const nlohmann::json& c);
  // The comparison of the same program and measured trace re-simulated with a
  // fitted calibration; throws like set_comparison.
  void set_calibrated(const nlohmann::json& c);
  bool has_calibrated() const { return !after_.empty(); }
  const nlohmann::json& calibrated() const { return after_; }
  double calibrated_step_s() const { return after_.value("simulated_step_s", 0.0); }
  double calibrated_step_relative_error() const { return after_.value("step_relative_error", 0.0); }
  const nlohmann::json& comparison() const { return c_; }
  double simulated_step_s() const { return c_.value("simulated_step_s", 0.0); }
  double measured_step_s() const { return c_.value("measured_step_s", 0.0); }
  double step_relative_error() const { return c_.value("step_relative_error", 0.0); }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

 private:
  const nlohmann::json* calibrated_kind(const std::string& kind) const;

  nlohmann::json c_ = nlohmann::json::object();
  nlohmann::json after_ = nlohmann::json::object();
};

}  // namespace moeplan::gui
