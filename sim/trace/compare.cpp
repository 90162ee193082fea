#include "sim/trace/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <stdexcept>

#include "sim/util/input_file.h"

namespace moeplan::trace {

double KindComparison::relative_error() const {
  if (measured_s == 0) return simulated_s == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  return (simulated_s - measured_s) / measured_s;
}

double Comparison::step_relative_error() const {
  if (measured_step_s == 0) return simulated_step_s == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  return (simulated_step_s - measured_step_s) / measured_step_s;
}

Trace trace_from_json(const nlohmann::json& j, const program::Program& p, const std::string& origin) {
  if (!j.is_object() || !j.contains("schema") || j["schema"] != "moeplan-trace")
    throw std::runtime_error(fmt::format("{}: not a moeplan trace (expected \"schema\": \"moeplan-trace\"); "
                                         "write one with `moeplan-run --trace` or the simulator", origin));
  if (!j.contains("records") || !j["records"].is_array())
    throw std::runtime_error(fmt::format("{}: field \"records\" missing or not an array", origin));
  Trace t;
  auto text = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; };
  t.source = text("source");
  t.scenario = text("scenario");
  t.gpu = text("gpu");
  std::vector<bool> seen(p.ops.size(), false);
  std::size_t index = 0;
  for (const auto& r : j["records"]) {
    auto fail = [&](const std::string& why) {
      throw std::runtime_error(fmt::format("{}: records[{}]: {}", origin, index, why));
    };
    auto field = [&](const char* name) -> const nlohmann::json& {
      if (!r.is_object()) fail("not a JSON object");
      if (!r.contains(name)) fail(fmt::format("field \"{}\" missing", name));
      return r[name];
    };
    auto integer = [&](const char* name) {
      const auto& v = field(name);
      if (!v.is_number_integer() || v.get<long long>() < INT_MIN || v.get<long long>() > INT_MAX ||
          (v.is_number_unsigned() && v.get<unsigned long long>() > INT_MAX))
        fail(fmt::format("\"{}\": {} is not an integer", name, json_brief(v)));
      return static_cast<int>(v.get<long long>());
    };
    auto seconds = [&](const char* name) {
      const auto& v = field(name);
      if (!v.is_number() || !std::isfinite(v.get<double>()))
        fail(fmt::format("\"{}\": {} is not a time in seconds", name, json_brief(v)));
      return v.get<double>();
    };
    Record rec;
    rec.op = integer("op");
    if (rec.op < 0 || static_cast<std::size_t>(rec.op) >= p.ops.size())
      fail(fmt::format("op {} is not an op of the program (it has {} ops); was this trace written for another "
                       "program.json?", rec.op, p.ops.size()));
    if (seen[static_cast<std::size_t>(rec.op)]) fail(fmt::format("a second record of op {}; a trace has one per op", rec.op));
    seen[static_cast<std::size_t>(rec.op)] = true;
    rec.rank = integer("rank");
    const auto& stream = field("stream");
    if (!stream.is_string()) fail(fmt::format("\"stream\": {} is not a stream name", json_brief(stream)));
    try {
      rec.stream = program::parse_stream(stream.get<std::string>());
    } catch (const std::invalid_argument& e) {
      fail(e.what());
    }
    rec.start_s = seconds("start_s");
    rec.end_s = seconds("end_s");
    if (rec.end_s < rec.start_s)
      fail(fmt::format("end_s {} is before start_s {}; an op ends after it starts", rec.end_s, rec.start_s));
    if (r.contains("host_s")) {
      rec.host_s = seconds("host_s");
      if (rec.host_s < 0) fail(fmt::format("\"host_s\": {} is negative; a host enqueue time is at least 0", rec.host_s));
    }
    if (rec.rank != p.op(rec.op).rank)
      fail(fmt::format("op {} runs on rank {} in the program, not rank {}", rec.op, p.op(rec.op).rank, rec.rank));
    t.records.push_back(rec);
    ++index;
  }
  return t;
}

namespace {

// "H100" of "NVIDIA H100 80GB HBM3" and of "H100-SXM5": the first letter
// followed by three digits; empty when there is none.
std::string gpu_model(const std::string& name) {
  for (std::size_t i = 0; i + 3 < name.size(); ++i)
    if (std::isalpha(static_cast<unsigned char>(name[i])) && std::isdigit(static_cast<unsigned char>(name[i + 1])) &&
        std::isdigit(static_cast<unsigned char>(name[i + 2])) && std::isdigit(static_cast<unsigned char>(name[i + 3])))
      return name.substr(i, 4);
  return {};
}

}  // namespace

std::vector<std::string> provenance_warnings(const Trace& t, const program::Program& p, const std::string& gpu_name,
                                             const std::string& origin) {
  std::vector<std::string> out;
  if (!t.scenario.empty() && t.scenario != p.scenario)
    out.push_back(fmt::format("warning: {} was made for scenario \"{}\", the program is of \"{}\"; op ids may not "
                              "match", origin, t.scenario, p.scenario));
  const auto measured = gpu_model(t.gpu), modelled = gpu_model(gpu_name);
  if (!measured.empty() && !modelled.empty() && measured != modelled)
    out.push_back(fmt::format("warning: {} was measured on {} ({}), the cost model is of {} ({}); pass --hardware "
                              "with that GPU's file", origin, t.gpu, measured, gpu_name, modelled));
  return out;
}

nlohmann::json read_json_file(const std::string& path) {
  const auto text = read_input_file(path, "trace");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // syntax, or a number too large for a double
    throw std::runtime_error(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  return j;
}

Trace read_trace(const std::string& path, const program::Program& p) {
  auto t = trace_from_json(read_json_file(path), p, path);
  if (t.records.empty())
    throw std::runtime_error(fmt::format("{}: the trace has no records; nothing ran, or the run wrote none", path));
  return t;
}

std::string op_kind(const program::Op& op) {
  const auto part = std::string(program::to_string(op.part));
  return op.pass == program::Pass::None ? part : part + " " + std::string(program::to_string(op.pass));
}

bool counts_in_kind_time(const program::Op& op) { return op.type != program::OpType::Recv; }

namespace {

// Op id -> duration; NaN where the trace has no record of the op.
std::vector<double> durations_by_op(const program::Program& p, const Trace& t) {
  std::vector<double> d(p.ops.size(), std::numeric_limits<double>::quiet_NaN());
  for (const auto& r : t.records) d[static_cast<std::size_t>(r.op)] = r.duration_s();
  return d;
}

double step_span_s(const Trace& t) {
  if (t.records.empty()) return 0;
  double first = std::numeric_limits<double>::infinity(), last = -first;
  for (const auto& r : t.records) {
    first = std::min(first, r.start_s);
    last = std::max(last, r.end_s);
  }
  return last - first;
}

}  // namespace

Comparison compare_traces(const program::Program& p, const Trace& simulated, const Trace& measured) {
  const auto sim = durations_by_op(p, simulated);
  const auto meas = durations_by_op(p, measured);
  Comparison c;
  std::map<std::string, std::size_t> row_of_kind;
  for (const auto& op : p.ops) {
    const auto i = static_cast<std::size_t>(op.id);
    const bool in_sim = !std::isnan(sim[i]), in_meas = !std::isnan(meas[i]);
    if (in_sim != in_meas) ++c.unmatched_ops;
    if (!in_sim || !in_meas || !counts_in_kind_time(op)) continue;
    const auto kind = op_kind(op);
    auto [it, inserted] = row_of_kind.try_emplace(kind, c.kinds.size());
    if (inserted) {
      KindComparison row;
      row.kind = kind;
      c.kinds.push_back(row);
    }
    auto& row = c.kinds[it->second];
    ++row.ops;
    row.simulated_s += sim[i];
    row.measured_s += meas[i];
  }
  c.simulated_step_s = step_span_s(simulated);
  c.measured_step_s = step_span_s(measured);
  return c;
}

namespace {

// "+12.5%", or "n/a" where the measured side is zero (no finite relative error).
std::string percent(double relative) {
  return std::isfinite(relative) ? fmt::format("{:>+8.1f}%", 100 * relative) : fmt::format("{:>9}", "n/a");
}

}  // namespace

std::string format_comparison(const Comparison& c) {
  std::string out = fmt::format("{:<24} {:>5} {:>13} {:>13} {:>9}\n", "op kind", "ops", "simulated ms",
                                "measured ms", "error");
  for (const auto& k : c.kinds)
    out += fmt::format("{:<24} {:>5} {:>13.3f} {:>13.3f} {}\n", k.kind, k.ops, k.simulated_s * 1e3,
                       k.measured_s * 1e3, percent(k.relative_error()));
  out += fmt::format("{:<24} {:>5} {:>13.3f} {:>13.3f} {}\n", "step time", "", c.simulated_step_s * 1e3,
                     c.measured_step_s * 1e3, percent(c.step_relative_error()));
  if (c.unmatched_ops > 0)
    out += fmt::format("({} ops appear in only one trace and are left out of the rows above)\n", c.unmatched_ops);
  return out;
}

nlohmann::json to_json(const Comparison& c) {
  auto kinds = nlohmann::json::array();
  for (const auto& k : c.kinds)
    kinds.push_back({{"kind", k.kind},
                     {"ops", k.ops},
                     {"simulated_s", k.simulated_s},
                     {"measured_s", k.measured_s},
                     {"relative_error", k.relative_error()}});
  return {{"kinds", kinds},
          {"simulated_step_s", c.simulated_step_s},
          {"measured_step_s", c.measured_step_s},
          {"step_relative_error", c.step_relative_error()},
          {"unmatched_ops", c.unmatched_ops}};
}

}  // namespace moeplan::trace
