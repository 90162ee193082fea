#include "planner_gui/widgets/about.h"

#include <QObject>
#include <QtGlobal>
#include <boost/version.hpp>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "sim/runner/simulation_job.h"

namespace moeplan::gui {

QString about_text() {
  return QObject::tr("<h3>moeplan-gui %1</h3>"
                     "<p>The desktop front end of moeplan, a planner for mixture-of-experts training on GPU "
                     "clusters. Every number shown comes from the moeplan core; simulations run in a child "
                     "<code>moeplan</code> process (%2).</p>"
                     "<p>Qt %3 (built with %4), Boost %5.%6, nlohmann-json %7.%8.%9, C++ %10.</p>")
      .arg(QStringLiteral(MOEPLAN_VERSION))
      .arg(QString::fromStdString(runner::default_moeplan_executable()).toHtmlEscaped())
      .arg(QString::fromLatin1(qVersion()))
      .arg(QStringLiteral(QT_VERSION_STR))
      .arg(BOOST_VERSION / 100000)
      .arg(BOOST_VERSION / 100 % 1000)
      .arg(NLOHMANN_JSON_VERSION_MAJOR)
      .arg(NLOHMANN_JSON_VERSION_MINOR)
      .arg(NLOHMANN_JSON_VERSION_PATCH)
      .arg(__cplusplus);
}

}  // namespace moeplan::gui
