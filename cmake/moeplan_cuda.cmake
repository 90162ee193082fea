# The CUDA toolchain moeplan's kernels and their tests build with. Included by
# every directory that compiles or links CUDA code (CUDA language settings are
# per directory scope), so they all agree.
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  # Hopper only; no wgmma in these kernels, so plain sm_90 is enough.
  set(CMAKE_CUDA_ARCHITECTURES 90)
endif()
if(NOT DEFINED CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
  set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
endif()
set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
enable_language(CUDA)
# CMake 3.25 does not know that nvcc 12+ accepts C++20; tell it, so the CUDA
# sources build with the same dialect as the host code (CMAKE_CXX_STANDARD).
set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
find_package(CUDAToolkit REQUIRED)
