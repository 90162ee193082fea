// Reads one YAML mapping field by field, collecting every problem (missing
// field, wrong type, wrong unit, out of range, unknown key) as a Diagnostic
// with file, line and dotted field path, instead of stopping at the first.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

#include "sim/util/diagnostics.h"
#include "sim/util/units.h"

namespace moeplan::config {

class YamlReader {
 public:
  YamlReader(YAML::Node node, std::string file, std::string path, Diagnostics& diag);

  bool valid() const { return node_.IsMap(); }
  bool has(const std::string& key) const;
  int line_of(const std::string& key) const;  // 1-based line of the key's value (or the map)
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  std::string field(const std::string& key) const;  // dotted path
  Diagnostics& diagnostics() { return diag_; }

  // Each getter marks `key` as known. `required` getters report a missing key.
  std::optional<long long> integer(const std::string& key, bool required, long long min_value,
                                   long long max_value);
  std::optional<double> number(const std::string& key, bool required, double min_value);
  std::optional<double> quantity(const std::string& key, Dimension d, bool required);
  std::optional<std::string> text(const std::string& key, bool required,
                                  const std::vector<std::string>& choices = {});
  std::optional<bool> flag(const std::string& key, bool required);
  std::optional<std::vector<long long>> integer_list(const std::string& key, bool required);
  YAML::Node raw(const std::string& key);  // marks known; may be undefined
  YamlReader child(const std::string& key, bool required);

  // Reports every key present in the map that no getter asked for, with the
  // closest known key as a suggestion. Call once after reading all fields.
  void finish();

  void error(const std::string& key, const std::string& message);

 private:
  YAML::Node node_;
  std::string file_;
  std::string path_;
  Diagnostics& diag_;
  std::set<std::string> known_;
};

// Loads a YAML file; reports an unreadable file or a syntax error as a diagnostic.
std::optional<YAML::Node> load_yaml_file(const std::string& path, Diagnostics& diag);

// Parses YAML text; `path` names it in a syntax error.
std::optional<YAML::Node> load_yaml_text(const std::string& text, const std::string& path, Diagnostics& diag);

// Resolves `relative` against the folder of `base_file` (absolute paths kept).
std::string resolve_path(const std::string& base_file, const std::string& relative);

}  // namespace moeplan::config
