// The scenario being edited: the core's config::Scenario, its file, an undo
// stack of field edits, and the latest check (diagnostics and memory) that
// the job layer computed for it. Every edit bumps the revision; a check of
// an older revision is dropped when it arrives.
#pragma once

#include <QObject>
#include <QString>
#include <QUndoStack>
#include <QVariant>

#include "planner_gui/models/scenario_check.h"
#include "sim/config/scenario.h"

namespace moeplan::gui {

class ScenarioDocument : public QObject {
  Q_OBJECT
 public:
  explicit ScenarioDocument(QObject* parent = nullptr);

  // Reads a scenario file with the core reader; on a problem, returns false
  // and `error` holds every diagnostic (file:line: field: message).
  bool load(const QString& path, QString* error);
  // Scenario text standing for `stands_for` (a sweep point, a new file).
  bool load_text(const QString& yaml, const QString& stands_for, QString* error);
  // Writes the scenario through the core writer (temporary file + rename).
  bool save(const QString& path, QString* error);

  bool is_loaded() const { return loaded_; }
  const config::Scenario& scenario() const { return scenario_; }
  QString path() const { return path_; }  // the file it stands for
  bool has_file() const { return has_file_; }
  bool is_modified() const { return !undo_.isClean(); }
  QUndoStack* undo_stack() { return &undo_; }
  // The scenario as YAML text, as the core writes it for this document's path.
  std::string yaml() const;

  QVariant value(const QString& field) const;
  // Pushes an undoable edit (consecutive edits of one field merge into one).
  void set_value(const QString& field, const QVariant& v);
  // Applies a value without the undo stack (the undo command calls this).
  void apply_value(const QString& field, const QVariant& v);
  QString last_edited_field() const { return last_edited_; }

  quint64 revision() const { return revision_; }
  const ScenarioCheck& check() const { return check_; }
  bool has_check() const { return has_check_; }
  // Takes a check of `revision`; returns false (and drops it) when it is stale.
  bool set_check(quint64 revision, ScenarioCheck c);

  // The diagnostics to show at a field's editor: those naming the field, and
  // those naming its group as a whole ("plan": a cross-field error such as
  // the memory check) when the field is the one last edited in that group.
  QStringList messages_for(const QString& field) const;
  // The diagnostics of a group that no editor shows by itself.
  QStringList group_messages(const QString& group) const;

 Q_SIGNALS:
  void loaded();
  void value_changed(const QString& field);
  void changed(quint64 revision);  // any edit, load or undo: a new check is due
  void check_changed();

 private:
  void reset(config::Scenario sc, const QString& path, bool has_file);

  config::Scenario scenario_;
  QString path_;
  bool has_file_ = false;
  bool loaded_ = false;
  QUndoStack undo_;
  QString last_edited_;
  quint64 revision_ = 0;
  ScenarioCheck check_;
  bool has_check_ = false;
};

}  // namespace moeplan::gui
