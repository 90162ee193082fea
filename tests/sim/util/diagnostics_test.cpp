#include "sim/util/diagnostics.h"

#include <gtest/gtest.h>

#include <string>

namespace moeplan {
namespace {

TEST(Diagnostics, ShowsControlCharactersOfAnEchoedValueEscaped) {
  Diagnostics d;
  d.add("f.yaml", 3, "generator", std::string("\"fat\0tree\x1b[2J\" is not valid", 27));
  const auto text = d.to_string();
  EXPECT_NE(text.find("fat\\x00tree\\x1b[2J"), std::string::npos) << text;
  EXPECT_EQ(text.find('\0'), std::string::npos);
}

}  // namespace
}  // namespace moeplan
