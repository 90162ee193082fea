#include "sim/util/diagnostics.h"

#include <fmt/format.h>

namespace moeplan {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out += c;
  }
  return out;
}

std::string Diagnostic::to_string() const {
  std::string where = printable(file);
  if (line > 0) where += fmt::format(":{}", line);
  if (!field.empty()) return fmt::format("{}: {}: {}", where, printable(field), printable(message));
  return fmt::format("{}: {}", where, printable(message));
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
