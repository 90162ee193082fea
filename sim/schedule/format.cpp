#include "sim/schedule/format.h"

#include <fmt/format.h>

namespace moeplan::schedule {

namespace {

// The pass suffix of the text notation: mb, then a prime for direction 1, then
// the chunk where the schedule has chunks that the direction does not imply.
std::string pass_label(const PassRef& p, bool show_chunk) {
  std::string s = std::to_string(p.mb);
  if (p.dir == 1) s += '\'';
  if (show_chunk || p.chunk != p.dir) s += fmt::format("c{}", p.chunk);
  return s;
}

std::string pass_trace_name(const Schedule& s, const PassRef& p) {
  if (s.kind == Kind::Interleaved) return fmt::format("mb{} chunk{}", p.mb, p.chunk);
  return fmt::format("mb{} dir{}", p.mb, p.dir);
}

nlohmann::json pass_json(const PassRef& p) {
  return {{"dir", p.dir}, {"mb", p.mb}, {"chunk", p.chunk}};
}

std::string trace_name(const Schedule& s, const ScheduleOp& op, const OpTiming& t) {
  switch (op.kind) {
    case OpKind::F: return "F " + pass_trace_name(s, op.pass);
    case OpKind::B: return "B " + pass_trace_name(s, op.pass);
    case OpKind::Bi: return "Bi " + pass_trace_name(s, op.pass);
    case OpKind::W: return "W " + pass_trace_name(s, t.w_pass);
    case OpKind::FB:
      return fmt::format("F {} & {} {}", pass_trace_name(s, op.f), op.full_b ? "B" : "Bi",
                         pass_trace_name(s, op.b));
  }
  return "?";
}

}  // namespace

std::string op_label(const ScheduleOp& op, bool show_chunk) {
  switch (op.kind) {
    case OpKind::F: return "F" + pass_label(op.pass, show_chunk);
    case OpKind::B: return "B" + pass_label(op.pass, show_chunk);
    case OpKind::Bi: return "Bi" + pass_label(op.pass, show_chunk);
    case OpKind::W: return "W";
    case OpKind::FB:
      return "F" + pass_label(op.f, show_chunk) + (op.full_b ? "&B" : "&Bi") + pass_label(op.b, show_chunk);
  }
  return "?";
}

std::string to_text(const Schedule& s) {
  std::string text;
  for (std::size_t r = 0; r < s.ranks.size(); ++r) {
    text += fmt::format("rank {}:", r);
    for (const ScheduleOp& op : s.ranks[r]) text += " " + op_label(op, s.kind == Kind::Interleaved);
    text += '\n';
  }
  return text;
}

nlohmann::json to_json(const Schedule& s) {
  nlohmann::json ranks = nlohmann::json::array();
  for (std::size_t r = 0; r < s.ranks.size(); ++r) {
    nlohmann::json ops = nlohmann::json::array();
    for (const ScheduleOp& op : s.ranks[r]) {
      nlohmann::json j = {{"op", to_string(op.kind)}};
      if (op.kind == OpKind::FB) {
        j["f"] = pass_json(op.f);
        j["b"] = pass_json(op.b);
        j["full_b"] = op.full_b;
      } else if (op.kind != OpKind::W) {
        j.update(pass_json(op.pass));
      }
      ops.push_back(std::move(j));
    }
    ranks.push_back({{"rank", r}, {"ops", std::move(ops)}});
  }
  return {{"schedule", to_string(s.kind)},
          {"pp", s.pp},
          {"microbatches", s.microbatches},
          {"chunks", s.chunks},
          {"ranks", std::move(ranks)}};
}

nlohmann::json to_chrome_trace(const Schedule& s, const Timeline& t) {
  constexpr double us_per_s = 1e6;
  nlohmann::json events = nlohmann::json::array();
  for (std::size_t r = 0; r < s.ranks.size() && r < t.ops.size(); ++r) {
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", r}, {"tid", 0},
                      {"args", {{"name", fmt::format("rank {}", r)}}}});
    events.push_back({{"name", "process_sort_index"}, {"ph", "M"}, {"pid", r}, {"tid", 0},
                      {"args", {{"sort_index", r}}}});
    // Only the ops that ran have a timing (a deadlocked timeline stops early).
    for (std::size_t i = 0; i < t.ops[r].size(); ++i) {
      const ScheduleOp& op = s.ranks[r][i];
      const OpTiming& ot = t.ops[r][i];
      events.push_back({{"name", trace_name(s, op, ot)},
                        {"cat", to_string(op.kind)},
                        {"ph", "X"},
                        {"pid", r},
                        {"tid", 0},
                        {"ts", ot.start_s * us_per_s},
                        {"dur", (ot.end_s - ot.start_s) * us_per_s},
                        {"args", {{"op_index", i}, {"label", op_label(op, s.kind == Kind::Interleaved)}}}});
    }
  }
  return {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
}

}  // namespace moeplan::schedule
