// Graphviz output of a topology (boost::write_graphviz).
#pragma once

#include <ostream>

#include "sim/topology/topology.h"

namespace moeplan::topology {

void write_dot(const Topology& t, std::ostream& out);

}  // namespace moeplan::topology
