// Simulated against measured per op kind: the core's comparison
// (trace::compare_traces, written by `moeplan compare --json`) as a table.
#pragma once

#include <QAbstractTableModel>
#include <nlohmann/json.hpp>

namespace moeplan::gui {

class ComparisonModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Kind, Ops, SimulatedMs, MeasuredMs, ErrorPercent, ColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  // Takes the JSON of trace::to_json(Comparison); throws std::runtime_error when it is not one.
  void set_comparison(const nlohmann::json& c);
  const nlohmann::json& comparison() const { return c_; }
  double simulated_step_s() const { return c_.value("simulated_step_s", 0.0); }
  double measured_step_s() const { return c_.value("measured_step_s", 0.0); }
  double step_relative_error() const { return c_.value("step_relative_error", 0.0); }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

 private:
  nlohmann::json c_ = nlohmann::json::object();
};

}  // namespace moeplan::gui
