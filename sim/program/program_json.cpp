#include "sim/program/program_json.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <stdexcept>

#include "sim/program/program_input.h"
#include "sim/util/atomic_file.h"
#include "sim/util/input_file.h"

namespace moeplan::program {
namespace {

DType parse_dtype(std::string_view s) {
  if (s == "fp8") return DType::FP8;
  if (s == "bf16") return DType::BF16;
  if (s == "fp32") return DType::FP32;
  throw std::invalid_argument(fmt::format("unknown dtype \"{}\" (fp8, bf16, fp32)", s));
}

nlohmann::json op_to_json(const Op& op) {
  nlohmann::json j{{"id", op.id}, {"rank", op.rank}, {"type", to_string(op.type)},
                   {"stream", to_string(op.stream)}, {"part", to_string(op.part)}};
  if (!op.deps.empty()) j["deps"] = op.deps;
  if (op.pass != Pass::None) j["pass"] = to_string(op.pass);
  if (op.layer >= 0) j["layer"] = op.layer;
  if (op.microbatch >= 0) j["mb"] = op.microbatch;
  if (op.dir != 0) j["dir"] = op.dir;
  if (op.tokens) j["tokens"] = op.tokens;
  if (op.flops) j["flops"] = op.flops;
  if (op.bytes) j["bytes"] = op.bytes;
  j["dtype"] = moeplan::to_string(op.dtype);
  if (!op.gemms.empty()) {
    auto& g = j["gemms"] = nlohmann::json::array();
    for (const auto& m : op.gemms) {
      auto row = nlohmann::json::array({m.m, m.n, m.k});
      if (m.recompute) row.push_back("recompute");
      g.push_back(std::move(row));
    }
  }
  if (!op.kernels.empty()) {
    auto& ks = j["kernels"] = nlohmann::json::array();
    for (const auto& k : op.kernels) {
      auto row = nlohmann::json::array({to_string(k.kind), k.rows, k.cols});
      if (k.count != 1 || k.dtype != DType::BF16) row.push_back(k.count);
      if (k.dtype != DType::BF16) row.push_back(moeplan::to_string(k.dtype));
      ks.push_back(std::move(row));
    }
  }
  if (op.attention.sequences > 0) {
    const auto& a = op.attention;
    j["attention"] = {a.sequences, a.length, a.heads, a.qk_dim, a.v_dim};
    if (a.cached > 0 || a.latent) {  // serving: a KV cache before the new tokens
      j["attention"].push_back(a.cached);
      j["attention"].push_back(a.latent ? 1 : 0);
    }
  }
  if (op.type == OpType::Send || op.type == OpType::Recv) {
    j["peer"] = op.peer;
    j["tag"] = op.tag;
  }
  if (op.type == OpType::Collective) {
    j["collective"] = to_string(op.collective);
    j["group"] = op.group;
    j["instance"] = op.instance;
    if (!op.send_bytes.empty()) j["send_bytes"] = op.send_bytes;
    if (op.traffic >= 0) j["traffic"] = op.traffic;
    if (op.lead >= 0) j["lead"] = op.lead;
  }
  return j;
}

// ---- checked reads: a field of the wrong type or out of range names itself ----------
std::string shown(const nlohmann::json& v) { return json_brief(v); }

std::int64_t integer(const nlohmann::json& v, std::string_view key, std::int64_t lo, std::int64_t hi) {
  bool fits = v.is_number_integer();
  if (fits && v.is_number_unsigned()) fits = v.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi);
  const auto x = fits ? v.get<std::int64_t>() : 0;
  if (!fits || x < lo || x > hi)
    throw std::runtime_error(fmt::format("\"{}\": {} is not an integer in [{}, {}]", key, shown(v), lo, hi));
  return x;
}

int int_field(const nlohmann::json& j, const char* key, int fallback, int lo = INT_MIN) {
  if (!j.contains(key)) return fallback;
  return static_cast<int>(integer(j[key], key, lo, INT_MAX));
}

int required_int(const nlohmann::json& j, const char* key, int lo = INT_MIN) {
  if (!j.contains(key)) throw std::runtime_error(fmt::format("\"{}\" is missing", key));
  return int_field(j, key, 0, lo);
}

double amount(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return 0.0;
  const auto& v = j[key];
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
    throw std::runtime_error(fmt::format("\"{}\": {} is not a finite number >= 0", key, shown(v)));
  return v.get<double>();
}

std::string text(const nlohmann::json& j, const char* key, const char* fallback) {
  if (!j.contains(key)) {
    if (fallback) return fallback;
    throw std::runtime_error(fmt::format("\"{}\" is missing", key));
  }
  if (!j[key].is_string()) throw std::runtime_error(fmt::format("\"{}\": {} is not a string", key, shown(j[key])));
  return j[key].get<std::string>();
}

const nlohmann::json& array(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  if (!j.contains(key)) return empty;
  if (!j[key].is_array()) throw std::runtime_error(fmt::format("\"{}\": {} is not an array", key, shown(j[key])));
  return j[key];
}

std::vector<int> int_list(const nlohmann::json& j, const char* key) {
  std::vector<int> out;
  const auto& a = array(j, key);
  for (std::size_t i = 0; i < a.size(); ++i)
    out.push_back(static_cast<int>(integer(a[i], fmt::format("{}[{}]", key, i), INT_MIN, INT_MAX)));
  return out;
}

std::vector<double> amounts(const nlohmann::json& v, const std::string& key) {
  if (!v.is_array()) throw std::runtime_error(fmt::format("\"{}\": {} is not an array of numbers", key, shown(v)));
  std::vector<double> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_number() || !std::isfinite(v[i].get<double>()) || v[i].get<double>() < 0)
      throw std::runtime_error(fmt::format("\"{}[{}]\": {} is not a finite number >= 0", key, i, shown(v[i])));
    out.push_back(v[i].get<double>());
  }
  return out;
}

std::vector<std::vector<double>> matrix(const nlohmann::json& j, const char* key) {
  std::vector<std::vector<double>> out;
  const auto& a = array(j, key);
  for (std::size_t i = 0; i < a.size(); ++i) out.push_back(amounts(a[i], fmt::format("{}[{}]", key, i)));
  return out;
}

Op op_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error(fmt::format("{} is not an op (a JSON object)", shown(j)));
  Op op;
  op.id = required_int(j, "id");
  op.rank = required_int(j, "rank");
  op.type = parse_op_type(text(j, "type", nullptr));
  op.stream = parse_stream(text(j, "stream", nullptr));
  op.part = parse_part(text(j, "part", nullptr));
  op.deps = int_list(j, "deps");
  op.pass = parse_pass(text(j, "pass", "none"));
  op.layer = int_field(j, "layer", -1);
  op.microbatch = int_field(j, "mb", -1);
  op.dir = int_field(j, "dir", 0);
  if (j.contains("tokens")) op.tokens = integer(j["tokens"], "tokens", 0, INT64_MAX);
  op.flops = amount(j, "flops");
  op.bytes = amount(j, "bytes");
  op.dtype = parse_dtype(text(j, "dtype", "bf16"));
  const auto& gemms = array(j, "gemms");
  for (std::size_t i = 0; i < gemms.size(); ++i) {
    const auto key = fmt::format("gemms[{}]", i);
    const auto& g = gemms[i];
    if (!g.is_array() || g.size() < 3 || g.size() > 4 || (g.size() == 4 && g[3] != "recompute"))
      throw std::runtime_error(fmt::format("\"{}\": {} is not [m, n, k] or [m, n, k, \"recompute\"]", key, shown(g)));
    op.gemms.push_back({integer(g[0], key, 0, INT64_MAX), integer(g[1], key, 0, INT64_MAX),
                        integer(g[2], key, 0, INT64_MAX), g.size() == 4});
  }
  const auto& kernels = array(j, "kernels");
  for (std::size_t i = 0; i < kernels.size(); ++i) {
    const auto key = fmt::format("kernels[{}]", i);
    const auto& k = kernels[i];
    if (!k.is_array() || k.size() < 3 || k.size() > 5 || !k[0].is_string())
      throw std::runtime_error(fmt::format("\"{}\": {} is not [kind, rows, cols, count?, dtype?]", key, shown(k)));
    program::Kernel kernel;
    try {
      kernel.kind = parse_kernel_kind(k[0].get<std::string>());
      if (k.size() > 4) kernel.dtype = parse_dtype(k[4].is_string() ? k[4].get<std::string>() : std::string("?"));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(fmt::format("\"{}\": {}", key, e.what()));
    }
    kernel.rows = integer(k[1], key, 0, INT64_MAX);
    kernel.cols = integer(k[2], key, 0, INT64_MAX);
    if (k.size() > 3) kernel.count = static_cast<int>(integer(k[3], key, 1, 1024));
    op.kernels.push_back(kernel);
  }
  if (j.contains("attention")) {
    const auto& a = j["attention"];
    if (!a.is_array() || (a.size() != 5 && a.size() != 7))
      throw std::runtime_error(fmt::format("\"attention\": {} is not [sequences, length, heads, qk_dim, v_dim] or "
                                           "[sequences, length, heads, qk_dim, v_dim, cached, latent]", shown(a)));
    auto dim = [&](std::size_t i, std::int64_t hi) { return static_cast<int>(integer(a[i], "attention", 1, hi)); };
    op.attention = {dim(0, 1 << 20), dim(1, 1 << 24), dim(2, 1 << 16), dim(3, 1 << 16), dim(4, 1 << 16)};
    if (a.size() == 7) {
      op.attention.cached = static_cast<int>(integer(a[5], "attention", 0, 1 << 24));
      op.attention.latent = integer(a[6], "attention", 0, 1) == 1;
    }
  }
  op.peer = int_field(j, "peer", -1);
  op.tag = int_field(j, "tag", -1);
  if (op.type == OpType::Collective) {
    op.collective = parse_collective(text(j, "collective", nullptr));
    op.group = required_int(j, "group");
    op.instance = required_int(j, "instance");
    if (j.contains("send_bytes")) op.send_bytes = amounts(j["send_bytes"], "send_bytes");
    op.traffic = int_field(j, "traffic", -1);
    op.lead = int_field(j, "lead", -1);
  }
  return op;
}

}  // namespace

nlohmann::json to_json(const Program& p) {
  nlohmann::json j{{"schema", "moeplan-program"},
                   {"version", kProgramSchemaVersion},
                   {"scenario", p.scenario},
                   {"world_size", p.world_size},
                   {"reduced", p.reduced},
                   {"partial", p.partial},
                   {"replicas", p.replicas},
                   {"comm_sms", p.comm_sms},
                   {"all_to_all", to_string(p.all_to_all)},
                   {"rank_gpu", p.rank_gpu}};
  auto& groups = j["groups"] = nlohmann::json::array();
  for (const auto& g : p.groups) groups.push_back({{"kind", g.kind}, {"ranks", g.ranks}});
  auto& traffic = j["traffic"] = nlohmann::json::array();
  for (const auto& t : p.traffic)
    traffic.push_back({{"gpu_bytes", t.gpu_bytes},
                       {"node_bytes", t.node_bytes},
                       {"reverse", t.reverse}});
  auto& leads = j["leads"] = nlohmann::json::array();
  for (const auto& l : p.leads)
    leads.push_back({{"flops", l.flops}, {"bytes", l.bytes}, {"dtype", moeplan::to_string(l.dtype)}});
  auto& ops = j["ops"] = nlohmann::json::array();
  for (const auto& op : p.ops) ops.push_back(op_to_json(op));
  return j;
}

Program program_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("schema") || j["schema"] != "moeplan-program")
    throw std::runtime_error("not a moeplan program (missing \"schema\": \"moeplan-program\")");
  if (!j.contains("version") || j["version"] != kProgramSchemaVersion)
    throw std::runtime_error(fmt::format("program schema version {} is not supported (expected {})",
                                         j.contains("version") ? shown(j["version"]) : "(none)", kProgramSchemaVersion));
  Program p;
  p.scenario = text(j, "scenario", "");
  p.world_size = required_int(j, "world_size");
  if (p.world_size < 1 || p.world_size > kMaxWorldSize)  // before the per-rank tables are sized by it
    throw std::runtime_error(fmt::format("\"world_size\": {} is outside [1, {}]", p.world_size, kMaxWorldSize));
  if (j.contains("reduced") && !j["reduced"].is_boolean()) throw std::runtime_error("\"reduced\" is not true or false");
  if (j.contains("partial") && !j["partial"].is_boolean()) throw std::runtime_error("\"partial\" is not true or false");
  p.reduced = j.value("reduced", false);
  p.partial = j.value("partial", false);
  p.replicas = int_field(j, "replicas", 1, 1);
  p.comm_sms = int_field(j, "comm_sms", 0, 0);
  p.all_to_all = parse_all_to_all(text(j, "all_to_all", "pairwise"));
  const auto& traffic = array(j, "traffic");
  for (std::size_t i = 0; i < traffic.size(); ++i) {
    const auto& t = traffic[i];
    try {
      if (!t.is_object()) throw std::runtime_error("not a JSON object");
      if (t.contains("reverse") && !t["reverse"].is_boolean()) throw std::runtime_error("\"reverse\" is not true or false");
      p.traffic.push_back({matrix(t, "gpu_bytes"), matrix(t, "node_bytes"), t.value("reverse", false)});
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(fmt::format("traffic[{}]: {}", i, e.what()));
    }
  }
  const auto& leads = array(j, "leads");
  for (std::size_t i = 0; i < leads.size(); ++i) {
    const auto& l = leads[i];
    try {
      if (!l.is_object()) throw std::runtime_error("not a JSON object");
      p.leads.push_back({amounts(l.value("flops", nlohmann::json::array()), "flops"),
                         amounts(l.value("bytes", nlohmann::json::array()), "bytes"),
                         parse_dtype(text(l, "dtype", "bf16"))});
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(fmt::format("leads[{}]: {}", i, e.what()));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(fmt::format("leads[{}]: {}", i, e.what()));
    }
  }
  p.rank_gpu = int_list(j, "rank_gpu");
  const auto& groups = array(j, "groups");
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto& g = groups[i];
    try {
      if (!g.is_object()) throw std::runtime_error("not a JSON object");
      p.groups.push_back({text(g, "kind", nullptr), int_list(g, "ranks")});
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(fmt::format("groups[{}]: {}", i, e.what()));
    }
  }
  p.by_rank.resize(static_cast<std::size_t>(p.world_size));
  if (!j.contains("ops")) throw std::runtime_error("\"ops\" is missing");
  const auto& ops = array(j, "ops");
  for (std::size_t i = 0; i < ops.size(); ++i) {
    try {
      auto op = op_from_json(ops[i]);
      if (op.id != static_cast<OpId>(i))
        throw std::runtime_error(fmt::format("id {} out of order", op.id));
      if (op.rank < 0 || op.rank >= p.world_size)
        throw std::runtime_error(fmt::format("rank {} is outside the world of {}", op.rank, p.world_size));
      p.add(std::move(op));
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("ops[{}]: {}", i, e.what()));
    }
  }
  check_program_input(p);
  return p;
}

void write_program(const Program& p, const std::string& path) {
  // The ops are written one at a time after the rest, so that no JSON tree of
  // the whole program is held; through a temporary file renamed at the end.
  Program head;
  head.scenario = p.scenario;
  head.world_size = p.world_size;
  head.reduced = p.reduced;
  head.partial = p.partial;
  head.replicas = p.replicas;
  head.comm_sms = p.comm_sms;
  head.all_to_all = p.all_to_all;
  head.traffic = p.traffic;
  head.leads = p.leads;
  head.rank_gpu = p.rank_gpu;
  head.groups = p.groups;
  auto j = to_json(head);
  j.erase("ops");
  auto text = j.dump();
  text.pop_back();  // the closing brace: "ops" follows
  write_file_atomically(path, [&](std::ostream& out) {
    out << text << ",\"ops\":[";
    for (std::size_t i = 0; i < p.ops.size(); ++i) out << (i ? "," : "") << op_to_json(p.ops[i]).dump();
    out << "]}\n";
  });
}

Program read_program(const std::string& path) {
  check_input_file(path, "program");
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open the program file", path));
  try {
    return program_from_json(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  }
}

}  // namespace moeplan::program
