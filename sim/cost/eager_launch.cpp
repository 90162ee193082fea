#include "sim/cost/eager_launch.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace moeplan::cost {

double EagerLaunch::seconds(const program::Op& op) const {
  return per_op_s + per_library_call_s * library_calls(op) + per_kernel_s * kernel_launches(op);
}

int library_calls(const program::Op& op) {
  if (op.type != program::OpType::Compute) return 0;
  int n = static_cast<int>(op.gemms.size());
  if (op.part == program::Part::AttentionCore && op.attention.sequences > 0) n += op.attention.latent ? 2 : 1;
  return n;
}

int kernel_launches(const program::Op& op) {
  if (op.type != program::OpType::Compute) return 0;
  int n = static_cast<int>(op.kernels.size());
  if (op.part == program::Part::AttentionCore && op.attention.sequences > 0 && op.attention.latent) ++n;
  return n;
}

std::vector<double> host_enqueue_ends(const program::Program& p, const EagerLaunch& l, program::OpId first,
                                      program::OpId last) {
  std::vector<double> ends(static_cast<std::size_t>(std::max<program::OpId>(0, last - first)), 0.0);
  std::vector<double> host(static_cast<std::size_t>(std::max(0, p.world_size)), 0.0);  // per rank
  for (program::OpId id = first; id < last; ++id) {
    const auto& op = p.op(id);
    auto& h = host.at(static_cast<std::size_t>(op.rank));
    h += l.seconds(op);
    ends[static_cast<std::size_t>(id - first)] = h;
  }
  return ends;
}

namespace {

constexpr int kTerms = 3;  // per op, per library call, per kernel
using Row = std::array<double, kTerms>;

// Least squares over the terms in `used` (a bit mask); the others are 0.
// Returns the coefficients and the sum of squared residuals; none when the
// normal equations are singular.
std::optional<std::pair<Row, double>> least_squares(const std::vector<Row>& x, const std::vector<double>& y, int used) {
  std::vector<int> terms;
  for (int t = 0; t < kTerms; ++t)
    if (used & (1 << t)) terms.push_back(t);
  const auto n = terms.size();
  std::vector<std::vector<double>> a(n, std::vector<double>(n + 1, 0.0));  // [X^T X | X^T y]
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t c = 0; c < n; ++c) a[r][c] += x[i][terms[r]] * x[i][terms[c]];
      a[r][n] += x[i][terms[r]] * y[i];
    }
  for (std::size_t c = 0; c < n; ++c) {  // Gauss-Jordan with partial pivoting
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(a[r][c]) > std::abs(a[pivot][c])) pivot = r;
    if (std::abs(a[pivot][c]) < 1e-12) return std::nullopt;
    std::swap(a[c], a[pivot]);
    for (std::size_t r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = a[r][c] / a[c][c];
      for (std::size_t k = c; k <= n; ++k) a[r][k] -= f * a[c][k];
    }
  }
  Row coef{};
  for (std::size_t r = 0; r < n; ++r) coef[terms[r]] = a[r][n] / a[r][r];
  double sse = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double fitted = 0;
    for (int t = 0; t < kTerms; ++t) fitted += coef[t] * x[i][t];
    sse += (y[i] - fitted) * (y[i] - fitted);
  }
  return std::make_pair(coef, sse);
}

}  // namespace

std::optional<EagerLaunch> fit_eager_launch(const program::Program& p, const trace::Trace& measured) {
  std::vector<Row> x;
  std::vector<double> y;
  for (const auto& r : measured.records) {
    const auto& op = p.op(r.op);
    if (op.type != program::OpType::Compute || r.host_s < 0) continue;
    x.push_back({1.0, static_cast<double>(library_calls(op)), static_cast<double>(kernel_launches(op))});
    y.push_back(r.host_s);
  }
  if (x.empty()) return std::nullopt;
  Row best{};
  double best_sse = 0;
  for (double v : y) best_sse += v * v;  // all terms 0
  for (int used = 1; used < (1 << kTerms); ++used) {
    const auto fit = least_squares(x, y, used);
    if (!fit) continue;
    bool feasible = true;
    for (double c : fit->first) feasible = feasible && c >= 0;
    if (feasible && fit->second < best_sse) best = fit->first, best_sse = fit->second;
  }
  return EagerLaunch{best[0], best[1], best[2], static_cast<int>(x.size())};
}

}  // namespace moeplan::cost
