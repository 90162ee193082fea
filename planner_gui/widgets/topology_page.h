// The Topology page: the cluster drawn from the core's topology graph
// (sim/topology): spine and leaf switches over the nodes, a line per
// node-to-switch connection (coloured by plane), and one node in detail
// (GPUs, NVSwitches, NICs and their links, coloured by link kind, with
// bandwidths). Drawing only: positions follow each vertex's kind, level,
// node and rail. After a simulation, links are coloured by the busy
// fraction the core reported for them (report `link_usage`), with a legend.
#pragma once

#include <QLabel>
#include <QSpinBox>
#include <QWidget>
#include <memory>

#include "planner_gui/models/link_usage.h"
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
  // Colour links by this usage (null: by kind / plane).
  void set_link_usage(std::shared_ptr<const LinkUsage> u);
  // The pen colour the view draws link `id` with (tests).
  QColor pen_color(int link) const;
  // Links the last paint coloured by usage (tests).
  int drawn_used_links() const { return drawn_used_links_; }
  // 0 -> cool, 1 -> hot; unused links are drawn light grey.
  static QColor utilisation_color(double busy);
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
  void paint_usage_legend(QPainter& p);

  Mode mode_;
  std::shared_ptr<const topology::Topology> topo_;
  int node_ = 0;
  int drawn_vertices_ = 0, drawn_links_ = 0, drawn_used_links_ = 0;
  std::shared_ptr<const LinkUsage> usage_;
};

class TopologyPage : public QWidget {
  Q_OBJECT
 public:
  explicit TopologyPage(ScenarioDocument* doc, QWidget* parent = nullptr);
  TopologyView* cluster_view() const { return cluster_; }
  TopologyView* node_view() const { return node_; }
  void refresh();
  // A simulation's report: colour the links by its `link_usage`.
  void show_link_usage(const nlohmann::json& report);
  const LinkUsage* link_usage() const { return usage_.get(); }

 private:
  ScenarioDocument* doc_;
  QLabel* summary_ = nullptr;
  QSpinBox* node_pick_ = nullptr;
  TopologyView* cluster_ = nullptr;
  TopologyView* node_ = nullptr;
  std::shared_ptr<const topology::Topology> topo_;
  std::shared_ptr<const LinkUsage> usage_;
};

}  // namespace moeplan::gui
