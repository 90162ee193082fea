#include "sim/moe/load_stats.h"

#include <gtest/gtest.h>

#include "tests/sim/test_paths.h"

namespace moeplan::moe {
namespace {

const std::vector<std::vector<double>> kExample = {{90, 10, 40, 40, 20, 20, 5, 5}, {3, 3, 3, 3, 12, 0, 0, 0}};

bool mentions(const Diagnostics& diag, const std::string& text) {
  return diag.to_string().find(text) != std::string::npos;
}

TEST(LoadStats, ReadsTheJsonLayersForm) {
  Diagnostics diag;
  const auto stats = read_load_stats(test::source_path("tests/data/moe/example-2layer.json"), diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();
  EXPECT_EQ(stats.tokens, kExample);
  EXPECT_EQ(stats.layers(), 2);
  EXPECT_EQ(stats.experts(), 8);
}

TEST(LoadStats, ReadsCsvWithAHeaderLikeTheJson) {
  Diagnostics diag;
  const auto stats = read_load_stats(test::source_path("tests/data/moe/example-2layer.csv"), diag);
  ASSERT_TRUE(diag.empty()) << diag.to_string();
  EXPECT_EQ(stats.tokens, kExample);
}

TEST(LoadStats, ReadsABareArrayOfRowsAndCsvWithoutHeader) {
  Diagnostics diag;
  EXPECT_EQ(parse_load_stats("[[1, 2.5], [0, 4]]", "x.json", diag).tokens,
            (std::vector<std::vector<double>>{{1, 2.5}, {0, 4}}));
  EXPECT_EQ(parse_load_stats("1, 2.5\r\n\n0,4\n", "x.csv", diag).tokens,
            (std::vector<std::vector<double>>{{1, 2.5}, {0, 4}}));
  EXPECT_TRUE(diag.empty()) << diag.to_string();
}

TEST(LoadStats, RaggedCsvRowNamesTheFileLineAndRow) {
  Diagnostics diag;
  const auto path = test::source_path("tests/data/moe/ragged.csv");
  const auto stats = read_load_stats(path, diag);
  EXPECT_EQ(stats.layers(), 0);
  ASSERT_EQ(diag.size(), 1u) << diag.to_string();
  const auto& d = diag.items().front();
  EXPECT_EQ(d.file, path);
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.field, "row 2");
  EXPECT_NE(d.message.find("7 counts but row 1 has 8"), std::string::npos) << d.message;
}

TEST(LoadStats, NegativeJsonCountNamesTheFileLineRowAndExpert) {
  Diagnostics diag;
  const auto path = test::source_path("tests/data/moe/negative.json");
  read_load_stats(path, diag);
  ASSERT_EQ(diag.size(), 1u) << diag.to_string();
  const auto& d = diag.items().front();
  EXPECT_EQ(d.file, path);
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.field, "layers[1][2] (row 2, expert 2)");
  EXPECT_NE(d.message.find("-3 is negative"), std::string::npos) << d.message;
}

TEST(LoadStats, NonNumbersAreReportedWithTheirRowAndColumn) {
  Diagnostics csv;
  parse_load_stats("1,2,3\n4,five,6\n", "load.csv", csv);
  EXPECT_TRUE(mentions(csv, "load.csv:2: row 2, column 2: \"five\" is not a number")) << csv.to_string();

  Diagnostics json;
  parse_load_stats("[[1, 2], [\"3\", 4]]", "load.json", json);
  EXPECT_TRUE(mentions(json, "load.json:1: [1][0] (row 2, expert 0): \"3\" is not a number")) << json.to_string();
}

TEST(LoadStats, RaggedJsonRowIsReported) {
  Diagnostics diag;
  parse_load_stats("{\"layers\": [[1, 2, 3],\n [4, 5]]}", "l.json", diag);
  EXPECT_TRUE(mentions(diag, "l.json:2: layers[1] (row 2): row has 2 counts but row 1 has 3")) << diag.to_string();
}

TEST(LoadStats, MissingFileAndSyntaxErrorsAreReported) {
  Diagnostics missing;
  read_load_stats("/nonexistent/load.json", missing);
  EXPECT_TRUE(mentions(missing, "/nonexistent/load.json")) << missing.to_string();
  EXPECT_TRUE(mentions(missing, "does not exist")) << missing.to_string();

  Diagnostics syntax;
  parse_load_stats("{\"layers\": [[1, 2],\n [3, 4]\n", "s.json", syntax);
  EXPECT_TRUE(mentions(syntax, "s.json:3")) << syntax.to_string();
  EXPECT_TRUE(mentions(syntax, "JSON syntax error")) << syntax.to_string();

  Diagnostics empty;
  parse_load_stats("  \n", "e.csv", empty);
  EXPECT_TRUE(mentions(empty, "file is empty")) << empty.to_string();
}

// A cell nested 100,000 arrays deep is named, not printed (printing recursed
// once per level and overflowed the stack).
TEST(LoadStats, ReportsADeeplyNestedCellWithoutOverflowingTheStack) {
  Diagnostics diag;
  const auto deep = std::string(100000, '[') + std::string(100000, ']');
  parse_load_stats("[[1, " + deep + "]]", "x.json", diag);
  EXPECT_NE(diag.to_string().find("an array of 1 entry is not a number"), std::string::npos) << diag.to_string();
}

}  // namespace
}  // namespace moeplan::moe
