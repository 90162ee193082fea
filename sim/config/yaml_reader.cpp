#include "sim/config/yaml_reader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace moeplan::config {
namespace {

int line_of_node(const YAML::Node& n) { return n.IsDefined() ? n.Mark().line + 1 : 0; }

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

YamlReader::YamlReader(YAML::Node node, std::string file, std::string path, Diagnostics& diag)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)), diag_(diag) {}

bool YamlReader::has(const std::string& key) const { return node_.IsMap() && node_[key].IsDefined(); }

int YamlReader::line_of(const std::string& key) const {
  if (node_.IsMap() && node_[key].IsDefined()) return line_of_node(node_[key]);
  return line_of_node(node_);
}

std::string YamlReader::field(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void YamlReader::error(const std::string& key, const std::string& message) {
  diag_.add(file_, line_of(key), field(key), message);
}

YAML::Node YamlReader::raw(const std::string& key) {
  known_.insert(key);
  if (!node_.IsMap()) return YAML::Node();
  return node_[key];
}

std::optional<long long> YamlReader::integer(const std::string& key, bool required,
                                             long long min_value, long long max_value) {
  const auto n = raw(key);
  if (!n.IsDefined()) {
    if (required) error(key, fmt::format("missing; expected an integer in [{}, {}]", min_value, max_value));
    return std::nullopt;
  }
  long long v = 0;
  if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v)) {
    error(key, fmt::format("\"{}\" is not an integer; expected an integer in [{}, {}]",
                           n.IsScalar() ? n.Scalar() : "<non-scalar>", min_value, max_value));
    return std::nullopt;
  }
  if (v < min_value || v > max_value) {
    error(key, fmt::format("{} is out of range; expected an integer in [{}, {}]", v, min_value, max_value));
    return std::nullopt;
  }
  return v;
}

std::optional<double> YamlReader::number(const std::string& key, bool required, double min_value) {
  const auto n = raw(key);
  if (!n.IsDefined()) {
    if (required) error(key, fmt::format("missing; expected a number >= {}", min_value));
    return std::nullopt;
  }
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v)) {
    error(key, fmt::format("\"{}\" is not a number", n.IsScalar() ? n.Scalar() : "<non-scalar>"));
    return std::nullopt;
  }
  if (!std::isfinite(v) || v < min_value) {
    error(key, fmt::format("{} is out of range; expected a finite number >= {}", v, min_value));
    return std::nullopt;
  }
  return v;
}

std::optional<double> YamlReader::quantity(const std::string& key, Dimension d, bool required) {
  const auto n = raw(key);
  if (!n.IsDefined()) {
    if (required) error(key, fmt::format("missing; expected {} such as {}", to_string(d), examples(d)));
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    error(key, fmt::format("expected {} such as {}", to_string(d), examples(d)));
    return std::nullopt;
  }
  std::string why;
  auto v = parse_quantity(n.Scalar(), d, &why);
  if (!v) error(key, fmt::format("{}; expected {} such as {}", why, to_string(d), examples(d)));
  return v;
}

std::optional<std::string> YamlReader::text(const std::string& key, bool required,
                                            const std::vector<std::string>& choices) {
  const auto n = raw(key);
  const auto valid = choices.empty() ? std::string("a string")
                                     : fmt::format("one of {}", fmt::join(choices, ", "));
  if (!n.IsDefined()) {
    if (required) error(key, "missing; expected " + valid);
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    error(key, "expected " + valid);
    return std::nullopt;
  }
  const auto& s = n.Scalar();
  if (!choices.empty() && std::find(choices.begin(), choices.end(), s) == choices.end()) {
    error(key, fmt::format("\"{}\" is not valid; expected {}", s, valid));
    return std::nullopt;
  }
  return s;
}

std::optional<bool> YamlReader::flag(const std::string& key, bool required) {
  const auto n = raw(key);
  if (!n.IsDefined()) {
    if (required) error(key, "missing; expected true or false");
    return std::nullopt;
  }
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
    error(key, "expected true or false");
    return std::nullopt;
  }
  return v;
}

std::optional<std::vector<long long>> YamlReader::integer_list(const std::string& key, bool required) {
  const auto n = raw(key);
  if (!n.IsDefined()) {
    if (required) error(key, "missing; expected a list of integers such as [4, 4, 3]");
    return std::nullopt;
  }
  if (!n.IsSequence()) {
    error(key, "expected a list of integers such as [4, 4, 3]");
    return std::nullopt;
  }
  std::vector<long long> out;
  for (const auto& e : n) {
    long long v = 0;
    if (!e.IsScalar() || !YAML::convert<long long>::decode(e, v)) {
      diag_.add(file_, line_of_node(e), field(key), "list element is not an integer");
      return std::nullopt;
    }
    out.push_back(v);
  }
  return out;
}

YamlReader YamlReader::child(const std::string& key, bool required) {
  auto n = raw(key);
  if (!n.IsDefined()) {
    if (required) error(key, "missing section");
  } else if (!n.IsMap()) {
    error(key, "expected a mapping of fields (key: value)");
  }
  return YamlReader(n.IsMap() ? n : YAML::Node(), file_, field(key), diag_);
}

void YamlReader::finish() {
  if (!node_.IsMap()) return;
  for (const auto& kv : node_) {
    const auto key = kv.first.as<std::string>();
    if (known_.count(key)) continue;
    std::string best;
    std::size_t best_d = 4;
    for (const auto& k : known_) {
      const auto d = edit_distance(key, k);
      if (d < best_d) best_d = d, best = k;
    }
    std::vector<std::string> names(known_.begin(), known_.end());
    const auto hint = best.empty() ? fmt::format("known keys here: {}", fmt::join(names, ", "))
                                   : fmt::format("did you mean \"{}\"?", best);
    diag_.add(file_, line_of_node(kv.first), field(key), "unknown key; " + hint);
  }
}

std::optional<YAML::Node> load_yaml_file(const std::string& path, Diagnostics& diag) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    diag.add(path, 0, "", "file does not exist (check the path; relative paths inside a scenario "
                          "are resolved against the scenario's folder)");
    return std::nullopt;
  }
  if (!fs::is_regular_file(path, ec)) {
    diag.add(path, 0, "", "not a regular file");
    return std::nullopt;
  }
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::ParserException& e) {
    diag.add(path, e.mark.line + 1, "", "YAML syntax error: " + e.msg);
  } catch (const YAML::BadFile&) {
    diag.add(path, 0, "", "cannot be read (check its permissions)");
  }
  return std::nullopt;
}

std::optional<YAML::Node> load_yaml_text(const std::string& text, const std::string& path, Diagnostics& diag) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    diag.add(path, e.mark.line + 1, "", "YAML syntax error: " + e.msg);
  }
  return std::nullopt;
}

std::string resolve_path(const std::string& base_file, const std::string& relative) {
  namespace fs = std::filesystem;
  fs::path p(relative);
  if (p.is_absolute()) return p.string();
  return (fs::path(base_file).parent_path() / p).lexically_normal().string();
}

}  // namespace moeplan::config
