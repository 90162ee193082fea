// Communicator plans of programs the planner builds from the runtime's scenarios.
#include "runtime/plan/comm_channels.h"

#include <gtest/gtest.h>

#include "runtime/plan/compute_mapping.h"
#include "runtime/plan/preflight.h"
#include "tests/runtime/runtime_test_program.h"

namespace moeplan::runtime {
namespace {

using test::program_of;

TEST(CommChannels, PipelineOfTwoHasOneChannelPerDirection) {
  const auto p = program_of("h200x2-pp2-1f1b.yaml");
  const auto plan = plan_comm_channels(p);
  int p2p = 0;
  for (const auto& c : plan.channels)
    if (c.kind == CommChannel::Kind::PointToPoint) {
      ++p2p;
      EXPECT_EQ(c.ops_in_order.size(), c.recvs_in_order.size());
      for (std::size_t i = 0; i < c.ops_in_order.size(); ++i) {  // each send's receive, in the same slot
        const auto& send = p.op(c.ops_in_order[i]);
        const auto& recv = p.op(c.recvs_in_order[i]);
        EXPECT_EQ(send.tag, recv.tag);
        EXPECT_EQ(send.peer, recv.rank);
      }
    } else {
      EXPECT_TRUE(c.local()) << c.name();  // EP groups of one rank
    }
  EXPECT_EQ(p2p, 2);
  EXPECT_EQ(plan.groups_of_kind(p, "pp"), (std::vector<std::vector<int>>{{0, 1}}));
}

TEST(CommChannels, DualPipeOverFourGpusHasEpDpAndPipelineGroups) {
  const auto p = program_of("h200x4-pp2-ep2-dualpipe.yaml");
  const auto plan = plan_comm_channels(p);
  EXPECT_EQ(plan.groups_of_kind(p, "ep").size(), 2u);
  EXPECT_EQ(plan.groups_of_kind(p, "dp").size(), 2u);
  EXPECT_EQ(plan.groups_of_kind(p, "pp").size(), 2u);
  for (const auto& op : p.ops)
    if (op.type != program::OpType::Compute) {
      EXPECT_GE(plan.channel_of_op[static_cast<std::size_t>(op.id)], 0) << op.id;
    }
}

TEST(CommChannels, RejectsAReducedProgram) {
  auto p = program_of("h200x2-ep2.yaml");
  p.reduced = true;
  EXPECT_THROW((void)plan_comm_channels(p), std::runtime_error);
}

TEST(CommChannels, RejectsMembersThatOrderTheirCollectivesDifferently) {
  auto p = program_of("h200x2-ep2.yaml");
  // Swap two all-to-alls of rank 1 in its program order.
  auto& order = p.by_rank[1];
  std::vector<std::size_t> a2a;
  for (std::size_t i = 0; i < order.size(); ++i)
    if (p.op(order[i]).type == program::OpType::Collective) a2a.push_back(i);
  ASSERT_GE(a2a.size(), 2u);
  std::swap(order[a2a[0]], order[a2a[1]]);
  EXPECT_THROW((void)plan_comm_channels(p), std::runtime_error);
}

TEST(ComputeMapping, RoutedExpertsRunTheirListedGemmsAndKernels) {
  const auto p = program_of("h200x2-ep2.yaml");
  bool saw_forward = false;
  for (const auto& op : p.ops) {
    if (op.part != program::Part::RoutedExperts || op.type != program::OpType::Compute) continue;
    EXPECT_EQ(compute_kind(op), ComputeKind::Listed);  // every pass runs its own list
    if (op.pass != program::Pass::F) continue;
    ASSERT_TRUE(is_swiglu_experts(op));  // what --check takes its MoE layer from
    const auto s = expert_ffn_shape(op);
    EXPECT_EQ(s.hidden, 2048);
    EXPECT_EQ(s.intermediate, 1024);
    EXPECT_EQ(s.expert_rows.size(), 8u);  // 16 experts over EP2
    EXPECT_EQ(s.total_rows(), op.tokens);
    EXPECT_FALSE(op.kernels.empty());  // the SwiGLU between the ups and the downs, at least
    saw_forward = true;
  }
  EXPECT_TRUE(saw_forward);
}

// Hand-computed: cuBLASLt takes k % 16 == 0 and n % 8 == 0, FP8 also m % 8 == 0.
TEST(ComputeMapping, GemmLaunchShapesArePaddedOnlyWhereCublasLtNeedsIt) {
  const program::Gemm g{100, 24, 7000};
  const auto b = gemm_launch_shape(g, false);
  EXPECT_EQ(b.m, 100);
  EXPECT_EQ(b.n, 24);
  EXPECT_EQ(b.k, 7008);
  const auto f = gemm_launch_shape(program::Gemm{1057, 7, 16}, true);
  EXPECT_EQ(f.m, 1064);
  EXPECT_EQ(f.n, 8);
  EXPECT_EQ(f.k, 16);
  const auto empty = gemm_launch_shape(program::Gemm{0, 2048, 7168}, true);  // an expert with no rows
  EXPECT_EQ(empty.m * empty.n * empty.k, 0);
}

TEST(ComputeMapping, KernelLaunchesMoveTheKernelsBytes) {
  using program::KernelKind;
  // An FP8 permute of 7168-wide rows moves 7168 bytes per copy: 3584 BF16 elements.
  const program::Kernel permute{KernelKind::Permute, 10, 7168, 8, DType::FP8};
  const auto l = kernel_launch(permute);
  EXPECT_EQ(l.cols, 3584);
  EXPECT_EQ(l.count, 8);
  EXPECT_DOUBLE_EQ((1.0 + l.count) * 2.0 * static_cast<double>(l.rows * l.cols), program::kernel_bytes(permute));
  // RoPE over 128 heads x 64: 128 heads of 64; over the shared 64-wide key: one head.
  const auto q = kernel_launch({KernelKind::Rope, 4, 128 * 64});
  EXPECT_EQ(q.rope_heads, 128);
  EXPECT_EQ(q.rope_dim, 64);
  const auto k = kernel_launch({KernelKind::RopeBackward, 4, 64});
  EXPECT_EQ(k.rope_heads, 1);
  EXPECT_EQ(k.rope_dim, 64);
}

// Serving attention runs its real kernels: prefill over a cached prefix on a
// cuDNN plan whose K and V hold the prefix too, decode over the latent cache on
// LatentAttention with the whole cache resident; neither falls to a stand-in.
TEST(ComputeMapping, ServingAttentionRunsOnItsKernels) {
  program::Op decode;
  decode.type = program::OpType::Compute;
  decode.part = program::Part::AttentionCore;
  decode.pass = program::Pass::F;
  decode.tokens = 32;
  decode.attention = {16, 2, 16, 320, 256, 2048, true};  // 16 sequences, 2 new tokens, 2048 cached
  EXPECT_FALSE(runs_on_fused_attention(decode.attention));
  EXPECT_TRUE(runs_latent_attention(decode.attention));
  EXPECT_EQ(compute_kind(decode), ComputeKind::Listed);
  ComputeSizes zd;
  zd.add(decode);
  EXPECT_TRUE(zd.attention_shapes.empty());
  ASSERT_EQ(zd.latent_shapes.size(), 1u);
  EXPECT_EQ(zd.latent_q_elems, 16 * 2 * 16 * 320);          // [sequences, new, heads, latent]
  EXPECT_EQ(zd.latent_cache_elems, 16 * (2048 + 2) * 320);  // one latent row per token, shared by the heads
  EXPECT_EQ(zd.latent_o_elems, 16 * 2 * 16 * 256);
  // Scores fp32 + probabilities bf16 over 2 x 16 rows x 2056 (2050 keys rounded up to 8) per sequence.
  const double operands = 2.0 * (16 * 2 * 16 * 320 + 16 * 2050 * 320 + 16 * 2 * 16 * 256);
  EXPECT_DOUBLE_EQ(zd.buffer_bytes(), operands + 6.0 * 16 * 32 * 2056);

  program::Op prefill = decode;
  prefill.tokens = 2048;
  prefill.attention = {2, 1024, 16, 192, 128, 1024, false};
  EXPECT_TRUE(runs_on_fused_attention(prefill.attention));
  EXPECT_EQ(compute_kind(prefill), ComputeKind::Listed);
  ComputeSizes zp;
  zp.add(prefill);
  ASSERT_EQ(zp.attention_shapes.size(), 1u);
  EXPECT_EQ(zp.attention_qk_elems, 2 * 2048 * 16 * 192);  // K over the prefix and the new tokens
  EXPECT_EQ(zp.attention_v_elems, 2 * 2048 * 16 * 128);
  EXPECT_EQ(zp.attention_rows, 2 * 1024 * 16);           // softmax stats of the new tokens only
  EXPECT_TRUE(zp.latent_shapes.empty());
}

TEST(ComputeMapping, SharedBuffersHoldTheLargestLaunch) {
  program::Op op;
  op.type = program::OpType::Compute;
  op.part = program::Part::DenseFfn;
  op.pass = program::Pass::F;
  op.dtype = DType::FP8;
  op.tokens = 100;
  op.gemms = {{100, 24, 7000}, {100, 7000, 24}};
  op.kernels = {{program::KernelKind::SwiGlu, 100, 1024}, {program::KernelKind::Permute, 50, 64, 8}};
  ComputeSizes z;
  z.add(op);
  // Launch shapes (104, 24, 7008) and (104, 7000, 32).
  EXPECT_EQ(z.gemm_a_elems, 104 * 7008);
  EXPECT_EQ(z.gemm_b_elems, 7000 * 32);  // the second GEMM's B beats the first's 24 x 7008
  EXPECT_EQ(z.gemm_c_elems, 104 * 7000);
  EXPECT_EQ(z.gemm_a_scales, 55 * 104);  // ceil(7008 / 128) K-blocks per row
  // B: VEC128 of (7000, 32): 7000 scales; BLK128x128: 55 row blocks x 4 = 220; of (24, 7008): 55 x 24 = 1320.
  EXPECT_EQ(z.gemm_b_scales, 7000);
  EXPECT_EQ(z.kernel_elems, 100 * 1024 * 2);  // SwiGLU's [rows, 2 cols] input beats 50 x 64 x 8
  EXPECT_EQ(z.kernel_rows, 50 * 8);
  EXPECT_EQ(z.attention_rows, 0);
}

// The loss moves its logits twice and does a few FLOPs per byte: memory-bound,
// so it runs as a copy of its bytes; the attention core (T^2 work on T-sized
// tensors) runs on cuDNN's fused attention from its listed shape.
TEST(ComputeMapping, MemoryBoundOpsCopyTheirBytesTheAttentionCoreRunsItsShape) {
  const auto p = program_of("h200x2-ep2.yaml");
  bool saw_loss = false, saw_core = false;
  for (const auto& op : p.ops) {
    if (op.type != program::OpType::Compute) continue;
    if (op.part == program::Part::Loss && op.pass == program::Pass::F) {
      EXPECT_EQ(compute_kind(op), ComputeKind::DeviceCopy);
      saw_loss = true;
    }
    if (op.part == program::Part::AttentionCore && op.pass == program::Pass::F) {
      EXPECT_EQ(compute_kind(op), ComputeKind::Listed);
      EXPECT_GT(op.attention.sequences, 0);
      saw_core = true;
    }
  }
  EXPECT_TRUE(saw_loss && saw_core);
}

TEST(ComputeMapping, AllToAllReceivesWhatEachPeerSendsToThisRank) {
  const auto p = program_of("h200x2-ep2.yaml");
  const program::ProgramIndex index(p);
  for (const auto& op : p.ops)
    if (op.type == program::OpType::Collective && op.collective == program::CollectiveKind::AllToAll && op.rank == 0) {
      const auto recv = all_to_all_recv_bytes(p, index, op);
      for (const auto& peer : p.ops)
        if (peer.rank == 1 && peer.instance == op.instance) {
          EXPECT_EQ(recv[1], static_cast<std::int64_t>(program::send_row(p, peer)[0]));
        }
      EXPECT_EQ(recv[0], static_cast<std::int64_t>(program::send_row(p, op)[0]));
      return;
    }
}

TEST(Preflight, NoGpuFewerGpusAndTooLittleMemoryEachGetAMessage) {
  const auto p = program_of("h200x2-ep2.yaml");
  EXPECT_NE(preflight_problems(p, {}, 2, "p.json").at(0).find("no CUDA GPU"), std::string::npos);
  const LocalMachine one{{{"NVIDIA H100", 80e9}}};
  const auto few = preflight_problems(p, one, 2, "p.json");
  ASSERT_FALSE(few.empty());
  EXPECT_NE(few[0].find("2 ranks but this machine has 1 GPU"), std::string::npos) << few[0];
  const LocalMachine tiny{{{"small", 1e9}, {"small", 1e9}}};
  const auto mem = preflight_problems(p, tiny, 2, "p.json");
  ASSERT_EQ(mem.size(), 2u);
  EXPECT_NE(mem[0].find("device memory"), std::string::npos) << mem[0];
  const LocalMachine two{{{"NVIDIA H200", 140e9}, {"NVIDIA H200", 140e9}}};
  EXPECT_TRUE(preflight_problems(p, two, 2, "p.json").empty());
}

TEST(Preflight, MachineDescriptionRoundTripsThroughText) {
  const LocalMachine m{{{"NVIDIA H200", 150e9}, {"NVIDIA H200", 150e9}}};
  const auto back = local_machine_from_text(to_text(m));
  ASSERT_EQ(back.gpus.size(), 2u);
  EXPECT_EQ(back.gpus[1].name, "NVIDIA H200");
  EXPECT_DOUBLE_EQ(back.gpus[1].memory_bytes, 150e9);
}

}  // namespace
}  // namespace moeplan::runtime
