#include "attention/cudnn_backend_descriptor.h"

#include <stdexcept>

namespace moeplan::kernels {

void throw_cudnn_error(cudnnStatus_t status, const std::string& what) {
  char last_error[512] = {};
  cudnnGetLastErrorString(last_error, sizeof(last_error));
  throw std::runtime_error("cuDNN: " + what + " failed: " + cudnnGetErrorString(status) +
                           (last_error[0] != '\0' ? std::string(" (") + last_error + ")" : ""));
}

BackendDescriptor::BackendDescriptor(cudnnBackendDescriptorType_t type, std::string name)
    : name_(std::move(name)) {
  check_cudnn(cudnnBackendCreateDescriptor(type, &descriptor_),
              name_ + ": cudnnBackendCreateDescriptor(type " + std::to_string(static_cast<int>(type)) + ")");
}

BackendDescriptor::~BackendDescriptor() {
  if (descriptor_ != nullptr) (void)cudnnBackendDestroyDescriptor(descriptor_);
}

void BackendDescriptor::set(cudnnBackendAttributeName_t attribute, const char* attribute_name,
                            cudnnBackendAttributeType_t type, std::int64_t count,
                            const void* values) {
  check_cudnn(cudnnBackendSetAttribute(descriptor_, attribute, type, count, values),
              name_ + ": cudnnBackendSetAttribute(" + attribute_name + ")");
}

void BackendDescriptor::set_descriptor(cudnnBackendAttributeName_t attribute,
                                       const char* attribute_name, const BackendDescriptor& value) {
  cudnnBackendDescriptor_t raw = value.get();
  check_cudnn(cudnnBackendSetAttribute(descriptor_, attribute, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &raw),
              name_ + ": cudnnBackendSetAttribute(" + attribute_name + " = " + value.name() + ")");
}

void BackendDescriptor::finalize() {
  check_cudnn(cudnnBackendFinalize(descriptor_), name_ + ": cudnnBackendFinalize");
}

cudnnStatus_t BackendDescriptor::try_finalize() { return cudnnBackendFinalize(descriptor_); }

}  // namespace moeplan::kernels
