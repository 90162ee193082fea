// Fuzzing every loader in process: bundled inputs, mutated with a fixed seed
// (text edits: interesting numbers, deleted, repeated and swapped lines, stray
// bytes, truncation; JSON edits: a random value replaced by a number, string,
// null, array or object of another shape), each fed to its loader. Every
// mutant must load or be refused with a user error (a diagnostic, a
// std::runtime_error or std::invalid_argument); an InvariantError, any other
// exception, a crash or a hang (the ctest timeout) fails. The mutant that
// failed is printed whole, to add to a regression test.
//
// Counts are fixed (same seed, same mutants, every run); on this project's
// 2-core machine the eight loaders (56,000 mutants) take ~20 s together in the
// normal build, unloaded, and ~2.5 min under the asan preset.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sim/config/gpu.h"
#include "sim/config/model.h"
#include "sim/config/scenario.h"
#include "sim/config/topology_file.h"
#include "sim/cost/cost_model.h"
#include "sim/moe/load_stats.h"
#include "sim/plan/validate.h"
#include "sim/program/program_json.h"
#include "sim/trace/compare.h"
#include "sim/util/check.h"
#include "sim/workload/train_step.h"
#include "tests/sim/bundled_scenario.h"
#include "tests/sim/test_paths.h"

namespace moeplan::test {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kSeed = 20261123;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  return lines;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  int below(std::size_t n) { return n == 0 ? 0 : static_cast<int>(rng_() % n); }

  std::string interesting_number() {
    static const std::array<const char*, 20> numbers{
        "0",    "-1",     "1",          "-7168",  "2147483647", "2147483648", "99999999999", "1e308",   "-1e308",
        "1e-300", "3.5e-305", "4294967296", ".nan", "nan",       "inf",        "-0",          "1073741824", "65537",
        "0.5",  "1048576"};
    return numbers[static_cast<std::size_t>(below(numbers.size()))];
  }

  // One to three text edits.
  std::string mutate_text(const std::string& text) {
    auto lines = lines_of(text);
    const int edits = 1 + below(3);
    for (int e = 0; e < edits && !lines.empty(); ++e) {
      auto& line = lines[static_cast<std::size_t>(below(lines.size()))];
      switch (below(7)) {
        case 0: {  // a number replaced by an interesting one
          const auto at = line.find_first_of("0123456789");
          if (at == std::string::npos) break;
          const auto end = line.find_first_not_of("0123456789.e+-", at);
          line.replace(at, (end == std::string::npos ? line.size() : end) - at, interesting_number());
          break;
        }
        case 1:
          lines.erase(lines.begin() + below(lines.size()));
          break;
        case 2:
          lines.insert(lines.begin() + below(lines.size()), line);
          break;
        case 3:
          std::swap(line, lines[static_cast<std::size_t>(below(lines.size()))]);
          break;
        case 4: {  // stray bytes
          static const std::string stray = std::string("\0{}[]:,\"'&*!|>-#\t\xff", 19);
          line.insert(static_cast<std::size_t>(below(line.size() + 1)), 1, stray[static_cast<std::size_t>(below(stray.size()))]);
          break;
        }
        case 5: {  // a value after ':' replaced
          static const std::array<const char*, 9> values{"~", "[]", "{}", "[1, 2]", "\"x\"", "{a: 1}", "true", "-3", "1e400"};
          const auto colon = line.find(':');
          if (colon != std::string::npos) line = line.substr(0, colon + 1) + " " + values[static_cast<std::size_t>(below(values.size()))];
          break;
        }
        default:
          lines.resize(static_cast<std::size_t>(below(lines.size())) + 1);
          break;
      }
    }
    return join(lines);
  }

  // One to three JSON edits: a random value (depth-first walk) replaced.
  nlohmann::json mutate_json(nlohmann::json j) {
    const int edits = 1 + below(3);
    for (int e = 0; e < edits; ++e) replace_random(j, 0);
    return j;
  }

 private:
  nlohmann::json random_value() {
    switch (below(8)) {
      case 0: {
        static const std::array<double, 10> numbers{0, -1, 1, -7168, 2147483647.0, 2147483648.0, 99999999999.0,
                                                    1e-300, 3.5e-305, 0.5};
        return numbers[static_cast<std::size_t>(below(numbers.size()))];
      }
      case 1: return below(2) ? 999999 : -1;
      case 2: return 2147483648LL;
      case 3: return "x";
      case 4: return nullptr;
      case 5: return nlohmann::json::array({1, 2, 3});
      case 6: return nlohmann::json::object({{"a", 1}});
      default: return 1e308;
    }
  }

  void replace_random(nlohmann::json& j, int depth) {
    if ((!j.is_array() && !j.is_object()) || j.empty() || depth > 6 || below(4) == 0) {
      j = random_value();
      return;
    }
    if (j.is_array()) {
      replace_random(j[static_cast<std::size_t>(below(j.size()))], depth + 1);
    } else {
      auto it = j.begin();
      std::advance(it, below(j.size()));
      if (below(8) == 0) j.erase(it);
      else replace_random(*it, depth + 1);
    }
  }

  std::mt19937_64 rng_;
};

// Runs `load` on each mutant; a user error or success passes.
class Fuzz {
 public:
  explicit Fuzz(std::string name) : name_(std::move(name)) {
    dir_ = fs::temp_directory_path() / ("moeplan-fuzz-" + name_ + "-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  ~Fuzz() { fs::remove_all(dir_); }

  std::string file(const std::string& name, const std::string& text) const {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  void run(const std::string& mutant, const std::function<void()>& load) {
    ++cases_;
    try {
      load();
      ++loaded_;
    } catch (const InvariantError& e) {
      fail("an InvariantError (exit 70)", e.what(), mutant);
    } catch (const ConfigError&) {
      ++refused_;
    } catch (const std::invalid_argument&) {
      ++refused_;
    } catch (const std::logic_error& e) {
      fail("a std::logic_error", e.what(), mutant);
    } catch (const nlohmann::json::exception& e) {
      fail("a bare nlohmann::json exception", e.what(), mutant);
    } catch (const std::runtime_error&) {
      ++refused_;
    } catch (const std::exception& e) {
      fail("an unexpected exception", e.what(), mutant);
    }
  }

  Fuzz(const Fuzz&) = delete;
  Fuzz& operator=(const Fuzz&) = delete;
  void report() const {
    std::printf("%s: %d mutants, %d loaded, %d refused with a user error\n", name_.c_str(), cases_, loaded_, refused_);
  }

 private:
  void fail(const char* what, const char* message, const std::string& mutant) {
    ADD_FAILURE() << name_ << " mutant " << cases_ << " ended in " << what << ": " << message << "\n--- mutant ---\n"
                  << mutant.substr(0, 4000) << "\n---";
  }

  std::string name_;
  fs::path dir_;
  int cases_ = 0, loaded_ = 0, refused_ = 0;
};

std::vector<std::string> bundled(const std::string& folder, const std::string& ext) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(source_path(folder)))
    if (e.path().extension() == ext) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(LoaderFuzz, MutatedScenariosLoadOrGetADiagnostic) {
  Mutator m(kSeed);
  Fuzz fuzz("scenarios");
  const auto bases = bundled("scenarios", ".yaml");
  for (int i = 0; i < 6000; ++i) {
    const auto& base = bases[static_cast<std::size_t>(i) % bases.size()];
    const auto text = m.mutate_text(read_text(base));
    fuzz.run(text, [&] {
      Diagnostics diag;
      auto sc = config::parse_scenario(text, base, diag);
      if (diag.empty()) plan::validate_plan(sc, diag);
      diag.throw_if_any();
    });
  }
  fuzz.report();
}

TEST(LoaderFuzz, MutatedTopologiesLoadOrGetADiagnostic) {
  Mutator m(kSeed + 1);
  Fuzz fuzz("topologies");
  const auto bases = bundled("topologies", ".yaml");
  for (int i = 0; i < 8000; ++i) {
    const auto text = m.mutate_text(read_text(bases[static_cast<std::size_t>(i) % bases.size()]));
    const auto path = fuzz.file("t.yaml", text);
    fuzz.run(text, [&] {
      Diagnostics diag;
      config::load_topology(path, diag);
      diag.throw_if_any();
    });
  }
  fuzz.report();
}

TEST(LoaderFuzz, MutatedHardwareFilesLoadOrGetADiagnostic) {
  Mutator m(kSeed + 2);
  Fuzz fuzz("hardware");
  const auto bases = bundled("hardware", ".yaml");
  for (int i = 0; i < 8000; ++i) {
    const auto text = m.mutate_text(read_text(bases[static_cast<std::size_t>(i) % bases.size()]));
    const auto path = fuzz.file("g.yaml", text);
    fuzz.run(text, [&] {
      Diagnostics diag;
      config::load_gpu_file(path, diag);
      diag.throw_if_any();
    });
  }
  fuzz.report();
}

TEST(LoaderFuzz, MutatedModelConfigsLoadOrGetADiagnostic) {
  Mutator m(kSeed + 3);
  Fuzz fuzz("models");
  std::vector<std::string> bases;
  for (const auto& e : fs::recursive_directory_iterator(source_path("models")))
    if (e.path().filename() == "config.json") bases.push_back(e.path().string());
  std::sort(bases.begin(), bases.end());
  ASSERT_FALSE(bases.empty());
  for (int i = 0; i < 8000; ++i) {
    const auto base = read_text(bases[static_cast<std::size_t>(i) % bases.size()]);
    const auto text = i % 2 ? m.mutate_text(base) : m.mutate_json(nlohmann::json::parse(base)).dump(1);
    const auto path = fuzz.file("config.json", text);
    fuzz.run(text, [&] {
      Diagnostics diag;
      config::load_hf_config(path, diag);
      diag.throw_if_any();
    });
  }
  fuzz.report();
}

// A small planned program (2 ranks, pipeline and MoE ops) and a trace of it.
struct ProgramAndTrace {
  program::Program program;
  std::string program_text, trace_text;
};

const ProgramAndTrace& small_program_and_trace() {
  static const ProgramAndTrace pt = [] {
    const auto b = load_bundled("scenarios/h200x2-pp2-1f1b.yaml");
    ProgramAndTrace out;
    out.program = workload::build_train_step(b.sc, b.vp, {});
    out.program_text = program::to_json(out.program).dump();
    trace::Trace t;
    t.source = "runtime";
    for (const auto& op : out.program.ops)
      t.records.push_back({op.id, op.rank, op.stream, op.id * 1e-6, op.id * 1e-6 + 5e-7});
    auto j = trace::to_json(t, out.program);
    j["gpu"] = "NVIDIA H200";
    out.trace_text = j.dump();
    return out;
  }();
  return pt;
}

TEST(LoaderFuzz, MutatedProgramsLoadOrGetAUserError) {
  Mutator m(kSeed + 4);
  Fuzz fuzz("programs");
  const auto& base = small_program_and_trace();
  const auto json = nlohmann::json::parse(base.program_text);
  for (int i = 0; i < 6000; ++i) {
    const auto text = i % 5 == 0 ? m.mutate_text(base.program_text) : m.mutate_json(json).dump();
    const auto path = fuzz.file("p.json", text);
    fuzz.run(text, [&] { (void)program::read_program(path); });
  }
  fuzz.report();
}

TEST(LoaderFuzz, MutatedTracesLoadOrGetAUserError) {
  Mutator m(kSeed + 5);
  Fuzz fuzz("traces");
  const auto& base = small_program_and_trace();
  const auto json = nlohmann::json::parse(base.trace_text);
  for (int i = 0; i < 6000; ++i) {
    const auto text = i % 5 == 0 ? m.mutate_text(base.trace_text) : m.mutate_json(json).dump();
    const auto path = fuzz.file("t.json", text);
    fuzz.run(text, [&] {
      const auto t = trace::read_trace(path, base.program);
      (void)trace::provenance_warnings(t, base.program, "H200-SXM5", path);
      (void)trace::format_comparison(trace::compare_traces(base.program, t, t));
    });
  }
  fuzz.report();
}

TEST(LoaderFuzz, MutatedLoadFilesLoadOrGetADiagnostic) {
  Mutator m(kSeed + 6);
  Fuzz fuzz("load-files");
  std::vector<std::string> bases;
  for (const auto& e : fs::directory_iterator(source_path("tests/data/moe"))) bases.push_back(e.path().string());
  std::sort(bases.begin(), bases.end());
  for (int i = 0; i < 8000; ++i) {
    const auto& base = bases[static_cast<std::size_t>(i) % bases.size()];
    const auto text = m.mutate_text(read_text(base));
    const auto path = fuzz.file(fs::path(base).filename().string(), text);
    fuzz.run(text, [&] {
      Diagnostics diag;
      (void)moe::read_load_stats(path, diag);
      diag.throw_if_any();
    });
  }
  fuzz.report();
}

TEST(LoaderFuzz, MutatedCalibrationsLoadOrGetAUserError) {
  Mutator m(kSeed + 7);
  Fuzz fuzz("calibrations");
  const nlohmann::json base{{"source", "fuzz"},
                            {"compute_efficiency", {{"attention/F", 0.6}, {"routed_experts/Bi", 0.7}}}};
  for (int i = 0; i < 6000; ++i) {
    const auto text = i % 3 == 0 ? m.mutate_text(base.dump(1)) : m.mutate_json(base).dump();
    const auto path = fuzz.file("c.json", text);
    fuzz.run(text, [&] { (void)cost::Calibration::load(path); });
  }
  fuzz.report();
}

}  // namespace
}  // namespace moeplan::test
