// One editor per scenario field, chosen by its kind (spin box, combo box,
// file picker, list), and a label with the core's diagnostics for that
// field, which the page shows right under it. Widgets only: values go to and come from the document.
#pragma once

#include <QLabel>
#include <QWidget>

#include "planner_gui/models/scenario_document.h"
#include "planner_gui/models/scenario_fields.h"

namespace moeplan::gui {

class FieldRow : public QWidget {
  Q_OBJECT
 public:
  FieldRow(const FieldSpec& spec, ScenarioDocument* doc, QWidget* parent = nullptr);
  const FieldSpec& spec() const { return spec_; }
  QWidget* editor() const { return editor_; }
  QLabel* message_label() const { return message_; }
  void refresh_value();
  void refresh_messages();

 private:
  void commit(const QVariant& v);

  const FieldSpec& spec_;
  ScenarioDocument* doc_;
  QWidget* editor_ = nullptr;
  QLabel* message_ = nullptr;
};

}  // namespace moeplan::gui
