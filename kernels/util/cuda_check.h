// Error checks for CUDA runtime and cuBLAS calls. A failure is a broken
// invariant of the caller or the machine: throw with file:line, the call and
// the library's own message.
#pragma once

#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace moeplan::kernels {

[[noreturn]] inline void throw_cuda_error(cudaError_t status, const char* call, const char* file,
                                          int line) {
  throw std::runtime_error(std::string("kernels: ") + file + ":" + std::to_string(line) + ": " +
                           call + " failed: " + cudaGetErrorName(status) + " (" +
                           cudaGetErrorString(status) + ")");
}

[[noreturn]] inline void throw_invalid_argument(const std::string& what, const char* file,
                                                int line) {
  throw std::invalid_argument(std::string("kernels: ") + file + ":" + std::to_string(line) +
                              ": " + what);
}

}  // namespace moeplan::kernels

#define MOEPLAN_CUDA_CHECK(call)                                                   \
  do {                                                                             \
    const cudaError_t moeplan_status_ = (call);                                    \
    if (moeplan_status_ != cudaSuccess)                                            \
      ::moeplan::kernels::throw_cuda_error(moeplan_status_, #call, __FILE__, __LINE__); \
  } while (0)

// After a kernel launch: configuration errors surface here, faults at the next sync.
#define MOEPLAN_CUDA_CHECK_LAUNCH() MOEPLAN_CUDA_CHECK(cudaGetLastError())

#define MOEPLAN_REQUIRE(condition, message)                                         \
  do {                                                                              \
    if (!(condition))                                                               \
      ::moeplan::kernels::throw_invalid_argument(                                   \
          std::string("requirement `" #condition "` failed: ") + (message), __FILE__, __LINE__); \
  } while (0)
