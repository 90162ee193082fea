// RFC 4180 fields on one line: quoted when they hold a comma, a quote or a
// line break (line breaks are written as spaces: one record is one line).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moeplan {

std::string csv_field(std::string_view text);
std::string csv_line(const std::vector<std::string>& fields);  // with the trailing newline
// Splits one line (no trailing newline); nullopt when a quote is left open.
std::optional<std::vector<std::string>> split_csv_line(std::string_view line);

}  // namespace moeplan
