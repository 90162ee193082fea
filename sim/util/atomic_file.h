// Writes a file so that a failure never leaves half of it, and never passes
// silently: the content goes to `<path>.tmp`, is flushed and checked, and is
// renamed over `path` only when complete. Every error (folder missing, disk
// full, rename refused) throws std::runtime_error naming the file. A target
// that exists and is not a regular file (/dev/stdout, a FIFO) is written in
// place and checked the same way.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace moeplan {

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace moeplan
