// RAII owner of one cuDNN backend descriptor (cudnnBackendCreateDescriptor),
// with setters that throw on failure naming the descriptor, the attribute and
// cuDNN's own status string and last error message. Used by the attention
// graphs in cudnn_mla_attention.cpp; only the cuDNN C backend API is used.
#pragma once

#include <cudnn.h>

#include <cstdint>
#include <string>
#include <utility>

namespace moeplan::kernels {

// Throws std::runtime_error: "cuDNN: <what> failed: <status name> (<last error>)".
[[noreturn]] void throw_cudnn_error(cudnnStatus_t status, const std::string& what);

inline void check_cudnn(cudnnStatus_t status, const std::string& what) {
  if (status != CUDNN_STATUS_SUCCESS) throw_cudnn_error(status, what);
}

class BackendDescriptor {
 public:
  // `name` says which node this is (e.g. "fwd S=Q.K^T matmul"); it prefixes every error.
  BackendDescriptor(cudnnBackendDescriptorType_t type, std::string name);
  ~BackendDescriptor();
  BackendDescriptor(const BackendDescriptor&) = delete;
  BackendDescriptor& operator=(const BackendDescriptor&) = delete;
  BackendDescriptor(BackendDescriptor&& other) noexcept
      : descriptor_(std::exchange(other.descriptor_, nullptr)), name_(std::move(other.name_)) {}

  // attribute_name is the enumerator's spelling, for the error message.
  void set(cudnnBackendAttributeName_t attribute, const char* attribute_name,
           cudnnBackendAttributeType_t type, std::int64_t count, const void* values);
  void set_descriptor(cudnnBackendAttributeName_t attribute, const char* attribute_name,
                      const BackendDescriptor& value);
  void finalize();
  // Finalize without throwing (engine configs a plan may reject); returns the status.
  cudnnStatus_t try_finalize();

  cudnnBackendDescriptor_t get() const { return descriptor_; }
  const std::string& name() const { return name_; }

 private:
  cudnnBackendDescriptor_t descriptor_ = nullptr;
  std::string name_;
};

}  // namespace moeplan::kernels

// Passes an attribute enumerator together with its spelling.
#define MOEPLAN_CUDNN_ATTR(attribute) attribute, #attribute
