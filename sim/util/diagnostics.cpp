#include "sim/util/diagnostics.h"

#include <fmt/format.h>

namespace moeplan {

std::string Diagnostic::to_string() const {
  std::string where = file;
  if (line > 0) where += fmt::format(":{}", line);
  if (!field.empty()) return fmt::format("{}: {}: {}", where, field, message);
  return fmt::format("{}: {}", where, message);
}

void Diagnostics::add(std::string file, int line, std::string field, std::string message) {
  items_.push_back({std::move(file), line, std::move(field), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string Diagnostics::to_string() const {
  std::string out;
  for (const auto& d : items_) out += "error: " + d.to_string() + "\n";
  return out;
}

void Diagnostics::throw_if_any() const {
  if (!items_.empty()) throw ConfigError(*this);
}

ConfigError::ConfigError(Diagnostics d)
    : std::runtime_error(d.to_string()), diagnostics_(std::move(d)) {}

}  // namespace moeplan
