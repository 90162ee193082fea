// The scenario's fields as a table: path, label, value, diagnostics. The
// form page reads it for its editors; tests and the (future) raw-field view
// read it directly. Editing the value column pushes an undoable edit.
#pragma once

#include <QAbstractTableModel>

#include "planner_gui/models/scenario_document.h"

namespace moeplan::gui {

class FieldTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Path, Label, Value, Messages, ColumnCount };
  explicit FieldTableModel(ScenarioDocument* doc, QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

  int row_of(const QString& field) const;

 private:
  ScenarioDocument* doc_;
};

}  // namespace moeplan::gui
