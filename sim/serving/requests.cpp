#include "sim/serving/requests.h"

#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "sim/util/input_file.h"

namespace moeplan::serving {

double unit_interval(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

std::vector<Request> poisson_requests(const config::ServingTraffic& t) {
  std::vector<Request> out;
  std::mt19937_64 rng(t.seed);
  const int cached = std::min(t.prompt_tokens - 1, static_cast<int>(std::lround(t.cached_fraction * t.prompt_tokens)));
  double now = 0;
  while (true) {
    now += -std::log1p(-unit_interval(rng())) / t.rate_per_s;  // exponential gap
    if (now >= t.duration_s) break;
    out.push_back({now, t.prompt_tokens, t.output_tokens, std::max(0, cached)});
  }
  return out;
}

std::vector<Request> read_request_trace(const std::string& path) {
  const auto text = read_input_file(path, "request trace");
  std::vector<Request> out;
  std::size_t start = 0;
  int line_no = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      if (end == text.size()) break;
      continue;
    }
    auto fail = [&](const std::string& msg) {
      return std::runtime_error(fmt::format("{}:{}: {}", path, line_no, msg));
    };
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw fail(fmt::format("not a JSON object ({}); each line is {{\"arrival_s\": .., \"prompt_tokens\": .., "
                             "\"output_tokens\": .., \"cached_tokens\": ..}}", e.what()));
    }
    if (!j.is_object()) throw fail("not a JSON object");
    auto number = [&](const char* key, bool required, double lo, double hi) -> double {
      if (!j.contains(key)) {
        if (required) throw fail(fmt::format("{}: missing", key));
        return 0;
      }
      if (!j[key].is_number()) throw fail(fmt::format("{}: {} is not a number", key, j[key].dump()));
      const double v = j[key].get<double>();
      if (!(v >= lo && v <= hi)) throw fail(fmt::format("{}: {} is outside [{}, {}]", key, v, lo, hi));
      return v;
    };
    Request r;
    r.arrival_s = number("arrival_s", true, 0, 1e9);
    r.prompt_tokens = static_cast<int>(number("prompt_tokens", true, 1, 1 << 24));
    r.output_tokens = static_cast<int>(number("output_tokens", true, 1, 1 << 24));
    r.cached_tokens = static_cast<int>(number("cached_tokens", false, 0, r.prompt_tokens - 1));
    if (!out.empty() && r.arrival_s < out.back().arrival_s)
      throw fail(fmt::format("arrival_s: {} is before the previous line's {}; sort the trace by arrival", r.arrival_s,
                             out.back().arrival_s));
    out.push_back(r);
    if (end == text.size()) break;
  }
  if (out.empty()) throw std::runtime_error(fmt::format("{}: no requests (one JSON object per line)", path));
  return out;
}

std::vector<Request> traffic_requests(const config::ServingTraffic& t) {
  return t.arrivals == config::Arrivals::Trace ? read_request_trace(t.trace_file) : poisson_requests(t);
}

}  // namespace moeplan::serving
