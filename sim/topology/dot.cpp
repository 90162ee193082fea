#include "sim/topology/dot.h"

#include <boost/graph/graphviz.hpp>

#include "sim/util/units.h"

namespace moeplan::topology {

void write_dot(const Topology& t, std::ostream& out) {
  const auto& g = t.graph();
  auto vertex_writer = [&](std::ostream& os, VertexId v) {
    const auto& x = g[v];
    const char* shape = x.kind == VertexKind::Gpu ? "box" : x.kind == VertexKind::Nic ? "ellipse" : "diamond";
    os << "[label=\"" << x.name << "\", shape=" << shape << "]";
  };
  auto edge_writer = [&](std::ostream& os, EdgeId e) {
    const auto& l = t.link(e);
    const char* color = l.kind == LinkKind::NvLink ? "green" : l.kind == LinkKind::Pcie ? "gray" : "blue";
    os << "[label=\"" << format_rate(l.Bps) << "\", color=" << color << "]";
  };
  boost::write_graphviz(out, g, vertex_writer, edge_writer);
}

}  // namespace moeplan::topology
