// Quantities with units, parsed from config strings such as "160 GB/s",
// "80 GiB", "989 TFLOPS", "3 us" or "400 Gb/s". Values are returned in SI base
// units: bytes, bytes per second, FLOP per second, seconds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace moeplan {

enum class Dimension { Bytes, BytesPerSecond, FlopsPerSecond, Seconds, Count };

std::string_view to_string(Dimension d);

// What a value of this dimension may look like, for error messages.
std::string_view examples(Dimension d);

// Parses "<number> <unit>" (space optional). Returns nullopt and sets `why`
// when the text is not a number followed by a unit of dimension `d`.
// A bare number is accepted only for Dimension::Count.
std::optional<double> parse_quantity(std::string_view text, Dimension d, std::string* why = nullptr);

// Human-readable formatting with SI prefixes ("49.9 GB/s", "3.2 ms").
std::string format_bytes(double bytes);
std::string format_rate(double bytes_per_s);
std::string format_flops(double flops_per_s);
std::string format_seconds(double s);

}  // namespace moeplan
