// Sigmoid that gives the same bits on the host and the device.
//
// Expert selection compares biased scores, so the reference and the kernel
// must compute identical floats or near-ties flip. expf differs between glibc
// and CUDA by an ulp or two; this version uses only IEEE-exact primitives
// (fmaf, rintf, exact power-of-two scaling, correctly rounded division), which
// both sides evaluate identically. Relative error against the true sigmoid is
// a few ulp.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define MOEPLAN_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define MOEPLAN_HOST_DEVICE inline
#endif

namespace moeplan::kernels {

MOEPLAN_HOST_DEVICE float portable_pow2i(int exponent) {  // 2^exponent, exponent in [-126, 127]
  const std::uint32_t bits = static_cast<std::uint32_t>(exponent + 127) << 23;
  float result;
  std::memcpy(&result, &bits, sizeof(result));
  return result;
}

// a*b rounded once, never fused with a following add by the device compiler.
MOEPLAN_HOST_DEVICE float portable_mul(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}

// exp(x) for x in [-80, 80] (callers clamp): x = n ln2 + r, |r| <= ln2/2,
// exp(r) by a degree-7 Taylor polynomial in Horner form with fmaf.
MOEPLAN_HOST_DEVICE float portable_exp(float x) {
  const float n = rintf(portable_mul(x, 1.44269504f));
  float r = fmaf(-n, 0.693145752f, x);  // ln2 high part (exact product for |n| < 2^11)
  r = fmaf(-n, 1.42860677e-6f, r);      // ln2 low part
  float p = 1.98412698e-4f;             // 1/7!
  p = fmaf(p, r, 1.38888889e-3f);
  p = fmaf(p, r, 8.33333333e-3f);
  p = fmaf(p, r, 4.16666667e-2f);
  p = fmaf(p, r, 1.66666667e-1f);
  p = fmaf(p, r, 0.5f);
  p = fmaf(p, r, 1.0f);
  p = fmaf(p, r, 1.0f);
  return portable_mul(p, portable_pow2i(static_cast<int>(n)));
}

MOEPLAN_HOST_DEVICE float portable_sigmoid(float x) {
  const float clamped = fminf(fmaxf(x, -80.0f), 80.0f);
  return 1.0f / (1.0f + portable_exp(-clamped));
}

}  // namespace moeplan::kernels
