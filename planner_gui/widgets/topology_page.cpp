#include "planner_gui/widgets/topology_page.h"

#include <QHBoxLayout>
#include <QLinearGradient>
#include <QPainter>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <map>

#include "sim/util/units.h"

namespace moeplan::gui {
namespace {

using topology::LinkKind;
using topology::VertexKind;

QColor plane_color(int plane) {
  static const QColor c[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0x59, 0xa1, 0x4f),
                             QColor(0xb0, 0x7a, 0xa1), QColor(0xe1, 0x57, 0x59), QColor(0x76, 0xb7, 0xb2),
                             QColor(0xed, 0xc9, 0x48), QColor(0x9c, 0x75, 0x5f)};
  return c[static_cast<std::size_t>(std::max(0, plane)) % std::size(c)];
}

QString bandwidth(double Bps) { return QString::fromStdString(format_rate(Bps)); }

}  // namespace

QColor TopologyView::link_color(LinkKind k) {
  switch (k) {
    case LinkKind::NvLink: return QColor(0x3a, 0x9a, 0x4a);
    case LinkKind::Pcie: return QColor(0x88, 0x88, 0x88);
    case LinkKind::Ib: return QColor(0x2f, 0x6f, 0xc0);
  }
  return Qt::black;
}

TopologyView::TopologyView(Mode mode, QWidget* parent) : QWidget(parent), mode_(mode) {
  setAutoFillBackground(true);
  setBackgroundRole(QPalette::Base);
  setMinimumSize(300, 250);
}

void TopologyView::set_topology(std::shared_ptr<const topology::Topology> t) {
  topo_ = std::move(t);
  update();
}

void TopologyView::set_node(int node) {
  node_ = node;
  update();
}

void TopologyView::set_link_usage(std::shared_ptr<const LinkUsage> u) {
  usage_ = std::move(u);
  update();
}

QColor TopologyView::utilisation_color(double busy) {
  const double b = std::clamp(busy, 0.0, 1.0);
  return QColor::fromHsvF(static_cast<float>((1.0 - b) * 240.0 / 360.0), 0.85f, 0.9f);  // blue (idle) -> red (busy)
}

QColor TopologyView::pen_color(int link) const {
  const auto& l = topo_->link(link);
  if (usage_) {
    const auto use = usage_->at(link);
    return use ? utilisation_color(use->busy) : QColor(0xd0, 0xd0, 0xd0);
  }
  if (mode_ == Mode::Node) return link_color(l.kind);
  const auto& g = topo_->graph();
  return plane_color(g[g[l.a].kind == VertexKind::Switch ? l.a : l.b].plane);
}

void TopologyView::paint_usage_legend(QPainter& p) {
  if (!usage_) return;
  const QRectF bar(width() - 190.0, 8, 120, 10);
  QLinearGradient grad(bar.topLeft(), bar.topRight());
  for (int i = 0; i <= 10; ++i) grad.setColorAt(i / 10.0, utilisation_color(i / 10.0));
  p.setPen(Qt::NoPen);
  p.setBrush(grad);
  p.drawRect(bar);
  p.setPen(palette().color(QPalette::Text));
  p.drawText(QPointF(bar.left() - 80, bar.bottom()), tr("link busy 0%"));
  p.drawText(QPointF(bar.right() + 4, bar.bottom()), tr("100%"));
  p.drawText(QPointF(bar.left() - 80, bar.bottom() + 16),
             tr("busiest %1% of the step; grey: idle").arg(usage_->max_busy() * 100, 0, 'f', 0));
}

void TopologyView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), palette().base());
  drawn_vertices_ = drawn_links_ = drawn_used_links_ = 0;
  if (!topo_ || topo_->gpu_count() == 0) {
    p.drawText(rect(), Qt::AlignCenter, tr("No topology: open a scenario."));
    return;
  }
  if (mode_ == Mode::Cluster) paint_cluster(p);
  else paint_node(p);
  paint_usage_legend(p);
}

// Spines on top, leaves below, nodes at the bottom; one line per (node,
// switch) pair that some link of the node reaches, coloured by plane.
void TopologyView::paint_cluster(QPainter& p) {
  const auto& g = topo_->graph();
  std::map<int, std::vector<std::size_t>> levels;  // switch level -> vertices, by plane then order
  for (std::size_t v = 0; v < boost::num_vertices(g); ++v)
    if (g[v].kind == VertexKind::Switch) levels[g[v].level].push_back(v);
  for (auto& [level, vs] : levels)
    std::stable_sort(vs.begin(), vs.end(), [&](auto a, auto b) { return g[a].plane < g[b].plane; });
  const int nodes = std::max(1, topo_->node_count());
  const double w = width() - 20.0;
  std::map<std::size_t, QPointF> at;
  const int rows = static_cast<int>(levels.size());
  const double step = std::max(70.0, (height() - 110.0) / (rows + 1));  // vertical distance between rows
  int row = 0;
  for (auto it = levels.rbegin(); it != levels.rend(); ++it, ++row) {
    const auto& vs = it->second;
    for (std::size_t i = 0; i < vs.size(); ++i)
      at[vs[i]] = QPointF(10 + w * (static_cast<double>(i) + 0.5) / static_cast<double>(vs.size()), 30.0 + step * row);
  }
  const double node_y = 30.0 + step * std::max(1, rows) + 20;
  auto node_pos = [&](int n) { return QPointF(10 + w * (n + 0.5) / nodes, node_y); };
  // Links: switch-switch as they are; node parts (NIC, GPU) to a switch as node-switch.
  std::map<std::pair<int, std::size_t>, int> node_links;  // (node, switch) -> plane
  std::map<std::pair<int, std::size_t>, double> node_link_busy;  // (node, switch) -> busiest link's busy fraction
  p.setOpacity(0.6);
  for (int id = 0; id < topo_->link_count(); ++id) {
    const auto& l = topo_->link(id);
    const auto &a = g[l.a], &b = g[l.b];
    const bool sa = a.kind == VertexKind::Switch, sb = b.kind == VertexKind::Switch;
    if (sa && sb) {
      const auto use = usage_ ? usage_->at(id) : std::nullopt;
      p.setPen(QPen(pen_color(id), use ? 2 : 1));
      p.drawLine(at[l.a], at[l.b]);
      ++drawn_links_;
      drawn_used_links_ += use.has_value();
    } else if (sa != sb) {
      const auto sw = sa ? l.a : l.b;
      const auto& part = sa ? b : a;
      node_links[{part.node, sw}] = g[sw].plane;
      if (const auto use = usage_ ? usage_->at(id) : std::nullopt) {  // a (node, switch) line: its busiest link
        auto& busiest = node_link_busy[{part.node, sw}];
        busiest = std::max(busiest, use->busy);
      }
    }
  }
  // Large clusters: only the chosen node's uplinks (thousands of lines hide each other).
  const bool all_uplinks = nodes <= 64;
  p.setOpacity(all_uplinks ? 0.6 : 0.9);
  for (const auto& [key, plane] : node_links) {
    if (!all_uplinks && key.first != node_) continue;
    const auto busy = node_link_busy.find(key);
    if (!usage_) p.setPen(QPen(plane_color(plane), 1));
    else if (busy == node_link_busy.end()) p.setPen(QPen(QColor(0xd0, 0xd0, 0xd0), 1));
    else p.setPen(QPen(utilisation_color(busy->second), 2));
    p.drawLine(node_pos(key.first), at[key.second]);
    ++drawn_links_;
    drawn_used_links_ += usage_ && busy != node_link_busy.end();
  }
  p.setOpacity(1.0);
  // Vertices.
  for (const auto& [v, pos] : at) {
    p.setBrush(plane_color(g[v].plane));
    p.setPen(Qt::NoPen);
    p.drawRect(QRectF(pos.x() - 4, pos.y() - 4, 8, 8));
    ++drawn_vertices_;
  }
  const double box = std::clamp(w / nodes - 2, 2.0, 40.0);
  for (int n = 0; n < nodes; ++n) {
    const auto c = node_pos(n);
    p.setBrush(n == node_ ? QColor(0xe1, 0x57, 0x59) : QColor(0x55, 0x55, 0x55));
    p.drawRect(QRectF(c.x() - box / 2, c.y(), box, 14));
    ++drawn_vertices_;
  }
  p.setPen(palette().color(QPalette::Text));
  int r = 0;
  for (auto it = levels.rbegin(); it != levels.rend(); ++it, ++r)
    p.drawText(QPointF(10, 18.0 + step * r), tr("%1 x %2").arg(it->second.size()).arg(it->first == 0 ? tr("leaf") : tr("spine")));
  p.drawText(QPointF(10, node_y + 32), tr("%1 nodes of %2 GPUs (node %3 in red, in detail on the right%4)")
                                           .arg(nodes)
                                           .arg(topo_->gpus_per_node())
                                           .arg(node_)
                                           .arg(all_uplinks ? QString() : tr("; its uplinks drawn")));
}

// One node: GPUs in a row, NVSwitches above, NICs below; its links.
void TopologyView::paint_node(QPainter& p) {
  const auto& g = topo_->graph();
  std::vector<std::size_t> gpus, nvs, nics;
  for (std::size_t v = 0; v < boost::num_vertices(g); ++v) {
    if (g[v].node != node_) continue;
    if (g[v].kind == VertexKind::Gpu) gpus.push_back(v);
    else if (g[v].kind == VertexKind::NvSwitch) nvs.push_back(v);
    else if (g[v].kind == VertexKind::Nic) nics.push_back(v);
  }
  std::map<std::size_t, QPointF> at;
  const double w = width() - 40.0;
  auto place = [&](const std::vector<std::size_t>& vs, double y) {
    for (std::size_t i = 0; i < vs.size(); ++i)
      at[vs[i]] = QPointF(20 + w * (static_cast<double>(i) + 0.5) / static_cast<double>(vs.size()), y);
  };
  place(nvs, 50);
  place(gpus, height() * 0.5);
  place(nics, height() - 60.0);
  std::map<LinkKind, double> kind_Bps;
  for (int id = 0; id < topo_->link_count(); ++id) {
    const auto& l = topo_->link(id);
    if (!at.count(l.a) || !at.count(l.b)) continue;
    const bool used = usage_ && usage_->at(id);
    p.setPen(QPen(pen_color(id), used ? 3 : 1.5));
    p.drawLine(at[l.a], at[l.b]);
    kind_Bps[l.kind] = l.Bps;
    ++drawn_links_;
    drawn_used_links_ += used;
  }
  auto draw = [&](const std::vector<std::size_t>& vs, QColor c, const QString& prefix) {
    for (std::size_t i = 0; i < vs.size(); ++i) {
      const auto pos = at[vs[i]];
      p.setPen(Qt::NoPen);
      p.setBrush(c);
      p.drawRoundedRect(QRectF(pos.x() - 18, pos.y() - 11, 36, 22), 4, 4);
      p.setPen(Qt::white);
      p.drawText(QRectF(pos.x() - 18, pos.y() - 11, 36, 22), Qt::AlignCenter, prefix + QString::number(i));
      ++drawn_vertices_;
    }
  };
  draw(nvs, QColor(0x3a, 0x9a, 0x4a), "S");
  draw(gpus, QColor(0x44, 0x44, 0x44), "G");
  draw(nics, QColor(0x2f, 0x6f, 0xc0), "N");
  p.setPen(palette().color(QPalette::Text));
  QString legend = tr("node %1: %2 GPUs, %3 NVSwitches, %4 NICs").arg(node_).arg(gpus.size()).arg(nvs.size()).arg(nics.size());
  for (const auto& [k, bps] : kind_Bps)
    legend += QStringLiteral("   %1 %2 per direction").arg(QString::fromUtf8(topology::to_string(k).data()), bandwidth(bps));
  p.drawText(QRectF(10, height() - 24.0, width() - 20.0, 20), Qt::AlignLeft, legend);
}

TopologyPage::TopologyPage(ScenarioDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
  auto* outer = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  summary_ = new QLabel(tr("The scenario's topology."));
  summary_->setWordWrap(true);
  node_pick_ = new QSpinBox;
  node_pick_->setPrefix(tr("node "));
  bar->addWidget(summary_, 1);
  bar->addWidget(node_pick_);
  outer->addLayout(bar);
  auto* split = new QSplitter(Qt::Horizontal);
  cluster_ = new TopologyView(TopologyView::Mode::Cluster);
  node_ = new TopologyView(TopologyView::Mode::Node);
  split->addWidget(cluster_);
  split->addWidget(node_);
  outer->addWidget(split, 1);
  connect(node_pick_, &QSpinBox::valueChanged, this, [this](int n) {
    cluster_->set_node(n);
    node_->set_node(n);
  });
  connect(doc_, &ScenarioDocument::check_changed, this, &TopologyPage::refresh);
}

void TopologyPage::show_link_usage(const nlohmann::json& report) {
  try {
    auto u = std::make_shared<const LinkUsage>(LinkUsage::from_report(report));
    usage_ = u->empty() ? nullptr : u;
  } catch (const std::exception&) {
    usage_ = nullptr;  // a report without usable per-link numbers: links by kind, as before a simulation
  }
  cluster_->set_link_usage(usage_);
  node_->set_link_usage(usage_);
}

void TopologyPage::refresh() {
  if (!doc_->has_check() || !doc_->check().parsed) return;
  if (usage_) {  // the scenario changed since the simulation: its link numbers no longer apply
    usage_ = nullptr;
    cluster_->set_link_usage(nullptr);
    node_->set_link_usage(nullptr);
  }
  const auto& tf = doc_->check().parsed->topology;
  if (topo_ && topo_->name == tf.topology.name && topo_->link_count() == tf.topology.link_count() &&
      topo_->gpu_count() == tf.topology.gpu_count())
    return;  // the same cluster
  topo_ = std::make_shared<const topology::Topology>(tf.topology);
  summary_->setText(tr("%1 (%2): %3 GPUs on %4 nodes, %5 links")
                        .arg(QString::fromStdString(topo_->name), QString::fromStdString(tf.generator))
                        .arg(topo_->gpu_count())
                        .arg(topo_->node_count())
                        .arg(topo_->link_count()));
  node_pick_->setRange(0, std::max(0, topo_->node_count() - 1));
  cluster_->set_topology(topo_);
  node_->set_topology(topo_);
}

}  // namespace moeplan::gui
