// User-input errors collected while reading a file, reported all at once.
// Each names the file, the line, the field, what is wrong and what is valid.
// (Broken internal invariants are not diagnostics: see sim/util/check.h.)
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace moeplan {

struct Diagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  std::string field;  // dotted path, e.g. "plan.pp"
  std::string message;
  std::string to_string() const;
};

class Diagnostics {
 public:
  void add(std::string file, int line, std::string field, std::string message);
  void append(const Diagnostics& other);
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  std::string to_string() const;  // one line per diagnostic
  // Throws ConfigError when any diagnostic was collected.
  void throw_if_any() const;

 private:
  std::vector<Diagnostic> items_;
};

// `text` with control characters (a NUL, an escape) shown as \xNN, so that a
// message echoing a bad value stays one readable line on a terminal.
std::string printable(std::string_view text);

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(Diagnostics d);
  const Diagnostics& diagnostics() const { return diagnostics_; }

 private:
  Diagnostics diagnostics_;
};

}  // namespace moeplan
