// Builders for the cluster shapes moeplan ships: an NVSwitch node, a two-level
// fat-tree over all NICs, and a multi-plane fat-tree with one plane per rail.
#pragma once

#include "sim/topology/topology.h"

namespace moeplan::topology {

struct LinkSpec {
  double Bps = 0;
  double latency_s = 0;
  bool operator==(const LinkSpec&) const = default;
};

struct ClusterSpec {
  int nodes = 1;
  int gpus_per_node = 8;
  LinkSpec nvlink;     // GPU <-> NVSwitch fabric, per GPU per direction
  LinkSpec pcie;       // GPU <-> its NIC
  LinkSpec nic;        // NIC <-> leaf switch
  LinkSpec fabric;     // leaf <-> spine
  int switch_ports = 64;
  bool operator==(const ClusterSpec&) const = default;
};

//   gpu0  gpu1 ... gpu7
//     \    |       /        one NVLink per GPU to a non-blocking NVSwitch
//      [ NVSwitch ]         fabric (one vertex stands for the switch chips)
void add_nvswitch_node(Topology& t, int node, const ClusterSpec& s);

Topology build_single_node(const ClusterSpec& s);

//            spine0 ... spineS          every leaf reaches every spine by
//           /  |  \     /  |  \         (ports/2)/S parallel links
//       leaf0  leaf1 ... leafL          each leaf: ports/2 NICs down
//       / | \                           NICs of all rails share one tree
//   nic nic nic  (one NIC per GPU, GPU--NIC over PCIe)
Topology build_fat_tree(const ClusterSpec& s);

// As build_fat_tree, but rail r of every node (GPU r's NIC) joins plane r:
// gpus_per_node independent two-level fat-trees. Traffic between rails goes
// over NVLink inside a node.
Topology build_multi_plane_fat_tree(const ClusterSpec& s);

}  // namespace moeplan::topology
