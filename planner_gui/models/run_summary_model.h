// Up to four simulation runs side by side: rows are the report's metrics
// (moeplan simulate --report JSON, read as the core wrote it), columns the runs.
#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <nlohmann/json.hpp>
#include <vector>

#include "sim/plan/memory.h"

namespace moeplan::gui {

struct SimulationRun {
  QString name;                 // scenario name (and what was changed)
  nlohmann::json report;        // the core's report JSON
  std::vector<plan::MemoryBreakdown> memory;  // per pipeline rank, from the core memory model
  double hbm_bytes = 0;
};

class RunSummaryModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  static constexpr int kMaxRuns = 4;
  struct Metric {
    const char* key;    // report JSON key
    const char* label;
    double scale;       // displayed = value x scale
    const char* unit;
    int decimals;
  };
  static const std::vector<Metric>& metrics();

  using QAbstractTableModel::QAbstractTableModel;
  // Adds a run; the oldest is dropped beyond kMaxRuns.
  void add_run(SimulationRun run);
  void clear();
  const std::vector<SimulationRun>& runs() const { return runs_; }
  // A metric's raw value for run `column`, NaN when absent.
  double value(int column, const char* key) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

 private:
  std::vector<SimulationRun> runs_;
};

}  // namespace moeplan::gui
