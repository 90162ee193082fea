#include "planner_gui/jobs/trace_parse_job.h"

#include <QMetaObject>

namespace moeplan::gui {

TraceParseJob::TraceParseJob(QObject* parent) : QObject(parent) { pool_.setMaxThreadCount(1); }

TraceParseJob::~TraceParseJob() {
  tracker_.invalidate();
  pool_.waitForDone();
}

void TraceParseJob::start(nlohmann::json chrome_trace, const QString& source) {
  const auto id = tracker_.next();
  auto trace = std::make_shared<nlohmann::json>(std::move(chrome_trace));
  pool_.start([this, id, trace, source] {
    if (!tracker_.is_current(id)) return;
    std::shared_ptr<const TimelineData> data;
    QString error;
    try {
      data = std::make_shared<const TimelineData>(TimelineData::from_chrome_trace(*trace));
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(
        this,
        [this, id, data, source, error] {
          if (!tracker_.is_current(id)) return;
          if (data) Q_EMIT parsed(data, source);
          else Q_EMIT failed(error);
        },
        Qt::QueuedConnection);
  });
}

}  // namespace moeplan::gui
