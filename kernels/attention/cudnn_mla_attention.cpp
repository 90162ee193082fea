// CudnnAttention: the fused flash-attention forward and backward graphs of
// cuDNN 9, built with the backend descriptor API.
//
//   phase 1  construction: one cuDNN handle; forward graph, backward graph
//   phase 2  per graph: engine heuristics (mode A, then fallback), first engine
//            config whose execution plan finalizes wins
//   phase 3  forward()/backward(): a variant pack of device pointers (host
//            pointers for the by-value scalars), executed on the caller's stream
//
// Tensors are 4-D [batch, heads, rows, cols] views of the [batch, seq, heads, dim]
// buffers: Q dims {b, h, s, d} strides {s*h*d, d, h*d, 1}; K enters as K^T with
// dims {b, h, d, s} and strides {s*h*d, d, 1, h*d} (V^T likewise in backward).
//
// Forward graph (the pattern the runtime-fusion flash-attention engines match):
//   S = matmul(Q, K^T) -> S * scale -> [causal: GEN_INDEX row, GEN_INDEX col,
//   CMP_GE, BINARY_SELECT(S, lowest, row >= col)] -> max = reduce_max(S),
//   e = exp(S - max), sum = reduce_add(e), stats = max + log(sum) (output),
//   P = e / sum (bf16) -> O = matmul(P, V)
// Backward graph:
//   softmax_sum = reduce_add(dO * O) * 1 (fp32 scratch), S = matmul(Q, K^T) * scale
//   - stats -> causal mask -> P = exp(.) ; dV = matmul(reshape(P)^T, dO)
//   dS = (matmul(dO, V^T) - softmax_sum) * P * scale ; dK = matmul(reshape(dS)^T, Q)
//   dQ_accum (fp32 scratch) = matmul(dS, reshape(K^T)) ; dQ = identity(dQ_accum)
#include "attention/cudnn_mla_attention.h"

#include <cudnn.h>

#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention/cudnn_backend_descriptor.h"
#include "util/cuda_check.h"

namespace moeplan::kernels {
namespace {

using Dims = std::array<std::int64_t, 4>;

// Unique ids of the non-virtual tensors (the variant packs); virtual tensors
// are numbered from kFirstVirtualUid.
enum TensorUid : std::int64_t {
  kUidQ = 1,
  kUidK,
  kUidV,
  kUidO,
  kUidStats,
  kUidScale,
  kUidMaskValue,
  kUidDo,
  kUidDq,
  kUidDk,
  kUidDv,
  kUidOne,
  kUidSoftmaxSum,
  kUidDqAccum,
  kUidPrefix,
};
constexpr std::int64_t kFirstVirtualUid = 100;
constexpr std::int64_t kTensorAlignmentBytes = 16;

std::size_t align_up(std::size_t bytes) { return (bytes + 255) / 256 * 256; }

class CudnnHandle {
 public:
  CudnnHandle() { check_cudnn(cudnnCreate(&handle_), "cudnnCreate"); }
  ~CudnnHandle() { (void)cudnnDestroy(handle_); }
  CudnnHandle(const CudnnHandle&) = delete;
  CudnnHandle& operator=(const CudnnHandle&) = delete;
  cudnnHandle_t get() const { return handle_; }

 private:
  cudnnHandle_t handle_ = nullptr;
};

// One operation graph under construction; owns every descriptor it creates
// (addresses stay stable, so nodes refer to tensors by reference).
class GraphBuilder {
 public:
  explicit GraphBuilder(std::string prefix) : prefix_(std::move(prefix)) {}

  const BackendDescriptor& tensor(const std::string& name, std::int64_t uid, cudnnDataType_t type,
                                  const Dims& dims, const Dims& strides, bool is_virtual,
                                  bool by_value = false) {
    auto& t = own(CUDNN_BACKEND_TENSOR_DESCRIPTOR, "tensor " + name);
    t.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_TENSOR_DATA_TYPE), CUDNN_TYPE_DATA_TYPE, 1, &type);
    t.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_TENSOR_DIMENSIONS), CUDNN_TYPE_INT64, 4, dims.data());
    t.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_TENSOR_STRIDES), CUDNN_TYPE_INT64, 4, strides.data());
    t.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_TENSOR_UNIQUE_ID), CUDNN_TYPE_INT64, 1, &uid);
    t.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT), CUDNN_TYPE_INT64, 1,
          &kTensorAlignmentBytes);
    t.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_TENSOR_IS_VIRTUAL), CUDNN_TYPE_BOOLEAN, 1, &is_virtual);
    if (by_value)
      t.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_TENSOR_IS_BY_VALUE), CUDNN_TYPE_BOOLEAN, 1, &by_value);
    t.finalize();
    return t;
  }
  const BackendDescriptor& virtual_tensor(const std::string& name, cudnnDataType_t type,
                                          const Dims& dims, const Dims& strides) {
    return tensor(name, next_virtual_uid_++, type, dims, strides, true);
  }
  // A by-value fp32 scalar {1,1,1,1}; its variant-pack pointer is a host pointer.
  const BackendDescriptor& scalar(const std::string& name, std::int64_t uid,
                                  cudnnDataType_t type = CUDNN_DATA_FLOAT) {
    return tensor(name, uid, type, {1, 1, 1, 1}, {1, 1, 1, 1}, false, true);
  }

  // y = mode(x [, b [, t]]); axis only for GEN_INDEX.
  void pointwise(const std::string& name, cudnnPointwiseMode_t mode, cudnnDataType_t math,
                 const BackendDescriptor& x, const BackendDescriptor& y,
                 const BackendDescriptor* b = nullptr, const BackendDescriptor* t = nullptr,
                 std::int64_t axis = -1) {
    auto& desc = own(CUDNN_BACKEND_POINTWISE_DESCRIPTOR, "pointwise descriptor of " + name);
    desc.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_POINTWISE_MODE), CUDNN_TYPE_POINTWISE_MODE, 1, &mode);
    desc.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_POINTWISE_MATH_PREC), CUDNN_TYPE_DATA_TYPE, 1, &math);
    if (axis >= 0)
      desc.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_POINTWISE_AXIS), CUDNN_TYPE_INT64, 1, &axis);
    desc.finalize();
    auto& op = own_op(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR, "pointwise " + name);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR), desc);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_POINTWISE_XDESC), x);
    if (b != nullptr) op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_POINTWISE_BDESC), *b);
    if (t != nullptr) op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_POINTWISE_TDESC), *t);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_POINTWISE_YDESC), y);
    op.finalize();
  }

  // c = a . b, batched over the two leading dimensions, fp32 accumulation.
  void matmul(const std::string& name, const BackendDescriptor& a, const BackendDescriptor& b,
              const BackendDescriptor& c) {
    auto& desc = own(CUDNN_BACKEND_MATMUL_DESCRIPTOR, "matmul descriptor of " + name);
    const cudnnDataType_t compute = CUDNN_DATA_FLOAT;
    desc.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_MATMUL_COMP_TYPE), CUDNN_TYPE_DATA_TYPE, 1, &compute);
    desc.finalize();
    auto& op = own_op(CUDNN_BACKEND_OPERATION_MATMUL_DESCRIPTOR, "matmul " + name);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_MATMUL_ADESC), a);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_MATMUL_BDESC), b);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_MATMUL_CDESC), c);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_MATMUL_DESC), desc);
    op.finalize();
  }

  // y = reduce(x) over the dimensions where y has extent 1.
  void reduction(const std::string& name, cudnnReduceTensorOp_t reduce_op,
                 const BackendDescriptor& x, const BackendDescriptor& y) {
    auto& desc = own(CUDNN_BACKEND_REDUCTION_DESCRIPTOR, "reduction descriptor of " + name);
    const cudnnDataType_t compute = CUDNN_DATA_FLOAT;
    desc.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_REDUCTION_OPERATOR), CUDNN_TYPE_REDUCTION_OPERATOR_TYPE,
             1, &reduce_op);
    desc.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_REDUCTION_COMP_TYPE), CUDNN_TYPE_DATA_TYPE, 1, &compute);
    desc.finalize();
    auto& op = own_op(CUDNN_BACKEND_OPERATION_REDUCTION_DESCRIPTOR, "reduction " + name);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_REDUCTION_XDESC), x);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_REDUCTION_YDESC), y);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_REDUCTION_DESC), desc);
    op.finalize();
  }

  // y: the same elements as x seen through other dims/strides (a transpose here).
  void reshape(const std::string& name, const BackendDescriptor& x, const BackendDescriptor& y) {
    auto& op = own_op(CUDNN_BACKEND_OPERATION_RESHAPE_DESCRIPTOR, "reshape " + name);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_RESHAPE_XDESC), x);
    op.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATION_RESHAPE_YDESC), y);
    op.finalize();
  }

  std::unique_ptr<BackendDescriptor> operation_graph(cudnnHandle_t handle) {
    auto graph = std::make_unique<BackendDescriptor>(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR,
                                                     prefix_ + " operation graph");
    std::vector<cudnnBackendDescriptor_t> raw;
    for (const auto& op : ops_) raw.push_back(op->get());
    graph->set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATIONGRAPH_OPS), CUDNN_TYPE_BACKEND_DESCRIPTOR,
               static_cast<std::int64_t>(raw.size()), raw.data());
    graph->set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_OPERATIONGRAPH_HANDLE), CUDNN_TYPE_HANDLE, 1, &handle);
    graph->finalize();
    return graph;
  }

 private:
  BackendDescriptor& own(cudnnBackendDescriptorType_t type, const std::string& name) {
    descriptors_.push_back(std::make_unique<BackendDescriptor>(type, prefix_ + " " + name));
    return *descriptors_.back();
  }
  BackendDescriptor& own_op(cudnnBackendDescriptorType_t type, const std::string& name) {
    ops_.push_back(std::make_unique<BackendDescriptor>(type, prefix_ + " " + name));
    return *ops_.back();
  }

  std::string prefix_;
  std::vector<std::unique_ptr<BackendDescriptor>> descriptors_;  // tensors and op attributes
  std::vector<std::unique_ptr<BackendDescriptor>> ops_;
  std::int64_t next_virtual_uid_ = kFirstVirtualUid;
};

// Views of the [batch, seq, heads, dim] buffers and of the score matrix. K and
// V hold kv_ rows per sequence (kv_ = s_ but over a cached prefix).
struct Layouts {
  Layouts(const AttentionShape& shape)
      : b_(shape.batch_), h_(shape.heads_), s_(shape.seq_), kv_(shape.kv()), dqk_(shape.qk_dim_),
        dv_(shape.v_dim_) {}
  Dims rows(std::int64_t d) const { return {b_, h_, s_, d}; }
  Dims row_strides(std::int64_t d) const { return {s_ * h_ * d, d, h_ * d, 1}; }
  Dims kv_rows(std::int64_t d) const { return {b_, h_, kv_, d}; }
  Dims kv_row_strides(std::int64_t d) const { return {kv_ * h_ * d, d, h_ * d, 1}; }
  Dims transposed(std::int64_t d) const { return {b_, h_, d, kv_}; }
  Dims transposed_strides(std::int64_t d) const { return {kv_ * h_ * d, d, 1, h_ * d}; }
  Dims packed_strides(std::int64_t d) const { return {h_ * s_ * d, s_ * d, d, 1}; }  // [b, h, s, d]
  Dims scores() const { return {b_, h_, s_, kv_}; }
  Dims score_strides() const { return {h_ * s_ * kv_, s_ * kv_, kv_, 1}; }
  Dims scores_transposed_strides() const { return {h_ * s_ * kv_, s_ * kv_, 1, kv_}; }
  Dims stats() const { return {b_, h_, s_, 1}; }
  Dims stats_strides() const { return {h_ * s_, s_, 1, 1}; }
  std::int64_t b_, h_, s_, kv_, dqk_, dv_;
};

// Scores outside the causal triangle become `mask_value` (fp32 lowest): col >
// row, or over a cached prefix col > row + (kv - s) (aligned bottom-right:
// `prefix` is a by-value int32 scalar holding kv - s).
const BackendDescriptor& causal_mask(GraphBuilder& g, const Layouts& l,
                                     const BackendDescriptor& scores,
                                     const BackendDescriptor& mask_value,
                                     const BackendDescriptor* prefix = nullptr) {
  auto& row = g.virtual_tensor("row index", CUDNN_DATA_INT32, l.scores(), l.score_strides());
  auto& col = g.virtual_tensor("col index", CUDNN_DATA_INT32, l.scores(), l.score_strides());
  auto& keep = g.virtual_tensor("row >= col", CUDNN_DATA_BOOLEAN, l.scores(), l.score_strides());
  auto& masked = g.virtual_tensor("masked S", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  g.pointwise("gen row index", CUDNN_POINTWISE_GEN_INDEX, CUDNN_DATA_INT32, scores, row, nullptr,
              nullptr, 2);
  g.pointwise("gen col index", CUDNN_POINTWISE_GEN_INDEX, CUDNN_DATA_INT32, scores, col, nullptr,
              nullptr, 3);
  const BackendDescriptor* last_key = &row;
  if (prefix != nullptr) {
    auto& shifted = g.virtual_tensor("row + prefix", CUDNN_DATA_INT32, l.scores(), l.score_strides());
    g.pointwise("row + prefix", CUDNN_POINTWISE_ADD, CUDNN_DATA_INT32, row, shifted, prefix);
    last_key = &shifted;
  }
  g.pointwise("row >= col", CUDNN_POINTWISE_CMP_GE, CUDNN_DATA_BOOLEAN, *last_key, keep, &col);
  g.pointwise("causal select", CUDNN_POINTWISE_BINARY_SELECT, CUDNN_DATA_FLOAT, scores, masked,
              &mask_value, &keep);
  return masked;
}

// S = scale * Q . K^T as fp32 virtual tensor.
const BackendDescriptor& scaled_scores(GraphBuilder& g, const Layouts& l,
                                       const BackendDescriptor& q, const BackendDescriptor& k_t,
                                       const BackendDescriptor& scale) {
  auto& s = g.virtual_tensor("S", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  g.matmul("S = Q.K^T", q, k_t, s);
  auto& scaled = g.virtual_tensor("S*scale", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  g.pointwise("S*scale", CUDNN_POINTWISE_MUL, CUDNN_DATA_FLOAT, s, scaled, &scale);
  return scaled;
}

void build_forward_graph(GraphBuilder& g, const AttentionShape& shape) {
  const Layouts l(shape);
  auto& q = g.tensor("Q", kUidQ, CUDNN_DATA_BFLOAT16, l.rows(l.dqk_), l.row_strides(l.dqk_), false);
  auto& k_t = g.tensor("K^T", kUidK, CUDNN_DATA_BFLOAT16, l.transposed(l.dqk_),
                       l.transposed_strides(l.dqk_), false);
  auto& v = g.tensor("V", kUidV, CUDNN_DATA_BFLOAT16, l.kv_rows(l.dv_), l.kv_row_strides(l.dv_), false);
  auto& o = g.tensor("O", kUidO, CUDNN_DATA_BFLOAT16, l.rows(l.dv_), l.row_strides(l.dv_), false);
  auto& stats = g.tensor("stats", kUidStats, CUDNN_DATA_FLOAT, l.stats(), l.stats_strides(), false);
  auto& scale = g.scalar("scale", kUidScale);

  const BackendDescriptor* logits = &scaled_scores(g, l, q, k_t, scale);
  const BackendDescriptor* prefix = l.kv_ != l.s_ ? &g.scalar("prefix", kUidPrefix, CUDNN_DATA_INT32) : nullptr;
  if (shape.causal_) logits = &causal_mask(g, l, *logits, g.scalar("mask value", kUidMaskValue), prefix);

  auto& row_max = g.virtual_tensor("row max", CUDNN_DATA_FLOAT, l.stats(), l.stats_strides());
  auto& shifted = g.virtual_tensor("S - max", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  auto& exp_s = g.virtual_tensor("exp", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  auto& row_sum = g.virtual_tensor("row sum", CUDNN_DATA_FLOAT, l.stats(), l.stats_strides());
  auto& log_sum = g.virtual_tensor("log sum", CUDNN_DATA_FLOAT, l.stats(), l.stats_strides());
  auto& p = g.virtual_tensor("P", CUDNN_DATA_BFLOAT16, l.scores(), l.score_strides());
  g.reduction("row max", CUDNN_REDUCE_TENSOR_MAX, *logits, row_max);
  g.pointwise("S - max", CUDNN_POINTWISE_SUB, CUDNN_DATA_FLOAT, *logits, shifted, &row_max);
  g.pointwise("exp", CUDNN_POINTWISE_EXP, CUDNN_DATA_FLOAT, shifted, exp_s);
  g.reduction("row sum", CUDNN_REDUCE_TENSOR_ADD, exp_s, row_sum);
  g.pointwise("log sum", CUDNN_POINTWISE_LOG, CUDNN_DATA_FLOAT, row_sum, log_sum);
  g.pointwise("stats = max + log sum", CUDNN_POINTWISE_ADD, CUDNN_DATA_FLOAT, row_max, stats,
              &log_sum);
  g.pointwise("P = exp / sum", CUDNN_POINTWISE_DIV, CUDNN_DATA_FLOAT, exp_s, p, &row_sum);
  g.matmul("O = P.V", p, v, o);
}

void build_backward_graph(GraphBuilder& g, const AttentionShape& shape) {
  const Layouts l(shape);
  auto& q = g.tensor("Q", kUidQ, CUDNN_DATA_BFLOAT16, l.rows(l.dqk_), l.row_strides(l.dqk_), false);
  auto& k_t = g.tensor("K^T", kUidK, CUDNN_DATA_BFLOAT16, l.transposed(l.dqk_),
                       l.transposed_strides(l.dqk_), false);
  auto& v_t = g.tensor("V^T", kUidV, CUDNN_DATA_BFLOAT16, l.transposed(l.dv_),
                       l.transposed_strides(l.dv_), false);
  auto& o = g.tensor("O", kUidO, CUDNN_DATA_BFLOAT16, l.rows(l.dv_), l.row_strides(l.dv_), false);
  auto& d_o = g.tensor("dO", kUidDo, CUDNN_DATA_BFLOAT16, l.rows(l.dv_), l.row_strides(l.dv_), false);
  auto& stats = g.tensor("stats", kUidStats, CUDNN_DATA_FLOAT, l.stats(), l.stats_strides(), false);
  auto& d_q = g.tensor("dQ", kUidDq, CUDNN_DATA_BFLOAT16, l.rows(l.dqk_), l.row_strides(l.dqk_), false);
  auto& d_k = g.tensor("dK", kUidDk, CUDNN_DATA_BFLOAT16, l.rows(l.dqk_), l.row_strides(l.dqk_), false);
  auto& d_v = g.tensor("dV", kUidDv, CUDNN_DATA_BFLOAT16, l.rows(l.dv_), l.row_strides(l.dv_), false);
  auto& softmax_sum = g.tensor("softmax_sum", kUidSoftmaxSum, CUDNN_DATA_FLOAT, l.stats(),
                               l.stats_strides(), false);
  auto& d_q_accum = g.tensor("dQ accum", kUidDqAccum, CUDNN_DATA_FLOAT, l.rows(l.dqk_),
                             l.packed_strides(l.dqk_), false);
  auto& scale = g.scalar("scale", kUidScale);
  auto& one = g.scalar("one", kUidOne);

  // softmax_sum = rowsum(dO * O)
  auto& d_o_o = g.virtual_tensor("dO*O", CUDNN_DATA_FLOAT, l.rows(l.dv_), l.packed_strides(l.dv_));
  auto& row_dot = g.virtual_tensor("rowsum dO*O", CUDNN_DATA_FLOAT, l.stats(), l.stats_strides());
  g.pointwise("dO*O", CUDNN_POINTWISE_MUL, CUDNN_DATA_FLOAT, d_o, d_o_o, &o);
  g.reduction("rowsum dO*O", CUDNN_REDUCE_TENSOR_ADD, d_o_o, row_dot);
  g.pointwise("softmax_sum", CUDNN_POINTWISE_MUL, CUDNN_DATA_FLOAT, row_dot, softmax_sum, &one);

  // P = exp(scale * Q.K^T - stats), masked; dV = P^T . dO
  auto& scaled = scaled_scores(g, l, q, k_t, scale);
  auto& centred = g.virtual_tensor("S - stats", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  g.pointwise("S - stats", CUDNN_POINTWISE_SUB, CUDNN_DATA_FLOAT, scaled, centred, &stats);
  const BackendDescriptor* logits = &centred;
  if (shape.causal_) logits = &causal_mask(g, l, centred, g.scalar("mask value", kUidMaskValue));
  auto& p = g.virtual_tensor("P", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  g.pointwise("P = exp", CUDNN_POINTWISE_EXP, CUDNN_DATA_FLOAT, *logits, p);
  auto& p_t = g.virtual_tensor("P^T", CUDNN_DATA_BFLOAT16, l.scores(), l.scores_transposed_strides());
  g.reshape("P^T", p, p_t);
  g.matmul("dV = P^T.dO", p_t, d_o, d_v);

  // dS = scale * P * (dO.V^T - softmax_sum); dK = dS^T . Q
  auto& d_p = g.virtual_tensor("dP", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  g.matmul("dP = dO.V^T", d_o, v_t, d_p);
  auto& d_p_centred = g.virtual_tensor("dP - sum", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  g.pointwise("dP - softmax_sum", CUDNN_POINTWISE_SUB, CUDNN_DATA_FLOAT, d_p, d_p_centred, &softmax_sum);
  auto& d_s_unscaled = g.virtual_tensor("P*(dP-sum)", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  g.pointwise("P*(dP-sum)", CUDNN_POINTWISE_MUL, CUDNN_DATA_FLOAT, d_p_centred, d_s_unscaled, &p);
  auto& d_s = g.virtual_tensor("dS", CUDNN_DATA_FLOAT, l.scores(), l.score_strides());
  g.pointwise("dS = scale*...", CUDNN_POINTWISE_MUL, CUDNN_DATA_FLOAT, d_s_unscaled, d_s, &scale);
  auto& d_s_t = g.virtual_tensor("dS^T", CUDNN_DATA_BFLOAT16, l.scores(), l.scores_transposed_strides());
  g.reshape("dS^T", d_s, d_s_t);
  g.matmul("dK = dS^T.Q", d_s_t, q, d_k);

  // dQ = dS . K, accumulated in fp32 scratch, then converted
  auto& k = g.virtual_tensor("K", CUDNN_DATA_BFLOAT16, l.rows(l.dqk_), l.row_strides(l.dqk_));
  g.reshape("K = (K^T)^T", k_t, k);
  g.matmul("dQ accum = dS.K", d_s, k, d_q_accum);
  g.pointwise("dQ = dQ accum", CUDNN_POINTWISE_IDENTITY, CUDNN_DATA_FLOAT, d_q_accum, d_q);
}

// An execution plan and the engine config it was built from.
struct Plan {
  std::unique_ptr<BackendDescriptor> config_;
  std::unique_ptr<BackendDescriptor> plan_;
  std::int64_t workspace_bytes_ = 0;
  std::int64_t engine_index_ = -1;  // CUDNN_ATTR_ENGINE_GLOBAL_INDEX of the chosen engine
};

std::int64_t engine_global_index(const BackendDescriptor& config, const std::string& what) {
  BackendDescriptor engine(CUDNN_BACKEND_ENGINE_DESCRIPTOR, what + " engine");
  cudnnBackendDescriptor_t raw = engine.get();
  std::int64_t returned = 0, index = -1;
  check_cudnn(cudnnBackendGetAttribute(config.get(), CUDNN_ATTR_ENGINECFG_ENGINE,
                                       CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &returned, &raw),
              what + ": CUDNN_ATTR_ENGINECFG_ENGINE");
  check_cudnn(cudnnBackendGetAttribute(raw, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1,
                                       &returned, &index),
              what + ": CUDNN_ATTR_ENGINE_GLOBAL_INDEX");
  return index;
}

// Heuristics mode A, then the fallback list; the first config whose plan
// finalizes wins. Throws with every mode's answer when none does.
Plan build_plan(cudnnHandle_t handle, const BackendDescriptor& graph, const std::string& what) {
  std::string answers;
  for (cudnnBackendHeurMode_t mode : {CUDNN_HEUR_MODE_A, CUDNN_HEUR_MODE_FALLBACK}) {
    const std::string mode_name = mode == CUDNN_HEUR_MODE_A ? "heuristics mode A" : "fallback";
    BackendDescriptor heuristics(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR, what + " " + mode_name);
    heuristics.set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH), graph);
    heuristics.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_ENGINEHEUR_MODE), CUDNN_TYPE_HEUR_MODE, 1, &mode);
    const cudnnStatus_t finalized = heuristics.try_finalize();
    if (finalized != CUDNN_STATUS_SUCCESS) {
      answers += " " + mode_name + ": finalize " + cudnnGetErrorString(finalized) + ";";
      continue;
    }
    std::int64_t count = 0;
    check_cudnn(cudnnBackendGetAttribute(heuristics.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                         CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &count, nullptr),
                what + " " + mode_name + ": count of CUDNN_ATTR_ENGINEHEUR_RESULTS");
    std::vector<std::unique_ptr<BackendDescriptor>> configs;
    std::vector<cudnnBackendDescriptor_t> raw;
    for (std::int64_t i = 0; i < count; ++i) {
      configs.push_back(std::make_unique<BackendDescriptor>(
          CUDNN_BACKEND_ENGINECFG_DESCRIPTOR, what + " engine config " + std::to_string(i)));
      raw.push_back(configs.back()->get());
    }
    std::int64_t returned = 0;
    if (count > 0)
      check_cudnn(cudnnBackendGetAttribute(heuristics.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                           CUDNN_TYPE_BACKEND_DESCRIPTOR, count, &returned, raw.data()),
                  what + " " + mode_name + ": CUDNN_ATTR_ENGINEHEUR_RESULTS");
    answers += " " + mode_name + ": " + std::to_string(returned) + " configs";
    for (std::int64_t i = 0; i < returned; ++i) {
      auto plan = std::make_unique<BackendDescriptor>(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR,
                                                      what + " execution plan");
      plan->set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_EXECUTION_PLAN_HANDLE), CUDNN_TYPE_HANDLE, 1, &handle);
      plan->set_descriptor(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG),
                           *configs[static_cast<std::size_t>(i)]);
      const cudnnStatus_t status = plan->try_finalize();
      if (status == CUDNN_STATUS_SUCCESS) {
        Plan chosen;
        check_cudnn(cudnnBackendGetAttribute(plan->get(), CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE,
                                             CUDNN_TYPE_INT64, 1, &returned, &chosen.workspace_bytes_),
                    what + ": CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE");
        chosen.engine_index_ = engine_global_index(*configs[static_cast<std::size_t>(i)], what);
        chosen.config_ = std::move(configs[static_cast<std::size_t>(i)]);
        chosen.plan_ = std::move(plan);
        return chosen;
      }
      char last_error[256] = {};
      cudnnGetLastErrorString(last_error, sizeof(last_error));
      answers += std::string(", config ") + std::to_string(i) + " plan finalize " +
                 cudnnGetErrorString(status) + " (" + last_error + ")";
    }
    answers += ";";
  }
  throw std::runtime_error("cuDNN: " + what + ": no engine accepted the graph:" + answers);
}

void execute(cudnnHandle_t handle, const Plan& plan, const std::vector<std::int64_t>& uids,
             const std::vector<void*>& pointers, void* workspace, const std::string& what) {
  BackendDescriptor pack(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR, what + " variant pack");
  pack.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS), CUDNN_TYPE_INT64,
           static_cast<std::int64_t>(uids.size()), uids.data());
  pack.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS), CUDNN_TYPE_VOID_PTR,
           static_cast<std::int64_t>(pointers.size()), pointers.data());
  pack.set(MOEPLAN_CUDNN_ATTR(CUDNN_ATTR_VARIANT_PACK_WORKSPACE), CUDNN_TYPE_VOID_PTR, 1, &workspace);
  pack.finalize();
  check_cudnn(cudnnBackendExecute(handle, plan.plan_->get(), pack.get()), what + ": cudnnBackendExecute");
}

}  // namespace

struct CudnnAttention::Plans {
  CudnnHandle handle_;  // declared first: destroyed last
  GraphBuilder forward_builder_{"attention forward"};
  GraphBuilder backward_builder_{"attention backward"};
  std::unique_ptr<BackendDescriptor> forward_graph_;
  std::unique_ptr<BackendDescriptor> backward_graph_;
  Plan forward_;
  Plan backward_;
  // Host values of the by-value scalars (the variant packs point here).
  float scale_ = 1.0f;
  float mask_value_ = std::numeric_limits<float>::lowest();
  float one_ = 1.0f;
  std::int32_t prefix_ = 0;  // kv - seq: cached keys before a sequence's new tokens
};

CudnnAttention::CudnnAttention(const AttentionShape& shape) : shape_(shape) {
  MOEPLAN_REQUIRE(shape.batch_ >= 1 && shape.seq_ >= 1 && shape.heads_ >= 1,
                  "batch " + std::to_string(shape.batch_) + ", seq " + std::to_string(shape.seq_) +
                      ", heads " + std::to_string(shape.heads_) + " must all be >= 1");
  MOEPLAN_REQUIRE(shape.qk_dim_ > 0 && shape.qk_dim_ % 8 == 0 && shape.v_dim_ > 0 &&
                      shape.v_dim_ % 8 == 0,
                  "qk_dim " + std::to_string(shape.qk_dim_) + " and v_dim " +
                      std::to_string(shape.v_dim_) + " must be positive multiples of 8 (16-byte rows)");
  MOEPLAN_REQUIRE(shape.kv() >= shape.seq_,
                  "kv_seq " + std::to_string(shape.kv()) + " must be at least seq " + std::to_string(shape.seq_) +
                      " (the cached prefix comes before the new tokens)");
  plans_ = std::make_unique<Plans>();
  plans_->scale_ = shape.scale();
  plans_->prefix_ = shape.kv() - shape.seq_;
  const cudnnHandle_t handle = plans_->handle_.get();
  build_forward_graph(plans_->forward_builder_, shape);
  plans_->forward_graph_ = plans_->forward_builder_.operation_graph(handle);
  plans_->forward_ = build_plan(handle, *plans_->forward_graph_, "attention forward");
  if (has_backward()) {  // serving's attention over a cached prefix runs forward only
    build_backward_graph(plans_->backward_builder_, shape);
    plans_->backward_graph_ = plans_->backward_builder_.operation_graph(handle);
    plans_->backward_ = build_plan(handle, *plans_->backward_graph_, "attention backward");
  }

  const auto b = static_cast<std::size_t>(shape.batch_), h = static_cast<std::size_t>(shape.heads_),
             s = static_cast<std::size_t>(shape.seq_), dqk = static_cast<std::size_t>(shape.qk_dim_);
  const auto plan_bytes = static_cast<std::size_t>(
      std::max(plans_->forward_.workspace_bytes_, plans_->backward_.workspace_bytes_));
  workspace_bytes_ = align_up(plan_bytes) + align_up(b * h * s * sizeof(float)) +
                     align_up(b * h * s * dqk * sizeof(float));
  MOEPLAN_CUDA_CHECK(cudaMalloc(&workspace_, workspace_bytes_));
}

CudnnAttention::~CudnnAttention() {
  if (workspace_ != nullptr) (void)cudaFree(workspace_);
}

std::size_t CudnnAttention::cudnn_version() { return cudnnGetVersion(); }

std::int64_t CudnnAttention::forward_engine() const { return plans_->forward_.engine_index_; }

std::int64_t CudnnAttention::backward_engine() const { return plans_->backward_.engine_index_; }

void CudnnAttention::forward(const Bf16Bits* q, const Bf16Bits* k, const Bf16Bits* v, Bf16Bits* o,
                             float* stats, cudaStream_t stream) {
  const cudnnHandle_t handle = plans_->handle_.get();
  check_cudnn(cudnnSetStream(handle, stream), "attention forward: cudnnSetStream");
  std::vector<std::int64_t> uids = {kUidQ, kUidK, kUidV, kUidO, kUidStats, kUidScale};
  std::vector<void*> pointers = {const_cast<Bf16Bits*>(q), const_cast<Bf16Bits*>(k),
                                 const_cast<Bf16Bits*>(v), o, stats, &plans_->scale_};
  if (shape_.causal_) {
    uids.push_back(kUidMaskValue);
    pointers.push_back(&plans_->mask_value_);
    if (!has_backward()) {
      uids.push_back(kUidPrefix);
      pointers.push_back(&plans_->prefix_);
    }
  }
  execute(handle, plans_->forward_, uids, pointers, workspace_, "attention forward");
}

void CudnnAttention::backward(const Bf16Bits* q, const Bf16Bits* k, const Bf16Bits* v,
                              const Bf16Bits* o, const Bf16Bits* d_o, const float* stats,
                              Bf16Bits* d_q, Bf16Bits* d_k, Bf16Bits* d_v, cudaStream_t stream) {
  MOEPLAN_REQUIRE(has_backward(), "attention over a cached prefix (kv_seq " + std::to_string(shape_.kv()) +
                                      " > seq " + std::to_string(shape_.seq_) + ") has no backward plan");
  const cudnnHandle_t handle = plans_->handle_.get();
  check_cudnn(cudnnSetStream(handle, stream), "attention backward: cudnnSetStream");
  const auto b = static_cast<std::size_t>(shape_.batch_), h = static_cast<std::size_t>(shape_.heads_),
             s = static_cast<std::size_t>(shape_.seq_), dqk = static_cast<std::size_t>(shape_.qk_dim_);
  char* scratch = static_cast<char*>(workspace_) +
                  align_up(static_cast<std::size_t>(plans_->backward_.workspace_bytes_));
  void* softmax_sum = scratch;
  void* d_q_accum = scratch + align_up(b * h * s * sizeof(float));
  // cuDNN before 9.6 expects the dQ accumulator zeroed by the caller.
  if (cudnn_version() < 90600)
    MOEPLAN_CUDA_CHECK(cudaMemsetAsync(d_q_accum, 0, b * h * s * dqk * sizeof(float), stream));
  std::vector<std::int64_t> uids = {kUidQ,  kUidK,  kUidV,  kUidO,     kUidDo,         kUidStats,
                                    kUidDq, kUidDk, kUidDv, kUidScale, kUidOne,        kUidSoftmaxSum,
                                    kUidDqAccum};
  std::vector<void*> pointers = {const_cast<Bf16Bits*>(q), const_cast<Bf16Bits*>(k),
                                 const_cast<Bf16Bits*>(v), const_cast<Bf16Bits*>(o),
                                 const_cast<Bf16Bits*>(d_o), const_cast<float*>(stats),
                                 d_q, d_k, d_v, &plans_->scale_, &plans_->one_, softmax_sum, d_q_accum};
  if (shape_.causal_) {
    uids.push_back(kUidMaskValue);
    pointers.push_back(&plans_->mask_value_);
  }
  execute(handle, plans_->backward_, uids, pointers, workspace_, "attention backward");
}

}  // namespace moeplan::kernels
