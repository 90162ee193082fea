#include "planner_gui/models/scenario_document.h"

#include <QDir>
#include <QFileInfo>
#include <QUndoCommand>

#include "planner_gui/models/scenario_fields.h"
#include "sim/config/scenario_yaml.h"

namespace moeplan::gui {
namespace {

QString diagnostic_text(const Diagnostic& d) { return QString::fromStdString(d.message); }

class SetFieldCommand : public QUndoCommand {
 public:
  SetFieldCommand(ScenarioDocument* doc, QString field, QVariant before, QVariant after)
      : doc_(doc), field_(std::move(field)), before_(std::move(before)), after_(std::move(after)) {
    const auto* f = find_field(field_);
    setText(QStringLiteral("set %1 to %2").arg(f ? f->label : field_, after_.toString()));
  }
  void undo() override { doc_->apply_value(field_, before_); }
  void redo() override { doc_->apply_value(field_, after_); }
  int id() const override { return 1; }
  bool mergeWith(const QUndoCommand* other) override {
    const auto* o = static_cast<const SetFieldCommand*>(other);
    if (o->field_ != field_) return false;
    after_ = o->after_;
    setText(o->text());
    return true;
  }

 private:
  ScenarioDocument* doc_;
  QString field_;
  QVariant before_, after_;
};

}  // namespace

ScenarioDocument::ScenarioDocument(QObject* parent) : QObject(parent) {}

void ScenarioDocument::reset(config::Scenario sc, const QString& path, bool has_file) {
  undo_.clear();
  scenario_ = std::move(sc);
  path_ = path;
  has_file_ = has_file;
  loaded_ = true;
  last_edited_.clear();
  has_check_ = false;
  check_ = {};
  ++revision_;
  Q_EMIT loaded();
  Q_EMIT changed(revision_);
}

bool ScenarioDocument::load(const QString& path, QString* error) {
  const QFileInfo info(path);
  if (!info.exists()) {
    if (error) *error = QStringLiteral("%1 does not exist; pick a scenario file (scenarios/*.yaml)").arg(path);
    return false;
  }
  if (!info.isFile()) {
    if (error) *error = QStringLiteral("%1 is not a regular file; pick a scenario YAML file").arg(path);
    return false;
  }
  if (!info.isReadable()) {
    if (error) *error = QStringLiteral("%1 is not readable; check its permissions").arg(path);
    return false;
  }
  Diagnostics diag;
  const auto abs = info.absoluteFilePath().toStdString();
  config::Scenario sc;
  try {
    sc = config::load_scenario(abs, diag);
  } catch (const std::exception& e) {
    if (error) *error = QStringLiteral("%1: %2").arg(path, QString::fromStdString(e.what()));
    return false;
  }
  if (!diag.empty()) {
    if (error) *error = QString::fromStdString(diag.to_string());
    return false;
  }
  if (!sc.is_training()) {
    if (error) *error = QStringLiteral("%1: only training workloads can be edited here").arg(path);
    return false;
  }
  reset(std::move(sc), info.absoluteFilePath(), true);
  return true;
}

bool ScenarioDocument::load_text(const QString& yaml, const QString& stands_for, QString* error) {
  Diagnostics diag;
  const auto abs = QFileInfo(stands_for).absoluteFilePath();
  config::Scenario sc;
  try {
    sc = config::parse_scenario(yaml.toStdString(), abs.toStdString(), diag);
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  if (!diag.empty() || !sc.is_training()) {
    if (error) *error = QString::fromStdString(diag.to_string());
    return false;
  }
  reset(std::move(sc), abs, false);
  undo_.resetClean();
  // Not on disk yet: unsaved until the user saves it.
  return true;
}

bool ScenarioDocument::save(const QString& path, QString* error) {
  const auto abs = QFileInfo(path).absoluteFilePath();
  try {
    config::write_scenario(scenario_, abs.toStdString());
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  scenario_.path = abs.toStdString();
  path_ = abs;
  has_file_ = true;
  undo_.setClean();
  ++revision_;
  Q_EMIT changed(revision_);  // relative references now resolve from the new folder
  return true;
}

std::string ScenarioDocument::yaml() const { return config::to_yaml(scenario_, path_.toStdString()); }

QVariant ScenarioDocument::value(const QString& field) const {
  const auto* f = find_field(field);
  return f && loaded_ ? f->get(scenario_) : QVariant();
}

void ScenarioDocument::set_value(const QString& field, const QVariant& v) {
  const auto before = value(field);
  if (!find_field(field) || before == v) return;
  undo_.push(new SetFieldCommand(this, field, before, v));
}

void ScenarioDocument::apply_value(const QString& field, const QVariant& v) {
  const auto* f = find_field(field);
  if (!f) return;
  f->set(scenario_, v);
  last_edited_ = field;
  ++revision_;
  Q_EMIT value_changed(field);
  Q_EMIT changed(revision_);
}

bool ScenarioDocument::set_check(quint64 revision, ScenarioCheck c) {
  if (revision != revision_) return false;
  check_ = std::move(c);
  has_check_ = true;
  Q_EMIT check_changed();
  return true;
}

QStringList ScenarioDocument::messages_for(const QString& field) const {
  QStringList out;
  const auto group = field.section('.', 0, 0);
  for (const auto& d : check_.diagnostics.items()) {
    const auto f = QString::fromStdString(d.field);
    if (f == field) out << diagnostic_text(d);
    else if (f == group && group != field && last_edited_ == field) out << diagnostic_text(d);
  }
  return out;
}

QStringList ScenarioDocument::group_messages(const QString& group) const {
  QStringList out;
  for (const auto& d : check_.diagnostics.items()) {
    const auto f = QString::fromStdString(d.field);
    if (f.section('.', 0, 0) != group && !(group.isEmpty() && f.isEmpty())) continue;
    if (find_field(f)) continue;  // shown at its editor
    if (f == group && last_edited_.section('.', 0, 0) == group) continue;  // shown at the field last edited
    out << (f.isEmpty() ? diagnostic_text(d) : QStringLiteral("%1: %2").arg(f, diagnostic_text(d)));
  }
  return out;
}

}  // namespace moeplan::gui
