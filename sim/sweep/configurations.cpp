#include "sim/sweep/configurations.h"

#include <fmt/format.h>
#include <sstream>

namespace moeplan::sweep {
namespace {

std::vector<std::string> split_field(const std::string& field) {
  std::vector<std::string> parts;
  std::stringstream ss(field);
  for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
  return parts;
}

// The node at `field`, creating mappings on the way (yaml-cpp nodes are
// handles: reset() moves the handle, operator= would overwrite the value).
YAML::Node at(YAML::Node root, const std::string& field) {
  YAML::Node cur;
  cur.reset(root);
  for (const auto& part : split_field(field)) {
    if (!cur.IsMap()) cur = YAML::Node(YAML::NodeType::Map);
    YAML::Node next = cur[part];
    cur.reset(next);
  }
  return cur;
}

std::optional<YAML::Node> find(const YAML::Node& root, const std::string& field) {
  YAML::Node cur;
  cur.reset(root);
  for (const auto& part : split_field(field)) {
    if (!cur.IsMap() || !cur[part]) return std::nullopt;
    YAML::Node next = cur[part];
    cur.reset(next);
  }
  return cur;
}

void remove(YAML::Node root, const std::string& field) {
  auto parts = split_field(field);
  const auto last = parts.back();
  parts.pop_back();
  YAML::Node cur;
  cur.reset(root);
  for (const auto& part : parts) {
    if (!cur.IsMap() || !cur[part]) return;
    YAML::Node next = cur[part];
    cur.reset(next);
  }
  if (cur.IsMap()) cur.remove(last);
}

std::string text_of(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

std::optional<double> number_of(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  try {
    std::size_t used = 0;
    const double v = std::stod(n.Scalar(), &used);
    if (used == n.Scalar().size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

long long integer_at(const YAML::Node& scenario, const std::string& field) {
  const auto n = find(scenario, field);
  const auto v = n ? number_of(*n) : std::nullopt;
  return v ? static_cast<long long>(*v) : 1;
}

}  // namespace

Point first_point(const SweepSpec& s) { return Point(s.axes.size(), 0); }

YAML::Node apply_point(const SweepSpec& s, const Point& p) {
  YAML::Node root = YAML::Clone(s.base);
  for (const auto& f : s.unset) remove(root, f);
  for (std::size_t a = 0; a < s.axes.size(); ++a) {
    const auto& axis = s.axes[a];
    for (std::size_t f = 0; f < axis.fields.size(); ++f) {
      YAML::Node target = at(root, axis.fields[f]);
      target = YAML::Clone(axis.values[p[a]][f]);
    }
  }
  return root;
}

std::string scenario_text(const SweepSpec& s, const Point& p) { return YAML::Dump(apply_point(s, p)) + "\n"; }

std::vector<std::string> point_values(const SweepSpec& s, const Point& p) {
  std::vector<std::string> out;
  for (std::size_t a = 0; a < s.axes.size(); ++a)
    for (const auto& v : s.axes[a].values[p[a]]) out.push_back(text_of(v));
  return out;
}

bool meets(const SweepSpec& s, const YAML::Node& scenario) {
  for (const auto& c : s.where) {
    std::optional<YAML::Node> node;
    std::optional<double> number;
    std::string text;
    if (c.field == "gpus") {
      number = static_cast<double>(integer_at(scenario, "plan.pp") * integer_at(scenario, "plan.dp") *
                                   integer_at(scenario, "plan.tp"));
      text = fmt::format("{}", *number);
    } else {
      node = find(scenario, c.field);
      if (!node) return false;  // a condition on a field the scenario lacks is not met
      number = number_of(*node);
      text = text_of(*node);
    }
    if ((c.min || c.max) && !number) return false;
    if (c.min && *number < *c.min) return false;
    if (c.max && *number > *c.max) return false;
    if (!c.in.empty() && std::find(c.in.begin(), c.in.end(), text) == c.in.end()) return false;
    if (std::find(c.not_in.begin(), c.not_in.end(), text) != c.not_in.end()) return false;
  }
  return true;
}

std::string hash_text(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

std::vector<Configuration> configurations(const SweepSpec& s, Tier tier) {
  const std::string base = YAML::Dump(s.base);
  std::vector<Configuration> out;
  Point p = first_point(s);
  const auto fields = s.fields();
  for (std::size_t n = 0; n < s.combinations(); ++n) {
    if (s.where.empty() || meets(s, apply_point(s, p))) {
      Configuration c;
      c.index = out.size();
      c.point = p;
      c.values = point_values(s, p);
      std::string key = base + "\n--\n" + std::string(to_string(tier));
      for (const auto& f : s.unset) key += "\nunset " + f;
      for (std::size_t i = 0; i < fields.size(); ++i) key += "\n" + fields[i] + "=" + c.values[i];
      c.hash = hash_text(key);
      out.push_back(std::move(c));
    }
    // Next point: the last axis fastest.
    for (std::size_t a = s.axes.size(); a-- > 0;) {
      if (++p[a] < s.axes[a].size()) break;
      p[a] = 0;
    }
  }
  return out;
}

}  // namespace moeplan::sweep
