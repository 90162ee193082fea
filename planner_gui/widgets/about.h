// The About box text: moeplan's version and the libraries it was built with.
#pragma once

#include <QString>

namespace moeplan::gui {

QString about_text();

}  // namespace moeplan::gui
