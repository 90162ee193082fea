#include "sim/trace/trace.h"

#include <fmt/format.h>
#include <fstream>
#include <stdexcept>

#include "sim/util/atomic_file.h"

namespace moeplan::trace {

std::string op_name(const program::Op& op) {
  using program::OpType;
  const auto mb = op.microbatch >= 0 ? fmt::format(" mb{}{}", op.microbatch, op.dir ? "'" : "") : std::string();
  const auto layer = op.layer >= 0 ? fmt::format("L{} ", op.layer) : std::string();
  const auto pass = op.pass != program::Pass::None ? fmt::format("{} ", program::to_string(op.pass)) : std::string();
  switch (op.type) {
    case OpType::Compute:
      return fmt::format("{}{}{}{}", layer, pass, program::to_string(op.part), mb);
    case OpType::Send:
      return fmt::format("send {}{} -> r{}", program::to_string(op.part), mb, op.peer);
    case OpType::Recv:
      return fmt::format("recv {}{} <- r{}", program::to_string(op.part), mb, op.peer);
    case OpType::Collective:
      return fmt::format("{}{}{} {}{}", layer, pass, program::to_string(op.part), program::to_string(op.collective), mb);
  }
  return "?";
}

nlohmann::json to_json(const Trace& t, const program::Program& p) {
  nlohmann::json j{{"schema", "moeplan-trace"}, {"version", 1}, {"source", t.source}, {"scenario", p.scenario}};
  auto& recs = j["records"] = nlohmann::json::array();
  for (const auto& r : t.records) {
    const auto& op = p.op(r.op);
    recs.push_back({{"op", r.op},
                    {"rank", r.rank},
                    {"stream", program::to_string(r.stream)},
                    {"type", program::to_string(op.type)},
                    {"part", program::to_string(op.part)},
                    {"start_s", r.start_s},
                    {"end_s", r.end_s},
                    {"bytes", op.bytes},
                    {"flops", op.flops}});
    if (r.host_s >= 0) recs.back()["host_s"] = r.host_s;
  }
  return j;
}

nlohmann::json to_chrome_trace(const Trace& t, const program::Program& p) {
  auto events = nlohmann::json::array();
  std::vector<bool> named(static_cast<std::size_t>(p.world_size), false);
  for (const auto& r : t.records) {
    const auto& op = p.op(r.op);
    if (!named[static_cast<std::size_t>(r.rank)]) {
      named[static_cast<std::size_t>(r.rank)] = true;
      events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", r.rank}, {"args", {{"name", fmt::format("rank {}", r.rank)}}}});
      for (int s = 0; s < program::kStreamCount; ++s)
        events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", r.rank}, {"tid", s},
                          {"args", {{"name", program::to_string(static_cast<program::Stream>(s))}}}});
    }
    events.push_back({{"ph", "X"},
                      {"name", op_name(op)},
                      {"cat", program::to_string(op.part)},
                      {"pid", r.rank},
                      {"tid", static_cast<int>(r.stream)},
                      {"ts", r.start_s * 1e6},
                      {"dur", r.duration_s() * 1e6},
                      {"args", {{"op", r.op}, {"bytes", op.bytes}, {"flops", op.flops}, {"layer", op.layer},
                                {"mb", op.microbatch}, {"pass", program::to_string(op.pass)}}}});
  }
  return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

void write_json(const nlohmann::json& j, const std::string& path) {
  write_file_atomically(path, [&](std::ostream& out) { out << j.dump() << '\n'; });
}

}  // namespace moeplan::trace
