#include "sim/program/program_json.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <stdexcept>

#include "sim/util/atomic_file.h"

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
    for (const auto& m : op.gemms) g.push_back({m.m, m.n, m.k});
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

Op op_from_json(const nlohmann::json& j) {
  Op op;
  op.id = j.at("id").get<OpId>();
  op.rank = j.at("rank").get<int>();
  op.type = parse_op_type(j.at("type").get<std::string>());
  op.stream = parse_stream(j.at("stream").get<std::string>());
  op.part = parse_part(j.at("part").get<std::string>());
  op.deps = j.value("deps", std::vector<OpId>{});
  op.pass = parse_pass(j.value("pass", std::string("none")));
  op.layer = j.value("layer", -1);
  op.microbatch = j.value("mb", -1);
  op.dir = j.value("dir", 0);
  op.tokens = j.value("tokens", std::int64_t{0});
  op.flops = j.value("flops", 0.0);
  op.bytes = j.value("bytes", 0.0);
  op.dtype = parse_dtype(j.value("dtype", std::string("bf16")));
  if (j.contains("gemms"))
    for (const auto& g : j["gemms"]) op.gemms.push_back({g.at(0).get<std::int64_t>(), g.at(1).get<std::int64_t>(), g.at(2).get<std::int64_t>()});
  op.peer = j.value("peer", -1);
  op.tag = j.value("tag", -1);
  if (op.type == OpType::Collective) {
    op.collective = parse_collective(j.at("collective").get<std::string>());
    op.group = j.at("group").get<int>();
    op.instance = j.at("instance").get<int>();
    op.send_bytes = j.value("send_bytes", std::vector<double>{});
    op.traffic = j.value("traffic", -1);
    op.lead = j.value("lead", -1);
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
  if (j.value("schema", std::string()) != "moeplan-program")
    throw std::runtime_error("not a moeplan program (missing \"schema\": \"moeplan-program\")");
  if (j.value("version", 0) != kProgramSchemaVersion)
    throw std::runtime_error(fmt::format("program schema version {} is not supported (expected {})",
                                         j.value("version", 0), kProgramSchemaVersion));
  Program p;
  p.scenario = j.value("scenario", std::string());
  p.world_size = j.at("world_size").get<int>();
  p.reduced = j.value("reduced", false);
  p.partial = j.value("partial", false);
  p.replicas = j.value("replicas", 1);
  p.comm_sms = j.value("comm_sms", 0);
  p.all_to_all = parse_all_to_all(j.value("all_to_all", std::string("pairwise")));
  for (const auto& t : j.value("traffic", nlohmann::json::array()))
    p.traffic.push_back({t.at("gpu_bytes").get<std::vector<std::vector<double>>>(),
                         t.at("node_bytes").get<std::vector<std::vector<double>>>(), t.value("reverse", false)});
  for (const auto& l : j.value("leads", nlohmann::json::array()))
    p.leads.push_back({l.at("flops").get<std::vector<double>>(), l.at("bytes").get<std::vector<double>>(),
                       parse_dtype(l.value("dtype", std::string("bf16")))});
  p.rank_gpu = j.at("rank_gpu").get<std::vector<int>>();
  for (const auto& g : j.at("groups")) p.groups.push_back({g.at("kind").get<std::string>(), g.at("ranks").get<std::vector<int>>()});
  p.by_rank.resize(static_cast<std::size_t>(p.world_size));
  const auto& ops = j.at("ops");
  for (std::size_t i = 0; i < ops.size(); ++i) {
    try {
      auto op = op_from_json(ops[i]);
      if (op.id != static_cast<OpId>(i))
        throw std::runtime_error(fmt::format("id {} out of order", op.id));
      p.add(std::move(op));
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("ops[{}]: {}", i, e.what()));
    }
  }
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
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open the program file", path));
  try {
    return program_from_json(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  }
}

}  // namespace moeplan::program
