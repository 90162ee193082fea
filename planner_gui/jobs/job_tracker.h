// Job ids for one kind of request (KDAB hotspot's JobTracker): every new
// request bumps the id; a worker asks whether its id is still current, and a
// result is delivered only if no newer request replaced it.
#pragma once

#include <atomic>
#include <cstdint>

namespace moeplan::gui {

class JobTracker {
 public:
  std::uint64_t next() { return ++current_; }
  bool is_current(std::uint64_t id) const { return current_.load() == id; }
  std::uint64_t current() const { return current_.load(); }
  void invalidate() { ++current_; }

 private:
  std::atomic<std::uint64_t> current_{0};
};

}  // namespace moeplan::gui
