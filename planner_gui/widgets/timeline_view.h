// A zoomable, pannable Gantt chart of a TimelineData: one row per (rank,
// stream) lane, ops coloured by kind, a tooltip with the op's details.
// Wheel zooms around the cursor, dragging pans, double-click shows all.
// Painting walks each lane's ops in the visible window only (binary search
// on start) and fills each pixel column of a lane at most once.
#pragma once

#include <QWidget>
#include <memory>

#include "planner_gui/models/timeline_data.h"

namespace moeplan::gui {

class TimelineView : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineView(QWidget* parent = nullptr);

  void set_data(std::shared_ptr<const TimelineData> data);
  const TimelineData* data() const { return data_.get(); }
  void set_filter(const TimelineFilter& f);
  void show_all();
  void set_range(double t0_s, double t1_s);
  double t0() const { return t0_; }
  double t1() const { return t1_; }
  // Colour of a kind, the same in the view and its legend.
  static QColor kind_color(int kind);
  // The op under a widget position, or nullptr.
  const TimelineOp* op_at(const QPoint& pos) const;
  // Rectangles the last paint drew (for the benchmark and tests).
  long long last_rects() const { return last_rects_; }

  static constexpr int kLabelWidth = 130;
  static constexpr int kLaneHeight = 18;
  static constexpr int kAxisHeight = 22;

 protected:
  void paintEvent(QPaintEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  bool event(QEvent* e) override;
  QSize sizeHint() const override;

 private:
  double x_to_s(double x) const;
  double s_to_x(double s) const;

  std::shared_ptr<const TimelineData> data_;
  TimelineFilter filter_;
  double t0_ = 0, t1_ = 1;
  QPoint drag_from_;
  double drag_t0_ = 0, drag_t1_ = 0;
  bool dragging_ = false;
  long long last_rects_ = 0;
};

}  // namespace moeplan::gui
