#include "runtime/exec/rank_main.h"

#include <cuda_runtime_api.h>
#include <fmt/format.h>
#include <nccl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "runtime/check/moe_layer_check.h"
#include "runtime/exec/nccl_channels.h"
#include "runtime/exec/rank_executor.h"
#include "runtime/launch/shared_file.h"
#include "runtime/plan/comm_channels.h"
#include "util/cuda_check.h"

namespace moeplan::runtime {

std::string partial_trace_path(const RunOptions& o, int rank) { return fmt::format("{}/rank{}.json", work_dir_of(o), rank); }

namespace {

ncclUniqueId share_unique_id(const RunOptions& o, int rank) {
  const auto path = work_dir_of(o) + "/nccl-unique-id";
  ncclUniqueId id{};
  if (rank == 0) {
    if (const auto r = ncclGetUniqueId(&id); r != ncclSuccess) throw_nccl_error(r, rank, "ncclGetUniqueId");
    write_file_atomically(path, std::string(reinterpret_cast<const char*>(&id), sizeof id));
  } else {
    const auto bytes = wait_for_file(path, o.timeout_s);
    if (bytes.size() != sizeof id) throw std::runtime_error(fmt::format("{}: {} bytes, expected {}", path, bytes.size(), sizeof id));
    std::memcpy(&id, bytes.data(), sizeof id);
  }
  return id;
}

void write_partial(const program::Program& p, const RunOptions& o, int rank, const trace::Trace& t,
                   const nlohmann::json& extra) {
  auto j = trace::to_json(t, p);
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  trace::write_json(j, partial_trace_path(o, rank));
}

}  // namespace

int run_rank(const program::Program& p, const RunOptions& o, const RuntimeSwitches& switches, int rank,
             int local_rank) {
  setenv("NCCL_RUNTIME_CONNECT", "0", 0);  // collectives connect at init, not inside a step
  MOEPLAN_CUDA_CHECK(cudaSetDevice(local_rank));
  cudaDeviceProp prop{};
  MOEPLAN_CUDA_CHECK(cudaGetDeviceProperties(&prop, local_rank));
  nlohmann::json extra{{"gpu", prop.name}, {"rank", rank}};
  const auto plan = plan_comm_channels(p);
  const auto id = share_unique_id(o, rank);
  NcclChannels nccl(plan, rank, p.world_size, id, o.timeout_s, switches);
  std::unique_ptr<RankExecutor> exec;
  // A call that never returns: report it, keep what finished, end the process
  // (the launcher then stops the other ranks).
  HostWatchdog watchdog(o.timeout_s, [&](double stuck_s, int op_id) {
    const auto message = fmt::format("rank {}: host blocked for {:.0f} s inside CUDA/NCCL while enqueueing op {} ({}); "
                                     "aborting the communicators", rank, stuck_s, op_id, trace::op_name(p.op(op_id)));
    std::fprintf(stderr, "%s\n", message.c_str());
    std::fflush(stderr);
    try {
      auto partial = extra;
      partial["error"] = message;
      partial["partial"] = true;
      write_partial(p, o, rank, median_trace(p, exec->ops(), {exec->last_step()}, rank), partial);
    } catch (...) {
    }
    nccl.abort_all();
    std::_Exit(4);
  });
  exec = std::make_unique<RankExecutor>(p, plan, nccl, rank, o.seed + static_cast<std::uint64_t>(rank), switches,
                                        &watchdog);

  std::vector<std::vector<OpTimes>> measured;
  std::vector<double> step_s;
  try {
    for (int s = 0; s < o.warmup_steps + o.measured_steps; ++s) {
      if (rank == o.hang_rank && s == o.hang_step) {
        std::fprintf(stderr, "rank %d: --inject-hang: not answering from step %d on\n", rank, s);
        for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
      }
      auto times = exec->run_step();
      double end = 0;
      for (const auto& t : times) end = std::max(end, t.end_s);
      if (s >= o.warmup_steps) {
        measured.push_back(std::move(times));
        step_s.push_back(end);
      }
    }
    // Dispatch all-to-all versus NCCL's own, same bytes, first dispatch of each channel.
    auto benches = nlohmann::json::array();
    std::vector<int> benched(plan.channels.size(), 0);
    for (const auto op_id : exec->ops()) {
      const auto& op = p.op(op_id);
      const int c = plan.channel_of_op[static_cast<std::size_t>(op_id)];
      if (op.type != program::OpType::Collective || op.collective != program::CollectiveKind::AllToAll ||
          op.part != program::Part::Dispatch || c < 0 || plan.channels[static_cast<std::size_t>(c)].local() ||
          benched[static_cast<std::size_t>(c)])
        continue;
      benched[static_cast<std::size_t>(c)] = 1;
      const auto b = exec->bench_all_to_all(op_id, 20);
      benches.push_back({{"op", b.op}, {"bytes_sent", b.bytes}, {"grouped_send_recv_s", b.ours_s},
                         {"nccl_alltoall_s", b.nccl_s}, {"ratio", b.nccl_s / b.ours_s},
                         {"self_part_other_way_s", b.other_s},
                         {"group_size", plan.channels[static_cast<std::size_t>(c)].ranks.size()}});
    }
    extra["all_to_all_bench"] = benches;
    extra["step_times_s"] = step_s;
    write_partial(p, o, rank, median_trace(p, exec->ops(), measured, rank), extra);
    exec.reset();
    return 0;
  } catch (const std::exception& e) {
    // Partial trace: the measured steps, else the ops of the failed step that finished.
    if (measured.empty()) measured.push_back(exec->last_step());
    extra["error"] = e.what();
    extra["partial"] = true;
    try {
      write_partial(p, o, rank, median_trace(p, exec->ops(), measured, rank), extra);
    } catch (...) {
    }
    // Said now: the abort may end the process (NcclChannels::abort_all).
    std::fprintf(stderr, "error: %s; aborting the communicators\n", e.what());
    std::fflush(stderr);
    nccl.abort_all();
    exec.release();  // its CUDA state may be wedged: let the process exit reclaim it
    throw std::runtime_error("communicators aborted after the error above");
  }
}

int run_check_rank(const program::Program& p, const RunOptions& o, const RuntimeSwitches& switches, int rank,
                   int local_rank) {
  MOEPLAN_CUDA_CHECK(cudaSetDevice(local_rank));
  const auto config = moe_check_config(p);
  const auto id = share_unique_id(o, rank);
  NcclChannels nccl(CommPlan{}, rank, p.world_size, id, o.timeout_s, switches);  // the world communicator only
  MoeCheckResult r;
  try {
    r = run_moe_layer_check(config, nccl, rank, o.seed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s; aborting the communicators\n", e.what());
    std::fflush(stderr);
    nccl.abort_all();
    throw std::runtime_error("communicators aborted after the error above");
  }
  fmt::print("check rank {}: ||y - y_ref|| / ||y_ref|| = {:.2e} (tolerance {:.2e}), max |y - y_ref| = {:.2e}, "
             "{} rows to other ranks, {} rows from them; negative control (rows not regrouped) {:.2e}{}: {}\n",
             rank, r.relative_error, kMoeCheckTolerance, r.max_abs_error, r.rows_sent_away, r.rows_received,
             r.control_error,
             p.world_size == 1 ? " (not applicable: one rank)" : r.control_caught ? " caught" : " NOT caught",
             r.pass ? "PASS" : "FAIL");
  std::fflush(stdout);
  return r.pass ? 0 : 1;
}

}  // namespace moeplan::runtime
