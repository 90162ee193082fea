// The main window: the pages in tabs (Scenario, Simulate, Timeline, Search),
// File/Edit/Simulate/Help menus with shortcuts, recent files, drag-and-drop
// of scenario and results files, window state kept in QSettings, and errors
// as dialogs.
#pragma once

#include <QMainWindow>
#include <QMenu>
#include <QTabWidget>

#include "planner_gui/jobs/validation_job.h"
#include "planner_gui/models/scenario_document.h"
#include "planner_gui/widgets/calibrate_page.h"
#include "planner_gui/widgets/experts_page.h"
#include "planner_gui/widgets/export_page.h"
#include "planner_gui/widgets/scenario_page.h"
#include "planner_gui/widgets/search_page.h"
#include "planner_gui/widgets/simulate_page.h"
#include "planner_gui/widgets/timeline_page.h"
#include "planner_gui/widgets/topology_page.h"

namespace moeplan::gui {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  // Opens a scenario file; errors are shown in a dialog unless `quiet`
  // (then returned in `error`). A results file (.csv/.jsonl) goes to Search.
  bool open_file(const QString& path, QString* error = nullptr, bool quiet = false);
  ScenarioDocument* document() { return &doc_; }
  ValidationJob* validation() { return validation_; }
  ScenarioPage* scenario_page() const { return scenario_; }
  SimulatePage* simulate_page() const { return simulate_; }
  TimelinePage* timeline_page() const { return timeline_; }
  SearchPage* search_page() const { return search_; }
  ExportPage* export_page() const { return export_; }
  ExpertsPage* experts_page() const { return experts_; }
  CalibratePage* calibrate_page() const { return calibrate_; }
  TopologyPage* topology_page() const { return topology_; }
  QTabWidget* tabs() const { return tabs_; }
  // Set to suppress dialogs (tests, --screenshot): errors go to stderr.
  void set_dialogs_enabled(bool on) { dialogs_ = on; }
  // Grabs every page into DIR/<n>-<page>.png; returns the files written.
  QStringList screenshot_pages(const QString& dir);

 public Q_SLOTS:
  void open();
  bool save();
  bool save_as();
  void about();

 protected:
  void closeEvent(QCloseEvent* e) override;
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private:
  void show_error(const QString& title, const QString& message);
  bool maybe_save();
  void add_recent(const QString& path);
  void rebuild_recent_menu();
  void update_title();

  ScenarioDocument doc_;
  ValidationJob* validation_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  ScenarioPage* scenario_ = nullptr;
  SimulatePage* simulate_ = nullptr;
  TimelinePage* timeline_ = nullptr;
  SearchPage* search_ = nullptr;
  ExportPage* export_ = nullptr;
  ExpertsPage* experts_ = nullptr;
  CalibratePage* calibrate_ = nullptr;
  TopologyPage* topology_ = nullptr;
  QMenu* recent_ = nullptr;
  bool dialogs_ = true;
};

}  // namespace moeplan::gui
