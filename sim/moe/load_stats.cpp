#include "sim/moe/load_stats.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/util/input_file.h"

namespace moeplan::moe {
namespace {

constexpr const char* kShapeHint =
    "expected {\"layers\": [[c0, c1, ...], ...]} or [[c0, c1, ...], ...] with one row per MoE layer";

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return std::string(s.substr(first, last - first + 1));
}

bool parse_number(const std::string& field, double& out) {
  if (field.empty()) return false;
  const char* begin = field.data();
  if (*begin == '+') ++begin;
  const auto [end, ec] = std::from_chars(begin, field.data() + field.size(), out);
  return ec == std::errc() && end == field.data() + field.size();
}

// 1-based line of each row's opening bracket, for JSON messages. Rows are the
// arrays nested directly in the outermost array (bare form) or in the array
// that is the value of the top-level object (the "layers" form).
std::vector<int> json_row_lines(const std::string& text) {
  std::vector<int> lines;
  std::vector<char> stack;
  int line = 1;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      const bool row = c == '[' && !stack.empty() && stack.back() == '[' &&
                       (stack.size() == 1 || (stack.size() == 2 && stack.front() == '{'));
      if (row) lines.push_back(line);
      stack.push_back(c);
    } else if ((c == '}' || c == ']') && !stack.empty()) {
      stack.pop_back();
    }
  }
  return lines;
}

// Checks one row against the first and stores it; reports every bad value.
struct RowCollector {
  const std::string& file;
  Diagnostics& diag;
  LoadStats& stats;
  int bad = 0;

  void value(int line, const std::string& where, double v) {
    if (!std::isfinite(v)) {
      diag.add(file, line, where, fmt::format("{} is not a finite token count; counts must be numbers >= 0", v));
      ++bad;
    } else if (v < 0) {
      diag.add(file, line, where, fmt::format("{} is negative; token counts must be >= 0", v));
      ++bad;
    }
  }
  void row(int line, const std::string& where, std::vector<double> counts) {
    if (counts.empty()) {
      diag.add(file, line, where, "row is empty; expected one token count per logical expert");
      ++bad;
    } else if (!stats.tokens.empty() && counts.size() != stats.tokens.front().size()) {
      diag.add(file, line, where,
               fmt::format("row has {} counts but row 1 has {}; every layer needs one count per expert "
                           "(ragged rows)",
                           counts.size(), stats.tokens.front().size()));
      ++bad;
    }
    stats.tokens.push_back(std::move(counts));
  }
};

LoadStats parse_json(const std::string& text, const std::string& file, Diagnostics& diag) {
  LoadStats stats;
  stats.file = file;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const auto upto = std::min<std::size_t>(e.byte, text.size());
    const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(upto), '\n'));
    diag.add(file, line, "", fmt::format("JSON syntax error: {}", e.what()));
    return stats;
  } catch (const nlohmann::json::exception& e) {  // a number too large for a double
    diag.add(file, 0, "", fmt::format("JSON the reader cannot hold: {}", e.what()));
    return stats;
  }
  const nlohmann::json* rows = &doc;
  std::string prefix;
  if (doc.is_object()) {
    if (!doc.contains("layers")) {
      diag.add(file, 1, "layers", std::string("missing; ") + kShapeHint);
      return stats;
    }
    rows = &doc["layers"];
    prefix = "layers";
  }
  if (!rows->is_array() || rows->empty()) {
    diag.add(file, 1, prefix, std::string("not a non-empty array of rows; ") + kShapeHint);
    return stats;
  }
  const auto lines = json_row_lines(text);
  RowCollector collect{file, diag, stats};
  for (std::size_t r = 0; r < rows->size(); ++r) {
    const int line = r < lines.size() ? lines[r] : 0;
    const auto where = fmt::format("{}[{}] (row {})", prefix, r, r + 1);
    const auto& row = (*rows)[r];
    if (!row.is_array()) {
      diag.add(file, line, where, std::string("is not an array of token counts; ") + kShapeHint);
      ++collect.bad;
      continue;
    }
    std::vector<double> counts;
    for (std::size_t e = 0; e < row.size(); ++e) {
      const auto cell = fmt::format("{}[{}][{}] (row {}, expert {})", prefix, r, e, r + 1, e);
      if (!row[e].is_number()) {
        diag.add(file, line, cell, fmt::format("{} is not a number; token counts must be numbers >= 0", json_brief(row[e])));
        ++collect.bad;
        counts.push_back(0);
        continue;
      }
      const double v = row[e].get<double>();
      collect.value(line, cell, v);
      counts.push_back(v);
    }
    collect.row(line, where, std::move(counts));
  }
  if (collect.bad) stats.tokens.clear();
  return stats;
}

LoadStats parse_csv(const std::string& text, const std::string& file, Diagnostics& diag) {
  LoadStats stats;
  stats.file = file;
  RowCollector collect{file, diag, stats};
  std::istringstream in(text);
  std::string raw;
  int line = 0;
  bool first_content = true;
  while (std::getline(in, raw)) {
    ++line;
    const auto content = trim(raw);
    if (content.empty() || content.front() == '#') continue;
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
      const auto comma = content.find(',', start);
      fields.push_back(trim(std::string_view(content).substr(start, comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    std::vector<double> counts(fields.size());
    std::vector<bool> ok(fields.size());
    bool all_numbers = true;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      ok[i] = parse_number(fields[i], counts[i]);
      all_numbers = all_numbers && ok[i];
    }
    const bool header = first_content && !all_numbers;
    first_content = false;
    if (header) continue;
    const int row = stats.layers() + 1;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto cell = fmt::format("row {}, column {}", row, i + 1);
      if (!ok[i]) {
        diag.add(file, line, cell,
                 fields[i].empty() ? std::string("empty field; expected a token count >= 0 (no trailing comma)")
                                   : fmt::format("\"{}\" is not a number; token counts must be numbers >= 0", fields[i]));
        ++collect.bad;
      } else {
        collect.value(line, cell, counts[i]);
      }
    }
    collect.row(line, fmt::format("row {}", row), std::move(counts));
  }
  if (stats.tokens.empty() && !collect.bad)
    diag.add(file, 0, "", "no rows of token counts; expected one comma-separated row per MoE layer");
  if (collect.bad) stats.tokens.clear();
  return stats;
}

}  // namespace

LoadStats parse_load_stats(const std::string& text, const std::string& file, Diagnostics& diag) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    diag.add(file, 0, "", "file is empty; expected JSON rows ({\"layers\": [[...], ...]}) or CSV rows of token counts");
    LoadStats empty;
    empty.file = file;
    return empty;
  }
  if (text[first] == '{' || text[first] == '[') return parse_json(text, file, diag);
  return parse_csv(text, file, diag);
}

LoadStats read_load_stats(const std::string& path, Diagnostics& diag) {
  namespace fs = std::filesystem;
  LoadStats empty;
  empty.file = path;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    diag.add(path, 0, "", "load file does not exist (check the path; relative paths in a scenario are "
                          "resolved against the scenario's folder)");
    return empty;
  }
  if (!fs::is_regular_file(path, ec)) {
    diag.add(path, 0, "", "load file is not a regular file");
    return empty;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diag.add(path, 0, "", "load file cannot be opened for reading (check its permissions)");
    return empty;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_load_stats(text.str(), path, diag);
}

}  // namespace moeplan::moe
