// Handing bytes between the ranks of one node without MPI: rank 0 writes the
// NCCL unique id to a file (written to a temporary name, then renamed, so a
// reader never sees half of it); the others wait for it to appear.
#pragma once

#include <string>

namespace moeplan::runtime {

void write_file_atomically(const std::string& path, const std::string& bytes);
// Waits until `path` exists, then returns its bytes. Throws std::runtime_error
// naming the path and the timeout when it does not appear in time.
std::string wait_for_file(const std::string& path, double timeout_s);

}  // namespace moeplan::runtime
