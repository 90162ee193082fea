// Environment switches of moeplan-run: every MOEPLAN_* variable the runtime
// honours, read once (by main, before any rank starts) and passed down to the
// code they change. Nothing else in the runtime calls getenv for a MOEPLAN_
// switch; docs/runtime.md ("Environment switches") lists the same table.
//
//   variable               values          default  changes
//   MOEPLAN_NCCL_BLOCKING  0 | 1           0        NCCL communicators blocking
//   MOEPLAN_A2A_SELF       nccl | copy     nccl     how an all-to-all moves the
//                                                   rank's own part
//
// (The launcher's rank and size, OMPI_* / PMI_*, are not switches: see
// rank_environment.h.)
#pragma once

#include "runtime/launch/rank_environment.h"

namespace moeplan::runtime {

// How the grouped send/recv of an all-to-all moves the part a rank sends to
// itself.
enum class AllToAllSelfPart {
  NcclSend,    // an NCCL send to itself inside the group (measured faster on H200)
  DeviceCopy,  // cudaMemcpyAsync on the op's stream, beside NCCL's kernel
};

struct RuntimeSwitches {
  // MOEPLAN_NCCL_BLOCKING=1: communicators are created with
  // ncclConfig_t.blocking = 1, so init, split and enqueue calls block until
  // they complete instead of returning ncclInProgress. For telling an NCCL
  // problem from one of the non-blocking handling: a call that hangs then
  // hangs the host, out of reach of the deadline loops of
  // runtime/exec/nccl_channels.h (only the host watchdog and the launcher's
  // job deadline end it).
  bool nccl_blocking = false;
  // MOEPLAN_A2A_SELF=copy|nccl.
  AllToAllSelfPart all_to_all_self = AllToAllSelfPart::NcclSend;
};

// Unset or empty variables keep the default. Throws std::runtime_error naming
// the variable, its value and the accepted values when one is not recognised.
RuntimeSwitches read_runtime_switches(const GetEnv& getenv);
RuntimeSwitches read_runtime_switches();  // the process environment

}  // namespace moeplan::runtime
