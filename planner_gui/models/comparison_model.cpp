#include "planner_gui/models/comparison_model.h"

#include <stdexcept>

namespace moeplan::gui {

namespace {

void require_comparison(const nlohmann::json& c) {
  if (!c.is_object() || !c.contains("kinds") || !c["kinds"].is_array())
    throw std::runtime_error("not a comparison: no `kinds` array (expected moeplan compare --json output)");
}

}  // namespace

void ComparisonModel::set_comparison(const nlohmann::json& c) {
  require_comparison(c);
  beginResetModel();
  c_ = c;
  after_ = nlohmann::json::object();
  endResetModel();
}

void ComparisonModel::set_calibrated(const nlohmann::json& c) {
  require_comparison(c);
  beginResetModel();
  after_ = c;
  endResetModel();
}

const nlohmann::json* ComparisonModel::calibrated_kind(const std::string& kind) const {
  if (!after_.contains("kinds")) return nullptr;
  for (const auto& k : after_["kinds"])
    if (k.value("kind", std::string()) == kind) return &k;
  return nullptr;
}

int ComparisonModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !c_.contains("kinds") ? 0 : static_cast<int>(c_["kinds"].size());
}
int ComparisonModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ComparisonModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const auto& k = c_["kinds"][static_cast<std::size_t>(index.row())];
  if (role == Qt::TextAlignmentRole && index.column() != Kind) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole && role != Qt::UserRole) return {};
  const bool raw = role == Qt::UserRole;
  switch (index.column()) {
    case Kind: return QString::fromStdString(k.value("kind", std::string()));
    case Ops: return k.value("ops", 0);
    case SimulatedMs: {
      const double v = k.value("simulated_s", 0.0);
      return raw ? QVariant(v) : QVariant(QString::number(v * 1e3, 'f', 3));
    }
    case MeasuredMs: {
      const double v = k.value("measured_s", 0.0);
      return raw ? QVariant(v) : QVariant(QString::number(v * 1e3, 'f', 3));
    }
    case ErrorPercent: {
      const double v = k.value("relative_error", 0.0);
      return raw ? QVariant(v) : QVariant(QStringLiteral("%1%").arg(v * 100, 0, 'f', 1));
    }
    case CalibratedMs: {
      const auto* a = calibrated_kind(k.value("kind", std::string()));
      if (!a) return {};
      const double v = a->value("simulated_s", 0.0);
      return raw ? QVariant(v) : QVariant(QString::number(v * 1e3, 'f', 3));
    }
    case CalibratedErrorPercent: {
      const auto* a = calibrated_kind(k.value("kind", std::string()));
      if (!a) return {};
      const double v = a->value("relative_error", 0.0);
      return raw ? QVariant(v) : QVariant(QStringLiteral("%1%").arg(v * 100, 0, 'f', 1));
    }
    default: return {};
  }
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[] = {"Op kind",         "Ops",  "Simulated (ms)", "Measured (ms)", "Error",
                                "Calibrated (ms)", "Error after calibration"};
  return section >= 0 && section < ColumnCount ? QVariant(tr(names[section])) : QVariant();
}

}  // namespace moeplan::gui
