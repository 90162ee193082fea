// The Scenario page: a form per scenario section (model, GPU, topology,
// workload, parallel plan, routing, placement, simulation) with the core's
// diagnostics at each field, the memory gauge of every pipeline rank (core
// memory model) and the full list of problems, as `moeplan validate` prints them.
#pragma once

#include <QLabel>
#include <QListWidget>
#include <QMap>
#include <QProgressBar>
#include <QVBoxLayout>
#include <QWidget>

#include "planner_gui/models/memory_model.h"
#include "planner_gui/models/scenario_document.h"
#include "planner_gui/widgets/field_editors.h"

namespace moeplan::gui {

class ScenarioPage : public QWidget {
  Q_OBJECT
 public:
  explicit ScenarioPage(ScenarioDocument* doc, QWidget* parent = nullptr);
  FieldRow* row(const QString& field) const { return rows_.value(field); }
  MemoryModel* memory_model() { return &memory_; }
  QListWidget* problems() const { return problems_; }
  const QList<QProgressBar*>& gauges() const { return gauges_; }

 private:
  void refresh_check();
  void refresh_values();

  ScenarioDocument* doc_;
  MemoryModel memory_;
  QMap<QString, FieldRow*> rows_;
  QMap<QString, QLabel*> group_messages_;
  QLabel* summary_ = nullptr;
  QListWidget* problems_ = nullptr;
  QVBoxLayout* gauge_layout_ = nullptr;
  QList<QProgressBar*> gauges_;
};

}  // namespace moeplan::gui
