#include "sim/cost/kernel_profile.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "sim/util/input_file.h"

namespace moeplan::cost {

// ---- the grid ------------------------------------------------------------------------

RateGrid::RateGrid(std::vector<std::vector<double>> axes, std::vector<double> rates) : rates_(std::move(rates)) {
  for (auto& axis : axes) {
    std::vector<double> l;
    for (double v : axis) l.push_back(std::log2(v));
    log_axes_.push_back(std::move(l));
  }
  for (double r : rates_) log_rates_.push_back(std::log2(r));
}

double RateGrid::rate(const std::vector<double>& at) const {
  // Per dimension: the cell and the weight of its upper corner; the time-floor
  // factor below the grid (rate scales with the coordinate there).
  const std::size_t dims = log_axes_.size();
  std::vector<std::size_t> lo(dims);
  std::vector<double> frac(dims);
  double below = 0;  // log2 of the rate's scale-down for coordinates under the grid
  for (std::size_t d = 0; d < dims; ++d) {
    const auto& axis = log_axes_[d];
    double x = std::log2(std::max(at[d], 1e-300));
    if (x < axis.front()) {
      below += x - axis.front();
      x = axis.front();
    }
    x = std::min(x, axis.back());
    std::size_t i = 0;
    while (i + 2 < axis.size() && x > axis[i + 1]) ++i;
    lo[d] = i;
    frac[d] = axis.size() < 2 ? 0.0 : (x - axis[i]) / (axis[i + 1] - axis[i]);
  }
  double log_rate = 0;
  for (std::size_t corner = 0; corner < (std::size_t{1} << dims); ++corner) {
    double weight = 1;
    std::size_t flat = 0;
    for (std::size_t d = 0; d < dims; ++d) {
      const bool up = (corner >> d) & 1;
      if (up && log_axes_[d].size() < 2) {
        weight = 0;
        break;
      }
      weight *= up ? frac[d] : 1 - frac[d];
      flat = flat * log_axes_[d].size() + lo[d] + (up ? 1 : 0);
    }
    if (weight > 0) log_rate += weight * log_rates_[flat];
  }
  return std::exp2(log_rate + below);
}

// ---- reading a profile -----------------------------------------------------------------
namespace {

struct GridBuilder {
  std::vector<std::set<double>> axes;
  std::map<std::vector<double>, double> rates;
  explicit GridBuilder(std::size_t dims) : axes(dims) {}
  void add(const std::vector<double>& at, double rate, const std::string& where) {
    for (std::size_t d = 0; d < at.size(); ++d) axes[d].insert(at[d]);
    if (!rates.emplace(at, rate).second) throw std::runtime_error(fmt::format("{}: measured twice", where));
  }
  RateGrid build(const std::string& what) const {
    std::vector<std::vector<double>> ax;
    for (const auto& a : axes) ax.emplace_back(a.begin(), a.end());
    std::vector<double> flat;
    std::vector<double> at(ax.size());
    std::size_t total = 1;
    for (const auto& a : ax) total *= a.size();
    for (std::size_t i = 0; i < total; ++i) {
      std::size_t rest = i;
      for (std::size_t d = ax.size(); d-- > 0;) {
        at[d] = ax[d][rest % ax[d].size()];
        rest /= ax[d].size();
      }
      const auto it = rates.find(at);
      if (it == rates.end())
        throw std::runtime_error(fmt::format("{}: no measurement at ({}); a surface must cover its whole grid "
                                             "(re-run moeplan-run --profile-kernels)",
                                             what, fmt::join(at, ", ")));
      flat.push_back(it->second);
    }
    return RateGrid(std::move(ax), std::move(flat));
  }
};

double positive(const nlohmann::json& e, const char* key, const std::string& where) {
  if (!e.contains(key) || !e[key].is_number() || !(e[key].get<double>() > 0) || !std::isfinite(e[key].get<double>()))
    throw std::runtime_error(fmt::format("{}: \"{}\" must be a number > 0", where, key));
  return e[key].get<double>();
}

std::string text(const nlohmann::json& e, const char* key, const std::string& where) {
  if (!e.contains(key) || !e[key].is_string()) throw std::runtime_error(fmt::format("{}: \"{}\" must be a string", where, key));
  return e[key].get<std::string>();
}

const nlohmann::json& list(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  if (!j.contains(key)) return empty;
  if (!j[key].is_array()) throw std::runtime_error(fmt::format("\"{}\" must be a list", key));
  return j[key];
}

std::string gemm_key(DType dtype, program::Pass pass) {
  return fmt::format("{}/{}", moeplan::to_string(dtype), pass == program::Pass::W ? "w" : "f");
}

}  // namespace

KernelProfile KernelProfile::parse(const std::string& text_in, const std::string& path) {
  KernelProfile p;
  p.path_ = path;
  try {
    const auto j = nlohmann::json::parse(text_in);
    if (!j.is_object() || j.value("schema", "") != "moeplan-kernel-profile")
      throw std::runtime_error("not a kernel profile (\"schema\": \"moeplan-kernel-profile\"); write one with "
                               "moeplan-run --profile-kernels");
    if (j.contains("device") && j["device"].is_object()) {
      const auto& d = j["device"];
      auto s = [&](const char* k) { return d.contains(k) && d[k].is_string() ? d[k].get<std::string>() : std::string(); };
      p.device_ = {s("name"), s("driver"), s("cuda"), s("cublas"), s("cudnn"), s("nccl"), s("date")};
    }
    std::map<std::string, GridBuilder> gemm, attention, kernels;
    const auto& gemms = list(j, "gemm");
    for (std::size_t i = 0; i < gemms.size(); ++i) {
      const auto where = fmt::format("gemm[{}]", i);
      const auto& e = gemms[i];
      const auto layout = text(e, "layout", where);
      if (layout != "f" && layout != "w") throw std::runtime_error(fmt::format("{}: layout \"{}\" is not f or w", where, layout));
      const auto key = text(e, "dtype", where) + "/" + layout;
      const double m = positive(e, "m", where), n = positive(e, "n", where), k = positive(e, "k", where);
      gemm.try_emplace(key, 3).first->second.add({m, n, k}, 2 * m * n * k / positive(e, "seconds", where), where);
    }
    const auto& att = list(j, "attention");
    for (std::size_t i = 0; i < att.size(); ++i) {
      const auto where = fmt::format("attention[{}]", i);
      const auto& e = att[i];
      const auto pass = text(e, "pass", where);
      if (pass != "F" && pass != "Bi") throw std::runtime_error(fmt::format("{}: pass \"{}\" is not F or Bi", where, pass));
      attention.try_emplace(pass, 2).first->second.add({positive(e, "length", where), positive(e, "heads", where)},
                                                       positive(e, "flops", where) / positive(e, "seconds", where), where);
    }
    GridBuilder latent(3);
    const auto& lat = list(j, "latent_attention");
    for (std::size_t i = 0; i < lat.size(); ++i) {
      const auto where = fmt::format("latent_attention[{}]", i);
      const auto& e = lat[i];
      latent.add({positive(e, "length", where) * positive(e, "heads", where), positive(e, "sequences", where),
                  positive(e, "kv", where)},
                 positive(e, "flops", where) / positive(e, "seconds", where), where);
    }
    if (!lat.empty()) p.latent_ = latent.build("latent_attention");
    const auto& ks = list(j, "kernels");
    for (std::size_t i = 0; i < ks.size(); ++i) {
      const auto where = fmt::format("kernels[{}]", i);
      const auto& e = ks[i];
      const auto kind = std::string(program::to_string(program::parse_kernel_kind(text(e, "kind", where))));
      kernels.try_emplace(kind, 1).first->second.add({positive(e, "bytes", where)},
                                                     positive(e, "bytes", where) / positive(e, "seconds", where), where);
    }
    for (const auto& [k, b] : gemm) p.gemm_[k] = b.build("gemm " + k);
    for (const auto& [k, b] : attention) p.attention_[k] = b.build("attention " + k);
    for (const auto& [k, b] : kernels) p.kernels_[k] = b.build("kernels " + k);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  }
  return p;
}

std::shared_ptr<const KernelProfile> KernelProfile::load(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const KernelProfile>> loaded;
  std::lock_guard lock(mutex);
  if (auto it = loaded.find(path); it != loaded.end()) return it->second;
  auto p = std::make_shared<const KernelProfile>(parse(read_input_file(path, "kernel profile"), path));
  loaded.emplace(path, p);
  return p;
}

std::optional<double> KernelProfile::gemm_flops_per_s(DType dtype, program::Pass pass, const program::Gemm& g) const {
  const auto it = gemm_.find(gemm_key(dtype, pass));
  if (it == gemm_.end()) return std::nullopt;
  return it->second.rate({static_cast<double>(g.m), static_cast<double>(g.n), static_cast<double>(g.k)});
}

std::optional<double> KernelProfile::attention_flops_per_s(program::Pass pass, const program::AttentionShape& a) const {
  const auto it = attention_.find(std::string(program::to_string(pass)));
  if (it == attention_.end()) return std::nullopt;
  // The fused kernel runs one thread block per (sequence, head, query tile):
  // b sequences of h heads fill the GPU as one sequence of b * h heads would.
  return it->second.rate({static_cast<double>(a.length), static_cast<double>(a.sequences) * a.heads});
}

std::optional<double> KernelProfile::latent_attention_flops_per_s(const program::AttentionShape& a) const {
  if (latent_.empty()) return std::nullopt;
  return latent_.rate({static_cast<double>(a.length) * a.heads, static_cast<double>(a.sequences),
                       static_cast<double>(a.cached + a.length)});
}

std::optional<double> KernelProfile::kernel_bytes_per_s(program::KernelKind kind, double bytes) const {
  const auto it = kernels_.find(std::string(program::to_string(kind)));
  if (it == kernels_.end()) return std::nullopt;
  return it->second.rate({bytes});
}

}  // namespace moeplan::cost
