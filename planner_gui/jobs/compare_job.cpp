#include "planner_gui/jobs/compare_job.h"

#include <QFile>

namespace moeplan::gui {

void CompareJob::start(const QString& program, const QString& measured, const QString& calibration) {
  begin();
  comparison_ = nullptr;
  QStringList args{program, measured, "--json", output_path("comparison.json")};
  if (!calibration.isEmpty()) args << "--calibration" << calibration;
  launch(args);
}

QString CompareJob::take_result() {
  QFile f(output_path("comparison.json"));
  try {
    if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error("moeplan compare wrote no comparison");
    comparison_ = nlohmann::json::parse(f.readAll().toStdString());
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace moeplan::gui
