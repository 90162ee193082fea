#include "sim/runner/child_process.h"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <thread>

namespace moeplan::runner {
namespace {

std::size_t open_descriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

ChildExit sh(const std::string& script, std::vector<std::string>* lines = nullptr, ChildSpec spec = {}) {
  spec.argv = {"/bin/sh", "-c", script};
  return run_child(spec, [&](std::string_view l) {
    if (lines) lines->emplace_back(l);
  });
}

TEST(ChildProcess, ReportsTheExitStatusAndEveryStdoutLineInOrder) {
  std::vector<std::string> lines;
  const auto e = sh("printf 'a\\nb\\nlast-without-newline'; exit 3", &lines);
  EXPECT_EQ(e.how, ChildExit::How::Exited);
  EXPECT_EQ(e.code, 3);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "last-without-newline"}));
}

TEST(ChildProcess, FeedsStdinAndKeepsOnlyTheTailOfStderr) {
  ChildSpec spec;
  spec.stdin_text = std::string(300000, 'x') + "\nend\n";  // more than a pipe buffer holds
  spec.stderr_tail_lines = 2;
  std::vector<std::string> lines;
  const auto e = sh("wc -c; for i in 1 2 3 4; do echo err$i >&2; done", &lines, spec);
  EXPECT_EQ(e.code, 0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(std::stoul(lines[0]), spec.stdin_text.size());
  EXPECT_EQ(e.stderr_tail, "err3\nerr4\n");
}

TEST(ChildProcess, AChildKilledByASignalIsAnOutcomeNotACrash) {
  const auto e = sh("kill -SEGV $$");
  EXPECT_EQ(e.how, ChildExit::How::Signalled);
  EXPECT_EQ(e.signal, SIGSEGV);
  EXPECT_NE(describe(e).find("signal 11"), std::string::npos);
}

TEST(ChildProcess, StopTokenEndsARunningChildPromptly) {
  std::stop_source stop;
  std::jthread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.request_stop();
  });
  ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", "sleep 30"};
  const auto e = run_child(spec, {}, stop.get_token());
  EXPECT_EQ(e.how, ChildExit::How::Cancelled);
  EXPECT_LT(e.wall_s, 5.0);
}

TEST(ChildProcess, AChildIgnoringSigtermIsKilledAfterTheGrace) {
  ChildSpec spec;
  spec.timeout_s = 0.2;
  spec.kill_grace_s = 0.2;
  const auto e = sh("trap '' TERM; sleep 30", nullptr, spec);
  EXPECT_EQ(e.how, ChildExit::How::TimedOut);
  EXPECT_LT(e.wall_s, 5.0);
}

TEST(ChildProcess, AMissingProgramFailsToStartWithItsName) {
  ChildSpec spec;
  spec.argv = {"/nonexistent/moeplan"};
  const auto e = run_child(spec, {});
  EXPECT_EQ(e.how, ChildExit::How::FailedToStart);
  EXPECT_NE(e.error.find("/nonexistent/moeplan"), std::string::npos);
}

TEST(ChildProcess, LeavesNoDescriptorOrZombieBehind) {
  const auto before = open_descriptors();
  for (int i = 0; i < 20; ++i) sh(i % 2 ? "echo out; echo err >&2" : "kill -KILL $$");
  EXPECT_EQ(open_descriptors(), before);
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);  // no child left to reap
}

}  // namespace
}  // namespace moeplan::runner
