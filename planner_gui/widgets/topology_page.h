// The Topology page: the cluster drawn from the core's topology graph
// (sim/topology): spine and leaf switches over the nodes, a line per
// node-to-switch connection (coloured by plane), and one node in detail
// (GPUs, NVSwitches, NICs and their links, coloured by link kind, with
// bandwidths). Drawing only: positions follow each vertex's kind, level,
// node and rail. Link utilisation from a simulation is not drawn yet.
#pragma once

#include <QLabel>
#include <QSpinBox>
#include <QWidget>
#include <memory>

#include "planner_gui/models/scenario_document.h"
#include "sim/topology/topology.h"

namespace moeplan::gui {

class TopologyView : public QWidget {
  Q_OBJECT
 public:
  enum class Mode { Cluster, Node };
  TopologyView(Mode mode, QWidget* parent = nullptr);
  void set_topology(std::shared_ptr<const topology::Topology> t);
  void set_node(int node);
  // Vertices drawn by the last paint (tests).
  int drawn_vertices() const { return drawn_vertices_; }
  int drawn_links() const { return drawn_links_; }
  static QColor link_color(topology::LinkKind k);

 protected:
  void paintEvent(QPaintEvent*) override;
  QSize sizeHint() const override { return {600, 500}; }

 private:
  void paint_cluster(QPainter& p);
  void paint_node(QPainter& p);

  Mode mode_;
  std::shared_ptr<const topology::Topology> topo_;
  int node_ = 0;
  int drawn_vertices_ = 0, drawn_links_ = 0;
};

class TopologyPage : public QWidget {
  Q_OBJECT
 public:
  explicit TopologyPage(ScenarioDocument* doc, QWidget* parent = nullptr);
  TopologyView* cluster_view() const { return cluster_; }
  TopologyView* node_view() const { return node_; }
  void refresh();

 private:
  ScenarioDocument* doc_;
  QLabel* summary_ = nullptr;
  QSpinBox* node_pick_ = nullptr;
  TopologyView* cluster_ = nullptr;
  TopologyView* node_ = nullptr;
  std::shared_ptr<const topology::Topology> topo_;
};

}  // namespace moeplan::gui
