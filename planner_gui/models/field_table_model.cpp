#include "planner_gui/models/field_table_model.h"

#include "planner_gui/models/scenario_fields.h"

namespace moeplan::gui {

FieldTableModel::FieldTableModel(ScenarioDocument* doc, QObject* parent) : QAbstractTableModel(parent), doc_(doc) {
  connect(doc_, &ScenarioDocument::loaded, this, [this] { beginResetModel(); endResetModel(); });
  connect(doc_, &ScenarioDocument::value_changed, this, [this](const QString& field) {
    const int r = row_of(field);
    if (r >= 0) Q_EMIT dataChanged(index(r, Value), index(r, Value));
  });
  connect(doc_, &ScenarioDocument::check_changed, this, [this] {
    if (rowCount() > 0) Q_EMIT dataChanged(index(0, Messages), index(rowCount() - 1, Messages));
  });
}

int FieldTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !doc_->is_loaded() ? 0 : static_cast<int>(scenario_fields().size());
}

int FieldTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

int FieldTableModel::row_of(const QString& field) const {
  const auto& fs = scenario_fields();
  for (std::size_t i = 0; i < fs.size(); ++i)
    if (fs[i].path == field) return static_cast<int>(i);
  return -1;
}

QVariant FieldTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const auto& f = scenario_fields()[static_cast<std::size_t>(index.row())];
  if (role == Qt::ToolTipRole) return f.tooltip.isEmpty() ? QVariant() : QVariant(f.tooltip);
  if (role != Qt::DisplayRole && role != Qt::EditRole) return {};
  switch (index.column()) {
    case Path: return f.path;
    case Label: return f.label;
    case Value: return doc_->value(f.path);
    case Messages: return doc_->messages_for(f.path).join('\n');
    default: return {};
  }
}

QVariant FieldTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Path: return tr("Field");
    case Label: return tr("Name");
    case Value: return tr("Value");
    case Messages: return tr("Diagnostics");
    default: return {};
  }
}

Qt::ItemFlags FieldTableModel::flags(const QModelIndex& index) const {
  auto fl = QAbstractTableModel::flags(index);
  if (index.isValid() && index.column() == Value) fl |= Qt::ItemIsEditable;
  return fl;
}

bool FieldTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid) || role != Qt::EditRole || index.column() != Value)
    return false;
  doc_->set_value(scenario_fields()[static_cast<std::size_t>(index.row())].path, value);
  return true;
}

}  // namespace moeplan::gui
