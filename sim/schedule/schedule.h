// The vocabulary shared by every pipeline-schedule generator: per-rank ordered
// lists of F / B / Bi / W / F&B operations, with direction and micro-batch.
//
// A generator only decides *order*. Dependencies, communication and timing are
// derived from this order by the workload builder (sim/workload) and by the
// schedule timeline (sim/schedule/timeline.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace moeplan::schedule {

enum class Kind { OneFOneB, Interleaved, ZB1P, DualPipe, DualPipeV };
inline constexpr Kind kAllKinds[] = {Kind::OneFOneB, Kind::Interleaved, Kind::ZB1P, Kind::DualPipe, Kind::DualPipeV};

enum class OpKind : std::uint8_t {
  F,   // forward of one micro-batch through one stage (chunk)
  B,   // full backward (input grad + weight grad)
  Bi,  // input-grad backward only; its weight-grad work is queued (FIFO)
  W,   // runs the oldest queued weight-grad work of this rank
  FB,  // forward of `f` overlapped with backward of `b`
};

// One pass of one micro-batch through one of a rank's chunks.
//   dir:   direction of flow (DualPipe: 0 enters at rank 0, 1 at rank P-1;
//          DualPipeV: 0 on the way down, 1 on the way back; otherwise 0).
//   chunk: for interleaved 1F1B, the model chunk index on this rank (0..v-1);
//          otherwise equal to dir.
//   mb:    micro-batch index, 0-based, counted within its direction.
struct PassRef {
  int dir = 0;
  int chunk = 0;
  int mb = 0;
  bool operator==(const PassRef&) const = default;
};

struct ScheduleOp {
  OpKind kind = OpKind::F;
  PassRef pass;      // F, B, Bi: the pass. W: unused (W takes the FIFO head).
  PassRef f, b;      // FB only: the forward and the backward pass.
  bool full_b = true;  // FB only: backward part is a full B (true) or Bi (false)
  bool operator==(const ScheduleOp&) const = default;
};

struct Schedule {
  Kind kind = Kind::OneFOneB;
  int pp = 1;            // devices (ranks) in the pipeline
  int microbatches = 1;  // N, total over both directions
  int chunks = 1;        // model chunks per device (interleaved v; DualPipe(V) 2; else 1)
  std::vector<std::vector<ScheduleOp>> ranks;  // ranks[r] = ops of rank r in order
};

// Which global pipeline stage (0 .. stages-1, in model order for that
// direction) rank `rank` runs for pass `p`. Total stages = pp * chunks for
// interleaved and DualPipeV, pp for 1F1B/ZB1P, and pp for DualPipe (each rank
// holds stage r for dir 0 and stage P-1-r for dir 1, both copies of the model).
// A schedule of `kind` with its sizes set and no rank op lists yet.
Schedule empty_schedule(Kind kind, int pp, int microbatches, int chunks);

int stage_of(const Schedule& s, int rank, const PassRef& p);
// The pass template of a rank's chunk c (micro-batch 0): {0, c} for
// interleaved, {c, c} otherwise.
PassRef chunk_pass(const Schedule& s, int chunk);
int stage_count(const Schedule& s);
// Stages of a schedule of `kind` over `pp` ranks with `chunks` chunks each.
int stage_count(Kind kind, int pp, int chunks);

std::string_view to_string(Kind k);
std::string_view to_string(OpKind k);
// The names of every schedule kind ("1f1b", "interleaved", "zb1p", "dualpipe", "dualpipev").
std::vector<std::string> kind_names();
// Parses one of kind_names(); throws std::invalid_argument naming the valid choices otherwise.
Kind parse_kind(std::string_view name);

}  // namespace moeplan::schedule
