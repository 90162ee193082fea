#include "sim/schedule/dual_phases.h"

#include <array>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/schedule/ops.h"

namespace moeplan::schedule {

namespace {

// Emits ops for one rank, taking micro-batches in increasing order within
// each direction.
class DualRankProgram {
 public:
  DualRankProgram(int near_dir, int far_dir) : near_(near_dir), far_(far_dir) {}

  int near() const { return near_; }
  int far() const { return far_; }

  void forward(int dir) { ops_.push_back(forward_op(next_forward(dir))); }
  void backward(int dir) { ops_.push_back(backward_op(next_backward(dir))); }
  void input_grad(int dir) { ops_.push_back(input_grad_op(next_backward(dir))); }
  // B or Bi, as the phase-6 switch says.
  void backward_maybe_split(int dir, bool split) { split ? input_grad(dir) : backward(dir); }
  void weight() { ops_.push_back(weight_op()); }
  void forward_backward(int f_dir, int b_dir) {
    const PassRef f = next_forward(f_dir);
    ops_.push_back(overlapped_op(f, next_backward(b_dir)));
  }

  std::vector<ScheduleOp> take() { return std::move(ops_); }

 private:
  PassRef next_forward(int dir) { return pass_of(dir, f_next_[static_cast<std::size_t>(dir)]++); }
  PassRef next_backward(int dir) { return pass_of(dir, b_next_[static_cast<std::size_t>(dir)]++); }

  int near_;
  int far_;
  std::array<int, 2> f_next_{0, 0};
  std::array<int, 2> b_next_{0, 0};
  std::vector<ScheduleOp> ops_;
};

}  // namespace

std::vector<ScheduleOp> dual_phase_ops(const DualPhaseRank& rank) {
  const int hp = rank.span;
  const int h = rank.position;
  const int H = rank.per_direction;
  if (h < 0 || h >= hp || H < 2 * hp) {
    throw std::logic_error(fmt::format(
        "dual_phase_ops: needs 0 <= position < span and per_direction >= 2 x span; got "
        "position = {}, span = {}, per_direction = {}",
        h, hp, H));
  }
  DualRankProgram p(rank.near_dir, rank.far_dir);
  const int near = p.near();
  const int far = p.far();

  // Phase 1: 2(hp-h-1) x F(near).
  const int phase1 = 2 * (hp - h - 1);
  for (int i = 0; i < phase1; ++i) p.forward(near);

  // Phase 2: h+1 x (F(near), F(far)).
  const int phase2 = h + 1;
  for (int i = 0; i < phase2; ++i) {
    p.forward(near);
    p.forward(far);
  }

  // Phase 3: hp-h-1 x (Bi(far), W, F(far)).
  const int phase3 = hp - h - 1;
  for (int i = 0; i < phase3; ++i) {
    p.input_grad(far);
    p.weight();
    p.forward(far);
  }

  // Phase 4, steady state: H-2hp+h+1 x (F&B(F near, B far), F&B(F far, B near));
  // the split ranks run the first F(near), B(far) as two plain ops.
  const int phase4 = H - 2 * hp + h + 1;
  for (int i = 0; i < phase4; ++i) {
    if (i == 0 && rank.split_first_pair) {
      p.forward(near);
      p.backward(far);
    } else {
      p.forward_backward(near, far);
    }
    p.forward_backward(far, near);
  }

  // Phase 5: hp-h-1 x (B(far), F&B(F far, B near)).
  const int phase5 = hp - h - 1;
  for (int i = 0; i < phase5; ++i) {
    p.backward(far);
    p.forward_backward(far, near);
  }

  // Phase 6: h+1 x (B(far), B(near)); from iteration (h+1)/2 on the backwards
  // are Bi: the switch comes before B(far) when h is odd, between B(far) and
  // B(near) when h is even, so exactly h+1 of the 2(h+1) backwards are Bi.
  const int phase6 = h + 1;
  bool split = false;
  for (int i = 0; i < phase6; ++i) {
    if (i == phase6 / 2 && h % 2 == 1) split = true;
    p.backward_maybe_split(far, split);
    if (i == phase6 / 2 && h % 2 == 0) split = true;
    p.backward_maybe_split(near, split);
  }

  // Phase 7: hp-h-1 x (W, Bi(near)).
  const int phase7 = hp - h - 1;
  for (int i = 0; i < phase7; ++i) {
    p.weight();
    p.input_grad(near);
  }

  // Phase 8: h+1 x W.
  const int phase8 = h + 1;
  for (int i = 0; i < phase8; ++i) p.weight();
  return p.take();
}

}  // namespace moeplan::schedule
