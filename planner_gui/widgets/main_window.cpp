#include "planner_gui/widgets/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <cstdio>

#include "planner_gui/widgets/about.h"

namespace moeplan::gui {
namespace {
constexpr int kMaxRecent = 8;
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setAcceptDrops(true);
  validation_ = new ValidationJob(&doc_, this);
  tabs_ = new QTabWidget;
  tabs_->setDocumentMode(true);
  scenario_ = new ScenarioPage(&doc_);
  simulate_ = new SimulatePage(&doc_);
  timeline_ = new TimelinePage(&doc_);
  search_ = new SearchPage;
  export_ = new ExportPage(&doc_);
  experts_ = new ExpertsPage(&doc_);
  calibrate_ = new CalibratePage;
  topology_ = new TopologyPage(&doc_);
  tabs_->addTab(scenario_, tr("&Scenario"));
  tabs_->addTab(simulate_, tr("Si&mulate"));
  tabs_->addTab(timeline_, tr("&Timeline"));
  tabs_->addTab(topology_, tr("T&opology"));
  tabs_->addTab(experts_, tr("E&xperts"));
  tabs_->addTab(search_, tr("Sea&rch"));
  tabs_->addTab(export_, tr("Ex&port"));
  tabs_->addTab(calibrate_, tr("&Calibrate"));
  setCentralWidget(tabs_);

  // File
  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::open);
  recent_ = file->addMenu(tr("Open &recent"));
  file->addAction(tr("&Save"), QKeySequence::Save, this, &MainWindow::save);
  file->addAction(tr("Save &as…"), QKeySequence::SaveAs, this, &MainWindow::save_as);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
  // Edit
  auto* edit = menuBar()->addMenu(tr("&Edit"));
  auto* undo = doc_.undo_stack()->createUndoAction(this, tr("&Undo"));
  undo->setShortcut(QKeySequence::Undo);
  auto* redo = doc_.undo_stack()->createRedoAction(this, tr("&Redo"));
  redo->setShortcut(QKeySequence::Redo);
  edit->addAction(undo);
  edit->addAction(redo);
  // Simulate
  auto* sim = menuBar()->addMenu(tr("Si&mulate"));
  sim->addAction(tr("&Run simulation"), QKeySequence(Qt::Key_F5), this, [this] {
    tabs_->setCurrentWidget(simulate_);
    simulate_->run();
  });
  sim->addAction(tr("&Cancel simulation"), QKeySequence(Qt::Key_Escape), simulate_, &SimulatePage::cancel);
  sim->addAction(tr("Schedule &preview"), QKeySequence(Qt::CTRL | Qt::Key_P), this, [this] {
    tabs_->setCurrentWidget(timeline_);
    timeline_->show_schedule_preview();
  });
  // View: pages by number
  auto* view = menuBar()->addMenu(tr("&View"));
  for (int i = 0; i < tabs_->count(); ++i)
    view->addAction(tabs_->tabText(i).remove('&'), QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)), this,
                    [this, i] { tabs_->setCurrentIndex(i); });
  // Help
  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About moeplan-gui"), QKeySequence::HelpContents, this, &MainWindow::about);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

  connect(simulate_, &SimulatePage::trace_ready, timeline_, &TimelinePage::show_trace);
  connect(simulate_, &SimulatePage::report_ready, topology_, &TopologyPage::show_link_usage);
  connect(simulate_, &SimulatePage::failed, this, &MainWindow::show_error);
  connect(timeline_, &TimelinePage::failed, this, &MainWindow::show_error);
  connect(search_, &SearchPage::failed, this, &MainWindow::show_error);
  connect(export_, &ExportPage::failed, this, &MainWindow::show_error);
  connect(calibrate_, &CalibratePage::failed, this, &MainWindow::show_error);
  connect(export_, &ExportPage::measured, this,
          [this](const QString& program, const QString& trace, const QString& chrome_trace) {
            timeline_->show_measured_trace(chrome_trace);
            calibrate_->compare(program, trace);
          });
  connect(search_, &SearchPage::open_scenario, this, [this](const QString& yaml, const QString& stands_for) {
    if (!maybe_save()) return;
    QString error;
    if (!doc_.load_text(yaml, stands_for, &error)) show_error(tr("Cannot open the configuration"), error);
    else tabs_->setCurrentWidget(scenario_);
  });
  connect(doc_.undo_stack(), &QUndoStack::cleanChanged, this, &MainWindow::update_title);
  connect(&doc_, &ScenarioDocument::loaded, this, &MainWindow::update_title);
  connect(validation_, &ValidationJob::checked, this, [this] {
    const auto n = doc_.check().diagnostics.size();
    statusBar()->showMessage(n ? tr("%1 problem(s): see the Scenario page").arg(n) : tr("The plan validates."));
  });

  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
  if (!settings.contains("window/geometry")) resize(1280, 820);
  tabs_->setCurrentIndex(settings.value("window/page", 0).toInt());
  rebuild_recent_menu();
  update_title();
}

void MainWindow::show_error(const QString& title, const QString& message) {
  if (!dialogs_) {
    std::fprintf(stderr, "moeplan-gui: %s: %s\n", qPrintable(title), qPrintable(message));
    return;
  }
  QMessageBox box(QMessageBox::Warning, title, title, QMessageBox::Ok, this);
  box.setInformativeText(message.left(2000));
  box.setDetailedText(message.size() > 2000 ? message : QString());
  box.exec();
}

bool MainWindow::open_file(const QString& path, QString* error, bool quiet) {
  if (path.endsWith(".csv", Qt::CaseInsensitive) || path.endsWith(".jsonl", Qt::CaseInsensitive)) {
    search_->open_results(path);
    tabs_->setCurrentWidget(search_);
    return true;
  }
  QString e;
  if (!doc_.load(path, &e)) {
    if (error) *error = e;
    if (!quiet) show_error(tr("Cannot open %1").arg(QFileInfo(path).fileName()), e);
    return false;
  }
  add_recent(doc_.path());
  return true;
}

void MainWindow::open() {
  if (!maybe_save()) return;
  const QSettings settings;
  const auto start = settings.value("files/last_folder", QDir::currentPath()).toString();
  const auto f = QFileDialog::getOpenFileName(this, tr("Open a scenario"), start,
                                              tr("Scenarios (*.yaml *.yml);;Sweep results (*.csv *.jsonl)"));
  if (f.isEmpty()) return;
  QSettings().setValue("files/last_folder", QFileInfo(f).path());
  open_file(f);
}

bool MainWindow::save() {
  if (!doc_.is_loaded()) return false;
  if (!doc_.has_file()) return save_as();
  QString e;
  if (!doc_.save(doc_.path(), &e)) {
    show_error(tr("Cannot save"), e);
    return false;
  }
  statusBar()->showMessage(tr("Saved %1").arg(doc_.path()), 4000);
  return true;
}

bool MainWindow::save_as() {
  if (!doc_.is_loaded()) return false;
  const auto f = QFileDialog::getSaveFileName(this, tr("Save the scenario as"), doc_.path(), tr("Scenarios (*.yaml)"));
  if (f.isEmpty()) return false;
  QString e;
  if (!doc_.save(f, &e)) {
    show_error(tr("Cannot save"), e);
    return false;
  }
  add_recent(doc_.path());
  update_title();
  return true;
}

void MainWindow::about() { QMessageBox::about(this, tr("About moeplan-gui"), about_text()); }

bool MainWindow::maybe_save() {
  if (!doc_.is_loaded() || !doc_.is_modified() || !dialogs_) return true;
  const auto answer = QMessageBox::warning(
      this, tr("Unsaved changes"), tr("%1 has unsaved changes. Save them?").arg(QFileInfo(doc_.path()).fileName()),
      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
  if (answer == QMessageBox::Save) return save();
  return answer == QMessageBox::Discard;
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (!maybe_save()) {
    e->ignore();
    return;
  }
  simulate_->cancel();
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  settings.setValue("window/page", tabs_->currentIndex());
  e->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  const auto urls = e->mimeData()->urls();
  if (urls.isEmpty() || !urls.first().isLocalFile()) return;
  if (!maybe_save()) return;
  open_file(urls.first().toLocalFile());
  e->acceptProposedAction();
}

void MainWindow::add_recent(const QString& path) {
  QSettings settings;
  auto files = settings.value("files/recent").toStringList();
  files.removeAll(path);
  files.prepend(path);
  while (files.size() > kMaxRecent) files.removeLast();
  settings.setValue("files/recent", files);
  rebuild_recent_menu();
}

void MainWindow::rebuild_recent_menu() {
  recent_->clear();
  const auto files = QSettings().value("files/recent").toStringList();
  for (int i = 0; i < files.size(); ++i) {
    const auto f = files[i];
    auto* a = recent_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(f).fileName()), this, [this, f] {
      if (maybe_save()) open_file(f);
    });
    a->setToolTip(f);
  }
  recent_->setEnabled(!files.isEmpty());
}

void MainWindow::update_title() {
  setWindowTitle(doc_.is_loaded() ? QStringLiteral("%1[*] — moeplan").arg(QFileInfo(doc_.path()).fileName())
                                  : QStringLiteral("moeplan"));
  setWindowModified(doc_.is_modified());
}

QStringList MainWindow::screenshot_pages(const QString& dir) {
  QDir().mkpath(dir);
  QStringList written;
  for (int i = 0; i < tabs_->count(); ++i) {
    tabs_->setCurrentIndex(i);
    QCoreApplication::processEvents();
    const auto name = tabs_->tabText(i).remove('&').toLower();
    const auto file = QDir(dir).filePath(QStringLiteral("%1-%2.png").arg(i + 1).arg(name));
    if (grab().save(file)) written << file;
  }
  return written;
}

}  // namespace moeplan::gui
