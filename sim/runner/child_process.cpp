#include "sim/runner/child_process.h"

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace moeplan::runner {

namespace {

using Clock = std::chrono::steady_clock;

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Splits a byte stream into lines.
class LineSplitter {
 public:
  template <class F>
  void feed(std::string_view bytes, F&& on_line) {
    pending_.append(bytes);
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1)
      on_line(std::string_view(pending_).substr(start, nl - start));
    pending_.erase(0, start);
  }
  template <class F>
  void finish(F&& on_line) {
    if (!pending_.empty()) on_line(std::string_view(pending_));
    pending_.clear();
  }

 private:
  std::string pending_;
};

struct Pipes {
  Fd stdin_parent, stdin_child;  // a socket pair, so that writing to a dead child gives EPIPE, not SIGPIPE
  Fd stdout_parent, stdout_child;
  Fd stderr_parent, stderr_child;
};

bool make_pipes(Pipes& p, std::string& why) {
  int sv[2], out[2], err[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
      ::pipe2(err, O_CLOEXEC) != 0) {
    why = fmt::format("cannot create pipes: {}", std::strerror(errno));
    return false;
  }
  p.stdin_parent.reset(sv[0]);
  p.stdin_child.reset(sv[1]);
  p.stdout_parent.reset(out[0]);
  p.stdout_child.reset(out[1]);
  p.stderr_parent.reset(err[0]);
  p.stderr_child.reset(err[1]);
  for (int fd : {p.stdin_parent.get(), p.stdout_parent.get(), p.stderr_parent.get()})
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return true;
}

int spawn(const ChildSpec& spec, Pipes& p, std::string& why) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, p.stdin_child.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, p.stdout_child.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, p.stderr_child.get(), STDERR_FILENO);
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    why = fmt::format("cannot start {}: {}", spec.argv[0], std::strerror(rc));
    return -1;
  }
  return pid;
}

// Drains what `fd` holds now; false at end of stream.
bool drain(Fd& fd, const std::function<void(std::string_view)>& sink) {
  std::array<char, 65536> buf{};
  while (true) {
    const auto n = ::read(fd.get(), buf.data(), buf.size());
    if (n > 0) {
      sink(std::string_view(buf.data(), static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    fd.reset();
    return false;
  }
}

}  // namespace

ChildExit run_child(const ChildSpec& spec, const std::function<void(std::string_view line)>& on_stdout_line,
                    std::stop_token stop) {
  ChildExit result;
  const auto t0 = Clock::now();
  if (spec.argv.empty()) {
    result.error = "no program to run";
    return result;
  }
  Pipes pipes;
  if (!make_pipes(pipes, result.error)) return result;
  const int pid = spawn(spec, pipes, result.error);
  pipes.stdin_child.reset();
  pipes.stdout_child.reset();
  pipes.stderr_child.reset();
  if (pid < 0) return result;

  std::size_t stdin_written = 0;
  if (spec.stdin_text.empty()) pipes.stdin_parent.reset();
  LineSplitter out_lines, err_lines;
  std::deque<std::string> tail;
  auto keep_tail = [&](std::string_view line) {
    tail.emplace_back(line);
    while (tail.size() > spec.stderr_tail_lines) tail.pop_front();
  };
  auto emit = [&](std::string_view line) {
    if (on_stdout_line) on_stdout_line(line);
  };

  enum class Ending { None, Cancel, Timeout } ending = Ending::None;
  Clock::time_point term_sent{};
  bool killed = false;
  int status = 0;
  bool reaped = false;
  while (!reaped) {
    // Ask it to end, then insist.
    if (ending == Ending::None) {
      if (stop.stop_requested()) ending = Ending::Cancel;
      else if (spec.timeout_s > 0 && Clock::now() - t0 > std::chrono::duration<double>(spec.timeout_s))
        ending = Ending::Timeout;
      if (ending != Ending::None) {
        ::kill(pid, SIGTERM);
        term_sent = Clock::now();
      }
    } else if (!killed && Clock::now() - term_sent > std::chrono::duration<double>(spec.kill_grace_s)) {
      ::kill(pid, SIGKILL);
      killed = true;
    }

    std::vector<pollfd> fds;
    if (pipes.stdin_parent) fds.push_back({pipes.stdin_parent.get(), POLLOUT, 0});
    if (pipes.stdout_parent) fds.push_back({pipes.stdout_parent.get(), POLLIN, 0});
    if (pipes.stderr_parent) fds.push_back({pipes.stderr_parent.get(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), 50);  // with nothing to watch: a 50 ms nap between checks
    for (const auto& f : fds) {
      if (f.revents == 0) continue;
      if (f.fd == pipes.stdin_parent.get()) {
        const auto n = ::send(f.fd, spec.stdin_text.data() + stdin_written, spec.stdin_text.size() - stdin_written,
                              MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) stdin_written += static_cast<std::size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || stdin_written == spec.stdin_text.size())
          pipes.stdin_parent.reset();  // all written, or the child stopped reading
      } else if (f.fd == pipes.stdout_parent.get()) {
        if (!drain(pipes.stdout_parent, [&](std::string_view b) { out_lines.feed(b, emit); })) out_lines.finish(emit);
      } else if (f.fd == pipes.stderr_parent.get()) {
        if (!drain(pipes.stderr_parent, [&](std::string_view b) { err_lines.feed(b, keep_tail); }))
          err_lines.finish(keep_tail);
      }
    }
    const int w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) reaped = true;
    else if (w < 0 && errno != EINTR) break;  // not our child any more: nothing more to learn
  }
  if (reaped && pipes.stdout_parent) drain(pipes.stdout_parent, [&](std::string_view b) { out_lines.feed(b, emit); });
  out_lines.finish(emit);
  if (reaped && pipes.stderr_parent) drain(pipes.stderr_parent, [&](std::string_view b) { err_lines.feed(b, keep_tail); });
  err_lines.finish(keep_tail);

  for (const auto& line : tail) result.stderr_tail += line + "\n";
  result.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (WIFEXITED(status)) {
    result.how = ChildExit::How::Exited;
    result.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.how = ChildExit::How::Signalled;
    result.signal = WTERMSIG(status);
  }
  if (ending == Ending::Cancel) result.how = ChildExit::How::Cancelled;
  if (ending == Ending::Timeout) result.how = ChildExit::How::TimedOut;
  return result;
}

std::string describe(const ChildExit& e) {
  switch (e.how) {
    case ChildExit::How::Exited: return fmt::format("exited with status {}", e.code);
    case ChildExit::How::Signalled: return fmt::format("killed by signal {} ({})", e.signal, ::strsignal(e.signal));
    case ChildExit::How::Cancelled: return "cancelled";
    case ChildExit::How::TimedOut: return fmt::format("stopped after its time limit ({:.1f} s)", e.wall_s);
    case ChildExit::How::FailedToStart: return "did not start: " + e.error;
  }
  return "?";
}

}  // namespace moeplan::runner
