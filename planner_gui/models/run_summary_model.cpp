#include "planner_gui/models/run_summary_model.h"

#include <cmath>
#include <limits>

namespace moeplan::gui {

const std::vector<RunSummaryModel::Metric>& RunSummaryModel::metrics() {
  static const std::vector<Metric> m{
      {"step_time_s", "Step time", 1.0, "s", 4},
      {"tokens_per_s_per_gpu", "Tokens/s per GPU", 1.0, "", 0},
      {"mfu", "MFU", 100.0, "%", 1},
      {"gpu_hours_per_trillion_tokens", "Cost per trillion tokens", 1.0, "GPU-hours", 0},
      {"tokens_per_s", "Tokens/s (cluster)", 1.0, "", 0},
      {"gpus", "GPUs", 1.0, "", 0},
      {"bubble_fraction", "Pipeline bubble", 100.0, "%", 1},
      {"exposed_comm_s", "Exposed communication", 1.0, "s", 4},
      {"memory_per_gpu_bytes", "Peak memory per GPU", 1.0 / (1024.0 * 1024 * 1024), "GiB", 1},
      {"sim_wall_s", "Simulation wall time", 1.0, "s", 1},
  };
  return m;
}

void RunSummaryModel::add_run(SimulationRun run) {
  beginResetModel();
  runs_.push_back(std::move(run));
  if (runs_.size() > static_cast<std::size_t>(kMaxRuns)) runs_.erase(runs_.begin());
  endResetModel();
}

void RunSummaryModel::clear() {
  beginResetModel();
  runs_.clear();
  endResetModel();
}

double RunSummaryModel::value(int column, const char* key) const {
  if (column < 0 || column >= static_cast<int>(runs_.size())) return std::numeric_limits<double>::quiet_NaN();
  const auto& r = runs_[static_cast<std::size_t>(column)].report;
  if (!r.contains(key) || !r.at(key).is_number()) return std::numeric_limits<double>::quiet_NaN();
  return r.at(key).get<double>();
}

int RunSummaryModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(metrics().size());
}
int RunSummaryModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(runs_.size());
}

QVariant RunSummaryModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const auto& m = metrics()[static_cast<std::size_t>(index.row())];
  const double v = value(index.column(), m.key);
  if (role == Qt::UserRole) return v;
  if (role == Qt::TextAlignmentRole) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole) return {};
  if (std::isnan(v)) return QStringLiteral("-");
  const auto text = QString::number(v * m.scale, 'f', m.decimals);
  return *m.unit ? QStringLiteral("%1 %2").arg(text, QString::fromUtf8(m.unit)) : text;
}

QVariant RunSummaryModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (o == Qt::Vertical)
    return section >= 0 && section < static_cast<int>(metrics().size())
               ? QVariant(tr(metrics()[static_cast<std::size_t>(section)].label))
               : QVariant();
  return section >= 0 && section < static_cast<int>(runs_.size())
             ? QVariant(QStringLiteral("%1. %2").arg(section + 1).arg(runs_[static_cast<std::size_t>(section)].name))
             : QVariant();
}

}  // namespace moeplan::gui
