#include "sim/util/units.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace moeplan {
namespace {

struct Unit {
  std::string_view symbol;
  double factor;
};

// Decimal and binary byte prefixes; "b" (lower case) means bits.
constexpr std::array kByteUnits{
    Unit{"B", 1.0},         Unit{"kB", 1e3},   Unit{"KB", 1e3},   Unit{"MB", 1e6},
    Unit{"GB", 1e9},        Unit{"TB", 1e12},  Unit{"KiB", 1024.0}, Unit{"MiB", 1048576.0},
    Unit{"GiB", 1073741824.0}, Unit{"TiB", 1099511627776.0}};
constexpr std::array kBitUnits{Unit{"b", 0.125},  Unit{"kb", 125.0}, Unit{"Kb", 125.0},
                               Unit{"Mb", 1.25e5}, Unit{"Gb", 1.25e8}, Unit{"Tb", 1.25e11}};
constexpr std::array kFlopUnits{Unit{"FLOPS", 1.0},    Unit{"KFLOPS", 1e3},  Unit{"MFLOPS", 1e6},
                                Unit{"GFLOPS", 1e9},   Unit{"TFLOPS", 1e12}, Unit{"PFLOPS", 1e15},
                                Unit{"FLOP/s", 1.0},   Unit{"GFLOP/s", 1e9}, Unit{"TFLOP/s", 1e12},
                                Unit{"PFLOP/s", 1e15}};
constexpr std::array kTimeUnits{Unit{"s", 1.0},  Unit{"ms", 1e-3}, Unit{"us", 1e-6},
                                Unit{"µs", 1e-6}, Unit{"ns", 1e-9}, Unit{"min", 60.0},
                                Unit{"h", 3600.0}};

template <std::size_t N>
std::optional<double> lookup(const std::array<Unit, N>& units, std::string_view sym) {
  for (const auto& u : units)
    if (u.symbol == sym) return u.factor;
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<double> unit_factor(std::string_view unit, Dimension d) {
  switch (d) {
    case Dimension::Bytes:
      return lookup(kByteUnits, unit);
    case Dimension::BytesPerSecond: {
      const auto slash = unit.find('/');
      if (slash == std::string_view::npos) {
        if (unit == "Gbps") return 1.25e8;
        if (unit == "GBps") return 1e9;
        return std::nullopt;
      }
      if (unit.substr(slash + 1) != "s") return std::nullopt;
      const auto num = unit.substr(0, slash);
      if (auto f = lookup(kByteUnits, num)) return f;
      return lookup(kBitUnits, num);
    }
    case Dimension::FlopsPerSecond:
      return lookup(kFlopUnits, unit);
    case Dimension::Seconds:
      return lookup(kTimeUnits, unit);
    case Dimension::Count:
      return unit.empty() ? std::optional<double>(1.0) : std::nullopt;
  }
  return std::nullopt;
}

std::string with_prefix(double v, std::string_view unit) {
  constexpr std::array<std::pair<double, const char*>, 5> prefixes{
      {{1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}}};
  for (const auto& [scale, p] : prefixes)
    if (std::abs(v) >= scale) return fmt::format("{:.3g} {}{}", v / scale, p, unit);
  return fmt::format("{:.3g} {}", v, unit);
}

}  // namespace

std::string_view to_string(Dimension d) {
  switch (d) {
    case Dimension::Bytes: return "a size in bytes";
    case Dimension::BytesPerSecond: return "a bandwidth";
    case Dimension::FlopsPerSecond: return "a compute rate";
    case Dimension::Seconds: return "a duration";
    case Dimension::Count: return "a number";
  }
  return "?";
}

std::string_view examples(Dimension d) {
  switch (d) {
    case Dimension::Bytes: return "\"80 GiB\", \"50 MB\", \"4096 B\"";
    case Dimension::BytesPerSecond: return "\"160 GB/s\", \"400 Gb/s\", \"3.35 TB/s\"";
    case Dimension::FlopsPerSecond: return "\"989 TFLOPS\", \"1979 TFLOP/s\"";
    case Dimension::Seconds: return "\"3 us\", \"1.5 ms\", \"2 s\"";
    case Dimension::Count: return "\"8\", \"2.5\"";
  }
  return "";
}

std::optional<double> parse_quantity(std::string_view text, Dimension d, std::string* why) {
  const auto s = trim(text);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end == s.data()) {
    if (why) *why = fmt::format("\"{}\" does not start with a number", s);
    return std::nullopt;
  }
  const auto unit = trim(std::string_view(end, static_cast<std::size_t>(s.data() + s.size() - end)));
  if (!std::isfinite(value) || value < 0) {
    if (why) *why = fmt::format("\"{}\" must be a finite, non-negative value", s);
    return std::nullopt;
  }
  const auto factor = unit_factor(unit, d);
  if (!factor) {
    if (why) {
      *why = unit.empty() ? fmt::format("\"{}\" has no unit", s)
                          : fmt::format("unit \"{}\" is not {}", unit, to_string(d));
    }
    return std::nullopt;
  }
  const double scaled = value * *factor;
  if (!std::isfinite(scaled)) {
    if (why) *why = fmt::format("\"{}\" is too large (it overflows a double)", s);
    return std::nullopt;
  }
  if (scaled == 0 && (d == Dimension::BytesPerSecond || d == Dimension::FlopsPerSecond)) {
    if (why) *why = fmt::format("\"{}\" must be greater than zero (at a rate of zero nothing ever finishes)", s);
    return std::nullopt;
  }
  return scaled;
}

std::string format_bytes(double bytes) { return with_prefix(bytes, "B"); }
std::string format_rate(double bytes_per_s) { return with_prefix(bytes_per_s, "B/s"); }
std::string format_flops(double flops_per_s) { return with_prefix(flops_per_s, "FLOP/s"); }
std::string format_seconds(double s) {
  if (s >= 1.0) return fmt::format("{:.4g} s", s);
  if (s >= 1e-3) return fmt::format("{:.4g} ms", s * 1e3);
  if (s >= 1e-6) return fmt::format("{:.4g} us", s * 1e6);
  return fmt::format("{:.4g} ns", s * 1e9);
}

}  // namespace moeplan
