#include "sim/serving/request_sim.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <fmt/format.h>
#include <queue>
#include <random>
#include <stdexcept>
#include <tuple>

#include "sim/util/check.h"

namespace moeplan::serving {
namespace {

enum class EventKind { Arrival, PrefillDone, KvArrived, DecodeDone };

struct Event {
  double t = 0;
  EventKind kind = EventKind::Arrival;
  int id = 0;          // request (arrival, KV arrival) or unit (step done)
  std::uint64_t seq = 0;
  bool operator>(const Event& o) const { return std::tie(t, seq) > std::tie(o.t, o.seq); }
};

struct DecodeGpu {
  std::vector<int> running;  // requests
  double kv_tokens = 0;      // held in the cache, including admitted ones not yet stepping
};

struct DecodeUnit {
  std::vector<DecodeGpu> gpus;
  bool busy = false;
  std::vector<int> stepping;  // requests in the current step
};

class Simulator {
 public:
  Simulator(const std::vector<Request>& requests, const RequestSimConfig& c) : c_(c), rng_(c.seed) {
    MOEPLAN_CHECK(c.prefill_step_s && c.decode_step_s, "request simulation without step times");
    MOEPLAN_CHECK(c.prefill_units > 0 && c.decode_units > 0 && c.prefill_ranks_per_unit > 0 &&
                      c.decode_ranks_per_unit > 0 && c.decode_max_requests_per_rank > 0,
                  "pools {}x{} / {}x{}, {} requests per decode GPU", c.prefill_units, c.prefill_ranks_per_unit,
                  c.decode_units, c.decode_ranks_per_unit, c.decode_max_requests_per_rank);
    r_.requests.reserve(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const auto& q = requests[i];
      if (kv_need(q) > c.decode_kv_capacity_tokens_per_rank)
        throw std::invalid_argument(fmt::format(
            "request {} needs {} tokens of KV cache, more than a decode GPU holds ({:.0f} tokens beside its weights)",
            i, kv_need(q), c.decode_kv_capacity_tokens_per_rank));
      r_.requests.push_back({q, 0, 0, 0, 0});
      push(q.arrival_s, EventKind::Arrival, static_cast<int>(i));
    }
    prefill_busy_.assign(static_cast<std::size_t>(c.prefill_units), false);
    prefill_batch_.assign(static_cast<std::size_t>(c.prefill_units), {});
    decode_.assign(static_cast<std::size_t>(c.decode_units), {});
    for (auto& u : decode_) u.gpus.assign(static_cast<std::size_t>(c.decode_ranks_per_unit), {});
  }

  RequestSimResult run() {
    while (!events_.empty()) {
      const Event e = events_.top();
      events_.pop();
      advance_clock(e.t);
      switch (e.kind) {
        case EventKind::Arrival: arrive(e.id); break;
        case EventKind::PrefillDone: prefill_done(e.id); break;
        case EventKind::KvArrived: kv_arrived(e.id); break;
        case EventKind::DecodeDone: decode_done(e.id); break;
      }
    }
    r_.makespan_s = now_;
    const double capacity = c_.decode_kv_capacity_tokens_per_rank * c_.decode_units * c_.decode_ranks_per_unit;
    r_.kv_occupancy_mean = decode_time_s_ > 0 && capacity > 0 ? kv_time_tokens_s_ / decode_time_s_ / capacity : 0.0;
    return std::move(r_);
  }

 private:
  static double kv_need(const Request& q) { return static_cast<double>(q.prompt_tokens) + q.output_tokens; }

  void push(double t, EventKind kind, int id) { events_.push({t, kind, id, seq_++}); }

  // The integral of requests in the system, and of KV tokens held while the decode pool steps.
  void advance_clock(double t) {
    r_.requests_in_system_s += static_cast<double>(in_system_) * (t - now_);
    now_ = t;
  }

  // ---- prefill -------------------------------------------------------------------------
  void arrive(int id) {
    ++in_system_;
    prefill_queue_.push_back(id);
    start_prefill_steps();
  }

  void start_prefill_steps() {
    for (int u = 0; u < c_.prefill_units && !prefill_queue_.empty(); ++u)
      if (!prefill_busy_[static_cast<std::size_t>(u)]) start_prefill(u);
  }

  // Takes queued requests up to the unit's token budget (at least one), spreads
  // them over its GPUs (largest first onto the least loaded) and times the
  // busiest GPU's batch.
  void start_prefill(int u) {
    const std::int64_t budget = c_.prefill_token_budget_per_rank * c_.prefill_ranks_per_unit;
    std::vector<int> batch;
    std::int64_t tokens = 0;
    while (!prefill_queue_.empty()) {
      const auto& q = r_.requests[static_cast<std::size_t>(prefill_queue_.front())].request;
      const std::int64_t t = q.prompt_tokens - q.cached_tokens;
      if (!batch.empty() && tokens + t > budget) break;
      tokens += t;
      batch.push_back(prefill_queue_.front());
      prefill_queue_.pop_front();
    }
    struct Load {
      double work = 0;  // core-attention pairs + tokens
      std::int64_t tokens = 0, cached = 0;
      int requests = 0;
    };
    std::vector<Load> gpus(static_cast<std::size_t>(c_.prefill_ranks_per_unit));
    auto work_of = [&](int id) {
      const auto& q = r_.requests[static_cast<std::size_t>(id)].request;
      const double n = q.prompt_tokens - q.cached_tokens;
      return n * q.cached_tokens + n * (n + 1) / 2 + n;
    };
    std::vector<int> order = batch;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return work_of(a) > work_of(b); });
    for (int id : order) {
      auto& g = *std::min_element(gpus.begin(), gpus.end(), [](const Load& a, const Load& b) { return a.work < b.work; });
      const auto& q = r_.requests[static_cast<std::size_t>(id)].request;
      g.work += work_of(id);
      g.tokens += q.prompt_tokens - q.cached_tokens;
      g.cached += q.cached_tokens;
      ++g.requests;
    }
    const auto& busiest = *std::max_element(gpus.begin(), gpus.end(), [](const Load& a, const Load& b) { return a.work < b.work; });
    const GpuBatch shape{busiest.requests,
                         static_cast<int>((busiest.tokens + busiest.requests - 1) / busiest.requests),
                         static_cast<int>(busiest.cached / busiest.requests)};
    const double step_s = c_.prefill_step_s(shape);
    prefill_busy_[static_cast<std::size_t>(u)] = true;
    prefill_batch_[static_cast<std::size_t>(u)] = batch;
    record({true, u, now_, now_ + step_s, static_cast<int>(batch.size()), tokens});
    ++r_.prefill_steps;
    push(now_ + step_s, EventKind::PrefillDone, u);
  }

  void prefill_done(int u) {
    for (int id : prefill_batch_[static_cast<std::size_t>(u)]) {
      auto& o = r_.requests[static_cast<std::size_t>(id)];
      o.first_token_s = now_;
      r_.prefilled_tokens += o.request.prompt_tokens - o.request.cached_tokens;
      r_.cache_hit_tokens += o.request.cached_tokens;
      if (o.request.output_tokens <= 1) {  // the prefill's token was the only one
        o.decode_start_s = o.finish_s = now_;
        --in_system_;
        continue;
      }
      const double transfer = c_.kv_transfer_latency_s + c_.kv_transfer_s_per_token * o.request.prompt_tokens;
      push(now_ + transfer, EventKind::KvArrived, id);
    }
    prefill_batch_[static_cast<std::size_t>(u)].clear();
    prefill_busy_[static_cast<std::size_t>(u)] = false;
    start_prefill_steps();
  }

  // ---- decode --------------------------------------------------------------------------
  void kv_arrived(int id) {
    r_.requests[static_cast<std::size_t>(id)].decode_start_s = now_;
    decode_queue_.push_back(id);
    admit();
  }

  // Admits waiting requests in order, each to the GPU with the least KV cache
  // in use (then the fewest requests) that has room; starts idle units.
  void admit() {
    while (!decode_queue_.empty()) {
      const int id = decode_queue_.front();
      const double need = kv_need(r_.requests[static_cast<std::size_t>(id)].request);
      DecodeGpu* best = nullptr;
      for (auto& u : decode_)
        for (auto& g : u.gpus) {
          if (static_cast<int>(g.running.size()) >= c_.decode_max_requests_per_rank) continue;
          if (g.kv_tokens + need > c_.decode_kv_capacity_tokens_per_rank) continue;
          if (!best || std::make_pair(g.kv_tokens, g.running.size()) < std::make_pair(best->kv_tokens, best->running.size()))
            best = &g;
        }
      if (!best) {
        if (!waiting_reported_) ++r_.decode_waits;
        waiting_reported_ = true;
        break;
      }
      waiting_reported_ = false;
      best->running.push_back(id);
      best->kv_tokens += need;  // reserved for its whole output
      decode_queue_.pop_front();
    }
    for (int u = 0; u < c_.decode_units; ++u)
      if (!decode_[static_cast<std::size_t>(u)].busy) start_decode(u);
  }

  int context_of(int id) const {
    const auto& o = r_.requests[static_cast<std::size_t>(id)];
    return o.request.prompt_tokens + 1 + o.decoded_tokens;
  }

  void start_decode(int u) {
    auto& unit = decode_[static_cast<std::size_t>(u)];
    unit.stepping.clear();
    const DecodeGpu* busiest = nullptr;
    double kv_in_use = 0;
    for (const auto& g : unit.gpus) {
      unit.stepping.insert(unit.stepping.end(), g.running.begin(), g.running.end());
      if (!busiest || g.running.size() > busiest->running.size()) busiest = &g;
      for (int id : g.running) kv_in_use += context_of(id);
    }
    if (unit.stepping.empty()) return;
    double context = 0;
    for (int id : busiest->running) context += context_of(id);
    const int n = static_cast<int>(busiest->running.size());
    const GpuBatch shape{n, c_.decode_tokens_per_step, static_cast<int>(std::lround(context / n))};
    const double step_s = c_.decode_step_s(shape);
    unit.busy = true;
    kv_time_tokens_s_ += kv_in_use * step_s;
    decode_time_s_ += step_s / c_.decode_units;
    record({false, u, now_, now_ + step_s, static_cast<int>(unit.stepping.size()),
            static_cast<std::int64_t>(unit.stepping.size()) * c_.decode_tokens_per_step});
    ++r_.decode_steps;
    push(now_ + step_s, EventKind::DecodeDone, u);
  }

  void decode_done(int u) {
    auto& unit = decode_[static_cast<std::size_t>(u)];
    for (int id : unit.stepping) {
      auto& o = r_.requests[static_cast<std::size_t>(id)];
      int made = 1;
      if (c_.decode_tokens_per_step == 2 && unit_interval(rng_()) < c_.mtp_acceptance) made = 2;
      made = std::min(made, o.request.output_tokens - 1 - o.decoded_tokens);
      o.decoded_tokens += made;
      r_.decoded_tokens += made;
      if (o.decoded_tokens == o.request.output_tokens - 1) o.finish_s = now_;
    }
    for (auto& g : unit.gpus) {
      std::erase_if(g.running, [&](int id) {
        const auto& o = r_.requests[static_cast<std::size_t>(id)];
        if (o.decoded_tokens < o.request.output_tokens - 1) return false;
        g.kv_tokens -= kv_need(o.request);
        --in_system_;
        return true;
      });
    }
    unit.busy = false;
    admit();  // also restarts this unit
  }

  void record(const StepRecord& s) {
    if (r_.steps.size() < c_.max_step_records) r_.steps.push_back(s);
  }

  const RequestSimConfig& c_;
  std::mt19937_64 rng_;
  RequestSimResult r_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t seq_ = 0;
  double now_ = 0;
  std::int64_t in_system_ = 0;
  std::deque<int> prefill_queue_, decode_queue_;
  std::vector<bool> prefill_busy_;
  std::vector<std::vector<int>> prefill_batch_;
  std::vector<DecodeUnit> decode_;
  double kv_time_tokens_s_ = 0, decode_time_s_ = 0;
  bool waiting_reported_ = false;
};

}  // namespace

RequestSimResult simulate_requests(const std::vector<Request>& requests, const RequestSimConfig& config) {
  return Simulator(requests, config).run();
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace moeplan::serving
