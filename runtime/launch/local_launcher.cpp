#include "runtime/launch/local_launcher.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

namespace moeplan::runtime {

std::string RankExit::describe() const {
  if (terminated) return fmt::format("rank {}: ended by the launcher (another rank failed or the run timed out)", rank);
  if (exit_code > 128) return fmt::format("rank {}: killed by signal {}", rank, exit_code - 128);
  return fmt::format("rank {}: exit code {}", rank, exit_code);
}

bool LaunchResult::ok() const {
  if (timed_out) return false;
  for (const auto& r : ranks)
    if (r.exit_code != 0) return false;
  return true;
}

std::string LaunchResult::summary() const {
  std::string s = timed_out ? "the run passed its deadline\n" : "";
  for (const auto& r : ranks)
    if (r.exit_code != 0) s += r.describe() + "\n";
  return s;
}

namespace {

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

[[noreturn]] void child_exit(const std::function<int()>& body) {
  int code = 1;
  try {
    code = body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "error: unknown exception\n");
  }
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(code);
}

}  // namespace

LaunchResult launch_local(int ranks, const std::function<int(int)>& rank_main, double deadline_s) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  std::vector<pid_t> pids(static_cast<std::size_t>(ranks), -1);
  LaunchResult result;
  result.ranks.resize(static_cast<std::size_t>(ranks));
  std::fflush(stdout);
  std::fflush(stderr);
  for (int r = 0; r < ranks; ++r) {
    result.ranks[static_cast<std::size_t>(r)].rank = r;
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(fmt::format("fork for rank {} failed", r));
    if (pid == 0) child_exit([&] { return rank_main(r); });
    pids[static_cast<std::size_t>(r)] = pid;
  }
  int running = ranks;
  bool terminating = false;
  auto terminate_rest = [&](int sig) {
    for (std::size_t i = 0; i < pids.size(); ++i)
      if (pids[i] > 0) {
        kill(pids[i], sig);
        result.ranks[i].terminated = true;
      }
  };
  clock::time_point terminate_time{};
  while (running > 0) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (std::size_t i = 0; i < pids.size(); ++i)
        if (pids[i] == pid) {
          pids[i] = -1;
          result.ranks[i].exit_code = exit_code_of(status);
          --running;
          if (result.ranks[i].exit_code != 0 && !terminating && !result.ranks[i].terminated) {
            terminating = true;
            terminate_time = clock::now();
            terminate_rest(SIGTERM);
          }
        }
      continue;
    }
    const double elapsed_s = std::chrono::duration<double>(clock::now() - start).count();
    if (deadline_s > 0 && elapsed_s > deadline_s && !terminating) {
      result.timed_out = true;
      terminating = true;
      terminate_time = clock::now();
      terminate_rest(SIGTERM);
    }
    if (terminating && clock::now() - terminate_time > std::chrono::seconds(5)) terminate_rest(SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return result;
}

std::string run_in_child(const std::function<std::string()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe() failed");
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork() failed");
  if (pid == 0) {
    close(fds[0]);
    child_exit([&] {
      const auto text = fn();
      std::size_t done = 0;
      while (done < text.size()) {
        const auto n = write(fds[1], text.data() + done, text.size() - done);
        if (n <= 0) return 1;
        done += static_cast<std::size_t>(n);
      }
      return 0;
    });
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0 && out.size() < 65536;) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (exit_code_of(status) != 0)
    throw std::runtime_error(fmt::format("probe child process failed ({})", exit_code_of(status)));
  return out;
}

}  // namespace moeplan::runtime
