#include "sim/program/wait_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

namespace moeplan::program {
namespace {

bool on_stream(const Op& op) { return op.type == OpType::Compute || op.type == OpType::Collective; }

std::string describe(const Op& op) {
  return fmt::format("{} op {} (rank {}, {})", to_string(op.type), op.id, op.rank, to_string(op.part));
}

class WaitRun {
 public:
  WaitRun(const Program& p, const ProgramIndex& index) : p_(p), index_(index) {
    const auto n = p.ops.size();
    remaining_.assign(n, 0);
    stream_prev_.assign(n, -1);
    stream_next_.assign(n, -1);
    started_.assign(n, false);
    done_.assign(n, false);
    for (const Op& op : p.ops) remaining_[static_cast<std::size_t>(op.id)] = static_cast<int>(op.deps.size());
    for (const int r : p.present_ranks())
      for (int s = 0; s < kStreamCount; ++s) {
        OpId prev = -1;
        for (const OpId id : index.stream_ops(r, static_cast<Stream>(s))) {
          if (!on_stream(p.op(id))) continue;
          stream_prev_[static_cast<std::size_t>(id)] = prev;
          if (prev >= 0) stream_next_[static_cast<std::size_t>(prev)] = id;
          prev = id;
        }
      }
    for (const int inst : index.instances()) arrived_[inst] = 0;
  }

  // Phase 1: every op that can start, starts; completions wake their waiters.
  void run() {
    for (const Op& op : p_.ops) {
      // A receive from a rank outside a rank file completes there on its own.
      if (op.type == OpType::Recv && index_.partner(op.id) < 0 && p_.partial) finish(op.id);
      consider(op.id);
    }
    while (!ready_.empty()) {
      const OpId id = ready_.back();
      ready_.pop_back();
      start(id);
    }
  }

  bool all_done() const { return std::all_of(done_.begin(), done_.end(), [](bool d) { return d; }); }

  // Phase 2: from the lowest stuck op, follow what each waits for until an op
  // repeats: that loop is the cycle.
  std::string explain() const {
    const auto n = p_.ops.size();
    const auto stuck = static_cast<std::size_t>(std::count(done_.begin(), done_.end(), false));
    OpId at = static_cast<OpId>(std::find(done_.begin(), done_.end(), false) - done_.begin());
    std::vector<int> seen_at(n, -1);
    std::vector<std::string> steps;
    while (at >= 0 && seen_at[static_cast<std::size_t>(at)] < 0) {
      seen_at[static_cast<std::size_t>(at)] = static_cast<int>(steps.size());
      const auto [next, why] = waits_for(at);
      steps.push_back(fmt::format("{} waits for {}", describe(p_.op(at)), why));
      at = next;
    }
    const auto from = at >= 0 ? static_cast<std::size_t>(seen_at[static_cast<std::size_t>(at)]) : 0;
    constexpr std::size_t kShown = 12;
    std::string chain;
    for (std::size_t i = from; i < steps.size() && i < from + kShown; ++i) chain += (i > from ? ";\n  " : "  ") + steps[i];
    if (steps.size() > from + kShown) chain += fmt::format(";\n  ... and {} more", steps.size() - from - kShown);
    return fmt::format("the program deadlocks: {} of its {} ops never complete; {}:\n{}\nfix the deps or the order of "
                       "these ops", stuck, n, at >= 0 ? "a cycle of waits" : "a wait that nothing ends", chain);
  }

 private:
  void consider(OpId id) {
    const auto i = static_cast<std::size_t>(id);
    const Op& op = p_.op(id);
    if (started_[i] || done_[i] || op.type == OpType::Recv || remaining_[i] > 0) return;
    if (stream_prev_[i] >= 0 && !done_[static_cast<std::size_t>(stream_prev_[i])]) return;
    started_[i] = true;
    ready_.push_back(id);
  }

  void start(OpId id) {
    const Op& op = p_.op(id);
    if (op.type == OpType::Collective && index_.complete(op.instance)) {
      if (++arrived_[op.instance] < index_.held_members(op.instance)) return;
      for (const OpId m : index_.members(op.instance)) finish(m);
      return;
    }
    finish(id);
    if (op.type == OpType::Send && index_.partner(id) >= 0) finish(index_.partner(id));
  }

  void finish(OpId id) {
    const auto i = static_cast<std::size_t>(id);
    started_[i] = true;
    done_[i] = true;
    for (const OpId s : index_.successors(id))
      if (--remaining_[static_cast<std::size_t>(s)] == 0) consider(s);
    if (stream_next_[i] >= 0) consider(stream_next_[i]);
  }

  // The first unfinished thing `id` waits for: the op (-1: none) and why.
  std::pair<OpId, std::string> waits_for(OpId id) const {
    const auto i = static_cast<std::size_t>(id);
    const Op& op = p_.op(id);
    for (const OpId d : op.deps)
      if (!done_[static_cast<std::size_t>(d)]) return {d, fmt::format("op {} (a dependency)", d)};
    if (const OpId prev = stream_prev_[i]; prev >= 0 && !done_[static_cast<std::size_t>(prev)])
      return {prev, fmt::format("op {} (the previous op on its {} stream)", prev, to_string(op.stream))};
    if (op.type == OpType::Recv) {
      const OpId send = index_.partner(id);
      if (send >= 0) return {send, fmt::format("op {} (its send)", send)};
      return {-1, fmt::format("a send from rank {} with tag {}, which rank {} holds no ops to post", op.peer, op.tag,
                              op.peer)};
    }
    if (op.type == OpType::Collective)
      for (const OpId m : index_.members(op.instance))
        if (m >= 0 && m != id && !started_[static_cast<std::size_t>(m)])
          return {m, fmt::format("op {} (a member of collective instance {})", m, op.instance)};
    return {-1, "nothing it can name"};
  }

  const Program& p_;
  const ProgramIndex& index_;
  std::vector<int> remaining_;
  std::vector<OpId> stream_prev_, stream_next_, ready_;
  std::vector<bool> started_, done_;
  std::map<int, int> arrived_;
};

}  // namespace

std::optional<std::string> find_deadlock(const Program& p, const ProgramIndex& index) {
  WaitRun run(p, index);
  run.run();
  if (run.all_done()) return std::nullopt;
  return run.explain();
}

}  // namespace moeplan::program
