// Runs a program as a child process and watches it: feeds its standard input,
// hands each line of its standard output to a callback as it arrives, keeps
// the tail of its standard error, and ends it on request (std::stop_token) or
// at a deadline, first politely (SIGTERM) and then for good (SIGKILL). The
// child is always reaped and every descriptor closed before run_child returns,
// whatever happens to it; a child that crashes is an outcome, never a crash
// of the caller.
#pragma once

#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace moeplan::runner {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0]: the executable (a path, or a name looked up in PATH)
  std::string stdin_text;         // written to the child's standard input, which is then closed
  double timeout_s = 0;           // 0: none
  double kill_grace_s = 2;        // between SIGTERM and SIGKILL
  std::size_t stderr_tail_lines = 20;
};

struct ChildExit {
  enum class How { Exited, Signalled, Cancelled, TimedOut, FailedToStart };
  How how = How::FailedToStart;
  int code = -1;    // exit status (Exited)
  int signal = 0;   // terminating signal (Signalled, and Cancelled/TimedOut when it had to be killed)
  std::string stderr_tail;  // its last lines of standard error
  std::string error;        // FailedToStart: why
  double wall_s = 0;
};

// Blocks until the child has ended; call it from a worker thread to keep a UI live.
ChildExit run_child(const ChildSpec& spec, const std::function<void(std::string_view line)>& on_stdout_line,
                    std::stop_token stop = {});

// "exited with status 2", "killed by signal 9 (Killed)", ...
std::string describe(const ChildExit& e);

}  // namespace moeplan::runner
