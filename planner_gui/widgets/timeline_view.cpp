#include "planner_gui/widgets/timeline_view.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace moeplan::gui {

TimelineView::TimelineView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(false);
  setMinimumHeight(120);
  setAutoFillBackground(true);
  setBackgroundRole(QPalette::Base);
}

QSize TimelineView::sizeHint() const {
  const int lanes = data_ ? static_cast<int>(data_->lanes().size()) : 8;
  return {900, kAxisHeight + lanes * kLaneHeight + 4};
}

QColor TimelineView::kind_color(int kind) {
  static const QColor palette[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0xe1, 0x57, 0x59),
                                   QColor(0x76, 0xb7, 0xb2), QColor(0x59, 0xa1, 0x4f), QColor(0xed, 0xc9, 0x48),
                                   QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7), QColor(0x9c, 0x75, 0x5f),
                                   QColor(0xba, 0xb0, 0xac)};
  if (kind >= 0 && static_cast<std::size_t>(kind) < std::size(palette)) return palette[static_cast<std::size_t>(kind)];
  // Beyond the palette: hues spread by the golden ratio, so neighbouring kinds differ.
  const double hue = std::fmod(0.13 + 0.618033988749895 * kind, 1.0);
  return QColor::fromHsvF(static_cast<float>(hue), 0.45f, 0.8f);
}

void TimelineView::set_data(std::shared_ptr<const TimelineData> data) {
  data_ = std::move(data);
  filter_ = {};
  show_all();
  updateGeometry();
}

void TimelineView::set_filter(const TimelineFilter& f) {
  filter_ = f;
  update();
}

void TimelineView::show_all() {
  set_range(0, data_ && data_->end_s() > 0 ? data_->end_s() : 1.0);
}

void TimelineView::set_range(double t0_s, double t1_s) {
  if (!(t1_s > t0_s)) return;
  t0_ = t0_s;
  t1_ = t1_s;
  update();
}

double TimelineView::x_to_s(double x) const {
  const double w = std::max(1, width() - kLabelWidth);
  return t0_ + (x - kLabelWidth) / w * (t1_ - t0_);
}

double TimelineView::s_to_x(double s) const {
  const double w = std::max(1, width() - kLabelWidth);
  return kLabelWidth + (s - t0_) / (t1_ - t0_) * w;
}

void TimelineView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  last_rects_ = 0;
  if (!data_ || data_->empty()) {
    p.setPen(palette().color(QPalette::Text));
    p.drawText(rect(), Qt::AlignCenter, tr("No trace yet: simulate (Simulate page) or show the schedule preview."));
    return;
  }
  const int plot_w = std::max(1, width() - kLabelWidth);
  // Time axis: about one tick per 100 px, at a round step.
  p.setPen(palette().color(QPalette::Text));
  const double span = t1_ - t0_;
  const double raw = span / std::max(1.0, plot_w / 100.0);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
  const bool ms = span < 2.0;  // milliseconds when zoomed in, seconds otherwise
  for (double t = std::ceil(t0_ / step) * step; t <= t1_; t += step) {
    const int x = static_cast<int>(s_to_x(t));
    p.drawLine(x, kAxisHeight - 5, x, kAxisHeight);
    p.drawText(QRect(x - 50, 0, 100, kAxisHeight - 5), Qt::AlignCenter,
               ms ? QStringLiteral("%1 ms").arg(t * 1e3, 0, 'g', 6) : QStringLiteral("%1 s").arg(t, 0, 'g', 6));
  }
  const auto& lanes = data_->lanes();
  const auto& ops = data_->ops();
  const QColor grid = palette().color(QPalette::AlternateBase);
  for (int l = 0; l < static_cast<int>(lanes.size()); ++l) {
    const int y = kAxisHeight + l * kLaneHeight;
    if (y > height()) break;
    if (l % 2) p.fillRect(0, y, width(), kLaneHeight, grid);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(4, y, kLabelWidth - 8, kLaneHeight), Qt::AlignVCenter | Qt::AlignLeft, lanes[static_cast<std::size_t>(l)].name);
    // Ops of this lane that may reach into [t0, t1]: ops do not overlap within
    // a stream, so the first candidate is the one before the first starting at t0.
    const auto begin = ops.begin() + static_cast<std::ptrdiff_t>(data_->lane_begin(l));
    const auto end = ops.begin() + static_cast<std::ptrdiff_t>(data_->lane_end(l));
    auto it = std::lower_bound(begin, end, t0_, [](const TimelineOp& o, double t) { return o.start_s < t; });
    if (it != begin) --it;
    int drawn_to = -1;  // pixel columns before this one are filled on this lane
    for (; it != end && it->start_s <= t1_; ++it) {
      if (it->end_s < t0_ || !filter_.accepts(*it)) continue;
      const int x0 = std::max(kLabelWidth, static_cast<int>(s_to_x(it->start_s)));
      const int x1 = std::min(width(), static_cast<int>(std::ceil(s_to_x(it->end_s))));
      // Zoomed out, many ops share a pixel column: the first to reach a column colours it.
      if (x1 <= drawn_to) continue;
      const int from = std::max(x0, drawn_to);
      p.fillRect(QRect(from, y + 2, std::max(1, x1 - from), kLaneHeight - 4), kind_color(it->kind));
      ++last_rects_;
      drawn_to = std::max(x1, from + 1);
    }
  }
  p.setPen(palette().color(QPalette::Mid));
  p.drawLine(kLabelWidth - 1, 0, kLabelWidth - 1, height());
}

const TimelineOp* TimelineView::op_at(const QPoint& pos) const {
  if (!data_ || pos.x() < kLabelWidth || pos.y() < kAxisHeight) return nullptr;
  const int l = (pos.y() - kAxisHeight) / kLaneHeight;
  if (l >= static_cast<int>(data_->lanes().size())) return nullptr;
  const double t = x_to_s(pos.x());
  const double slack = (t1_ - t0_) / std::max(1, width() - kLabelWidth) * 2;  // two pixels
  const auto& ops = data_->ops();
  const auto begin = ops.begin() + static_cast<std::ptrdiff_t>(data_->lane_begin(l));
  const auto end = ops.begin() + static_cast<std::ptrdiff_t>(data_->lane_end(l));
  auto it = std::upper_bound(begin, end, t + slack, [](double v, const TimelineOp& o) { return v < o.start_s; });
  while (it != begin) {
    --it;
    if (it->end_s + slack < t) break;
    if (filter_.accepts(*it)) return &*it;
  }
  return nullptr;
}

bool TimelineView::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* he = static_cast<QHelpEvent*>(e);
    if (const auto* op = op_at(he->pos())) QToolTip::showText(he->globalPos(), data_->details(*op), this);
    else QToolTip::hideText();
    return true;
  }
  return QWidget::event(e);
}

void TimelineView::wheelEvent(QWheelEvent* e) {
  const double factor = std::pow(0.8, e->angleDelta().y() / 120.0);
  const double at = x_to_s(e->position().x());
  const double min_span = 1e-7;
  const double span = std::max(min_span, (t1_ - t0_) * factor);
  const double frac = (at - t0_) / (t1_ - t0_);
  set_range(at - frac * span, at - frac * span + span);
  e->accept();
}

void TimelineView::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return;
  dragging_ = true;
  drag_from_ = e->position().toPoint();
  drag_t0_ = t0_;
  drag_t1_ = t1_;
  setCursor(Qt::ClosedHandCursor);
}

void TimelineView::mouseMoveEvent(QMouseEvent* e) {
  if (!dragging_) return;
  const double dx = e->position().x() - drag_from_.x();
  const double ds = dx / std::max(1, width() - kLabelWidth) * (drag_t1_ - drag_t0_);
  set_range(drag_t0_ - ds, drag_t1_ - ds);
}

void TimelineView::mouseReleaseEvent(QMouseEvent*) {
  dragging_ = false;
  unsetCursor();
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent*) { show_all(); }

}  // namespace moeplan::gui
