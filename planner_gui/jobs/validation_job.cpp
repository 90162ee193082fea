#include "planner_gui/jobs/validation_job.h"

#include <QMetaObject>

namespace moeplan::gui {

ValidationJob::ValidationJob(ScenarioDocument* doc, QObject* parent) : QObject(parent), doc_(doc) {
  pool_.setMaxThreadCount(1);
  connect(doc_, &ScenarioDocument::changed, this, &ValidationJob::request);
  if (doc_->is_loaded()) request(doc_->revision());
}

ValidationJob::~ValidationJob() {
  tracker_.invalidate();
  pool_.waitForDone();
}

void ValidationJob::wait() { pool_.waitForDone(); }

void ValidationJob::request(quint64 revision) {
  const auto id = tracker_.next();
  auto scenario = doc_->scenario();  // a copy for the worker
  auto stands_for = doc_->path().toStdString();
  pool_.start([this, id, revision, scenario = std::move(scenario), stands_for = std::move(stands_for)] {
    if (!tracker_.is_current(id)) return;  // a newer edit came first: skip
    auto result = check_scenario(scenario, stands_for);
    if (!tracker_.is_current(id)) return;
    QMetaObject::invokeMethod(
        this,
        [this, id, revision, result = std::move(result)]() mutable {
          if (!tracker_.is_current(id) || !doc_->set_check(revision, std::move(result))) {
            ++dropped_;
            return;
          }
          ++delivered_;
          Q_EMIT checked(revision);
        },
        Qt::QueuedConnection);
  });
}

}  // namespace moeplan::gui
