#include "sim/sweep/sweep_spec.h"

#include <cmath>
#include <filesystem>
#include <set>
#include <fmt/format.h>

#include "sim/config/scenario.h"
#include "sim/config/yaml_reader.h"
#include "sim/sweep/configurations.h"

namespace moeplan::sweep {
namespace {

int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::string head_of(const std::string& field) { return field.substr(0, field.find('.')); }

// `{from, to, step}`: from, from + step, ... up to `to` inclusive.
std::optional<std::vector<YAML::Node>> read_range(const YAML::Node& n, const std::string& file,
                                                  const std::string& field, Diagnostics& diag) {
  config::YamlReader r(n, file, field, diag);
  const auto from = r.number("from", true, -1e300), to = r.number("to", true, -1e300);
  const auto step = r.number("step", false, 0).value_or(1.0);
  r.finish();
  if (!from || !to) return std::nullopt;
  if (step <= 0 || *to < *from || (*to - *from) / step > 1e6) {
    diag.add(file, line_of(n), field, fmt::format("a range needs from <= to and a step > 0 giving at most 1e6 "
                                                  "values (from {} to {} step {})", *from, *to, step));
    return std::nullopt;
  }
  const bool integral = *from == std::floor(*from) && step == std::floor(step);
  std::vector<YAML::Node> values;
  for (double v = *from; v <= *to + 1e-9 * step; v += step)
    values.emplace_back(integral ? fmt::format("{}", static_cast<long long>(std::llround(v))) : fmt::format("{}", v));
  return values;
}

// One axis field's values: a sequence, or a range.
std::optional<std::vector<YAML::Node>> read_values(const YAML::Node& n, const std::string& file,
                                                   const std::string& field, Diagnostics& diag) {
  if (n.IsMap()) return read_range(n, file, field, diag);
  if (!n.IsSequence() || n.size() == 0) {
    diag.add(file, line_of(n), field, "an axis is a non-empty list of values or a range {from, to, step}");
    return std::nullopt;
  }
  std::vector<YAML::Node> values;
  for (const auto& v : n) values.push_back(YAML::Clone(v));
  return values;
}

std::optional<Axis> read_zip(const YAML::Node& group, const std::string& file, Diagnostics& diag) {
  Axis a;
  a.line = line_of(group);
  if (!group.IsMap() || group.size() == 0) {
    diag.add(file, a.line, "zip", "each zip entry is a mapping of fields to lists of equal length");
    return std::nullopt;
  }
  std::vector<std::vector<YAML::Node>> columns;
  for (const auto& kv : group) {
    const auto field = kv.first.as<std::string>();
    auto values = read_values(kv.second, file, field, diag);
    if (!values) return std::nullopt;
    if (!columns.empty() && values->size() != columns.front().size()) {
      diag.add(file, line_of(kv.first), field,
               fmt::format("{} values, but {} has {}: zipped fields advance together and need as many values each",
                           values->size(), a.fields.front(), columns.front().size()));
      return std::nullopt;
    }
    a.fields.push_back(field);
    columns.push_back(std::move(*values));
  }
  for (std::size_t i = 0; i < columns.front().size(); ++i) {
    a.values.emplace_back();
    for (const auto& c : columns) a.values.back().push_back(c[i]);
  }
  return a;
}

std::optional<Condition> read_condition(const YAML::Node& n, const std::string& file, Diagnostics& diag) {
  Condition c;
  c.line = line_of(n);
  config::YamlReader r(n, file, "where", diag);
  if (!r.valid()) {
    diag.add(file, c.line, "where", "each condition is a mapping: {field: plan.pp, min: 4, max: 32, in: [...], not_in: [...]}");
    return std::nullopt;
  }
  c.field = r.text("field", true).value_or("");
  c.min = r.number("min", false, -1e300);
  c.max = r.number("max", false, -1e300);
  for (auto [key, list] : {std::pair{"in", &c.in}, std::pair{"not_in", &c.not_in}}) {
    const auto v = r.raw(key);
    if (!v.IsDefined()) continue;
    if (!v.IsSequence()) {
      r.error(key, "a list of values");
      continue;
    }
    for (const auto& x : v) list->push_back(x.IsScalar() ? x.Scalar() : YAML::Dump(x));
  }
  r.finish();
  if (!c.min && !c.max && c.in.empty() && c.not_in.empty())
    diag.add(file, c.line, "where", "a condition needs at least one of min, max, in, not_in");
  return c;
}

// Reads the file a base section names into the base, so axes can reach into it.
void inline_section(SweepSpec& s, const std::string& section, int line, Diagnostics& diag) {
  auto node = s.base[section];
  if (!node.IsDefined() || !node.IsScalar()) return;
  if (section == "model") {
    diag.add(s.path, line, section,
             fmt::format("the base scenario's model is a HuggingFace config file ({}); axes over model fields need "
                         "the model inline in the base scenario", node.Scalar()));
    return;
  }
  const auto file = config::resolve_path(s.base_path, node.Scalar());
  Diagnostics local;
  const auto content = config::load_yaml_file(file, local);
  if (!content) {
    diag.append(local);
    return;
  }
  s.base[section] = *content;
}

}  // namespace

std::string_view to_string(Tier t) {
  switch (t) {
    case Tier::Analytic: return "analytic";
    case Tier::Des: return "des";
    case Tier::Both: return "both";
  }
  return "analytic";
}

std::vector<std::string> SweepSpec::fields() const {
  std::vector<std::string> out;
  for (const auto& a : axes) out.insert(out.end(), a.fields.begin(), a.fields.end());
  return out;
}

std::size_t SweepSpec::combinations() const {
  std::size_t n = 1;
  for (const auto& a : axes) n *= a.size();
  return n;
}

std::optional<SweepSpec> load_sweep_spec(const std::string& path, Diagnostics& diag) {
  const auto before = diag.size();
  const auto root = config::load_yaml_file(path, diag);
  if (!root) return std::nullopt;
  SweepSpec s;
  s.path = path;
  config::YamlReader r(*root, path, "", diag);
  if (!r.valid()) {
    diag.add(path, 1, "", "a sweep is a YAML mapping with base, axes and optionally zip, where, tier, unset");
    return std::nullopt;
  }
  s.name = r.text("name", false).value_or(std::filesystem::path(path).stem().string());
  r.text("description", false);
  if (const auto base = r.text("base", true)) s.base_path = config::resolve_path(path, *base);
  const auto tier = r.text("tier", false, {"analytic", "des", "both"}).value_or("analytic");
  s.tier = tier == "des" ? Tier::Des : tier == "both" ? Tier::Both : Tier::Analytic;
  if (const auto u = r.raw("unset"); u.IsDefined()) {
    if (!u.IsSequence()) r.error("unset", "a list of scenario fields (plan.layers_per_stage)");
    else
      for (const auto& f : u) s.unset.push_back(f.as<std::string>(""));
  }
  if (const auto axes = r.raw("axes"); axes.IsDefined()) {
    if (!axes.IsMap()) r.error("axes", "a mapping of scenario fields to lists of values or ranges");
    else
      for (const auto& kv : axes) {
        const auto field = kv.first.as<std::string>();
        if (auto values = read_values(kv.second, path, field, diag)) {
          Axis a;
          a.fields = {field};
          a.line = line_of(kv.first);
          for (auto& v : *values) a.values.push_back({v});
          s.axes.push_back(std::move(a));
        }
      }
  }
  if (const auto zip = r.raw("zip"); zip.IsDefined()) {
    if (!zip.IsSequence()) r.error("zip", "a list of mappings, each of fields to lists of equal length");
    else
      for (const auto& group : zip)
        if (auto a = read_zip(group, path, diag)) s.axes.push_back(std::move(*a));
  }
  if (const auto where = r.raw("where"); where.IsDefined()) {
    if (!where.IsSequence()) r.error("where", "a list of conditions");
    else
      for (const auto& c : where)
        if (auto cond = read_condition(c, path, diag)) s.where.push_back(std::move(*cond));
  }
  r.finish();
  if (s.axes.empty() && diag.size() == before)
    diag.add(path, 1, "axes", "no axes: give at least one field under axes or zip");
  if (s.combinations() > 10'000'000)
    diag.add(path, 1, "axes", fmt::format("{} combinations; the limit is 10,000,000: narrow the axes or add zip groups",
                                          s.combinations()));
  std::set<std::string> seen;
  for (const auto& a : s.axes)
    for (const auto& f : a.fields)
      if (!seen.insert(f).second) diag.add(path, a.line, f, "this field is swept twice");
  if (diag.size() != before || s.base_path.empty()) return std::nullopt;

  // The base scenario, with the files that axes reach into read in.
  Diagnostics base_diag;
  const auto base = config::load_yaml_file(s.base_path, base_diag);
  if (!base || !base->IsMap()) {
    diag.append(base_diag);
    if (base) diag.add(s.base_path, 1, "", "the base scenario is not a YAML mapping");
    return std::nullopt;
  }
  s.base = YAML::Clone(*base);
  for (const auto& a : s.axes)
    for (const auto& f : a.fields) inline_section(s, head_of(f), a.line, diag);
  for (const auto& c : s.where)
    if (c.field != "gpus") inline_section(s, head_of(c.field), c.line, diag);
  if (diag.size() != before) return std::nullopt;

  // Each axis must name real fields: parse the first point and look for
  // unknown keys among the swept fields.
  const auto first = scenario_text(s, first_point(s));
  Diagnostics dry;
  config::parse_scenario(first, s.base_path, dry);
  for (const auto& d : dry.items()) {
    if (d.message.rfind("unknown key", 0) != 0) continue;
    for (const auto& a : s.axes)
      for (const auto& f : a.fields)
        if (d.field == f) diag.add(path, a.line, f, "not a scenario field: " + d.message);
  }
  if (diag.size() != before) return std::nullopt;
  return s;
}

}  // namespace moeplan::sweep
