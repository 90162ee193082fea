// The editable fields of a scenario, by their dotted path ("plan.ep"): how
// to read and write each on a config::Scenario and which editor suits it.
// A table of the core struct's fields, no planning logic: what a value means
// and whether it is valid is for the core's parse_scenario and validate_plan.
#pragma once

#include <QString>
#include <QStringList>
#include <QVariant>
#include <functional>
#include <vector>

#include "sim/config/scenario.h"

namespace moeplan::gui {

enum class FieldKind {
  Integer,  // QVariant qlonglong, spin box
  Real,     // double, spin box
  Choice,   // QString, one of `choices`, combo box
  File,     // QString path of a referenced file (model, hardware, topology), editable combo
  IntList,  // QString "3, 4, 4", line edit
};

struct FieldSpec {
  QString path;   // dotted field, as the core's diagnostics name it
  QString group;  // first part of the path: model, hardware, topology, workload, plan, routing, placement, simulation
  QString label;
  FieldKind kind = FieldKind::Integer;
  QStringList choices;      // Choice
  QString file_folder;      // File: the bundled data folder it is picked from (models, hardware, topologies)
  qlonglong minimum = 0;    // Integer/Real: what the widget allows (the core checks the real range)
  qlonglong maximum = 1LL << 30;
  QString tooltip;
  std::function<QVariant(const config::Scenario&)> get;
  std::function<void(config::Scenario&, const QVariant&)> set;
};

// Every editable field, in form order.
const std::vector<FieldSpec>& scenario_fields();
// The field at `path`, or nullptr.
const FieldSpec* find_field(const QString& path);
// The groups, in form order, with a title each.
const std::vector<std::pair<QString, QString>>& field_groups();

}  // namespace moeplan::gui
