// Memory per GPU for every pipeline rank, from the core memory model
// (ScenarioCheck::memory), against the GPU's HBM.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "sim/plan/memory.h"

namespace moeplan::gui {

class MemoryModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Rank, Weights, Gradients, Optimizer, Activations, Total, Fraction, ColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void set_memory(std::vector<plan::MemoryBreakdown> ranks, double hbm_bytes);
  const std::vector<plan::MemoryBreakdown>& ranks() const { return ranks_; }
  double hbm_bytes() const { return hbm_bytes_; }
  // Total / HBM of rank r.
  double fraction(int r) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

 private:
  std::vector<plan::MemoryBreakdown> ranks_;
  double hbm_bytes_ = 0;
};

// "71.3 GiB" (the core's byte formatting).
QString format_bytes_q(double bytes);

}  // namespace moeplan::gui
