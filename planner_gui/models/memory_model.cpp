#include "planner_gui/models/memory_model.h"

#include "sim/util/units.h"

namespace moeplan::gui {

QString format_bytes_q(double bytes) { return QString::fromStdString(format_bytes(bytes)); }

void MemoryModel::set_memory(std::vector<plan::MemoryBreakdown> ranks, double hbm_bytes) {
  beginResetModel();
  ranks_ = std::move(ranks);
  hbm_bytes_ = hbm_bytes;
  endResetModel();
}

double MemoryModel::fraction(int r) const {
  return hbm_bytes_ > 0 ? ranks_[static_cast<std::size_t>(r)].total_bytes() / hbm_bytes_ : 0.0;
}

int MemoryModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(ranks_.size());
}
int MemoryModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant MemoryModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const auto& m = ranks_[static_cast<std::size_t>(index.row())];
  const bool display = role == Qt::DisplayRole;
  if (!display && role != Qt::UserRole) return {};  // UserRole: the raw number
  auto bytes = [&](double b) { return display ? QVariant(format_bytes_q(b)) : QVariant(b); };
  switch (index.column()) {
    case Rank: return m.pipe_rank;
    case Weights: return bytes(m.weights_bytes);
    case Gradients: return bytes(m.gradients_bytes);
    case Optimizer: return bytes(m.optimizer_bytes);
    case Activations: return bytes(m.activations_bytes);
    case Total: return bytes(m.total_bytes());
    case Fraction:
      return display ? QVariant(QStringLiteral("%1%").arg(100.0 * fraction(index.row()), 0, 'f', 1))
                     : QVariant(fraction(index.row()));
    default: return {};
  }
}

QVariant MemoryModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[] = {"PP rank", "Weights", "Gradients", "Optimizer", "Activations", "Total", "of HBM"};
  return section >= 0 && section < ColumnCount ? QVariant(tr(names[section])) : QVariant();
}

}  // namespace moeplan::gui
