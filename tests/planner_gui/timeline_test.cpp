// The timeline's data and view: lanes and ops from Chrome trace JSON (a
// hand-made trace, and the core's schedule preview, whose op count is known
// in closed form), filters, the op under the mouse, and zoom and pan
// against the view's linear time axis worked by hand.
#include <QApplication>
#include <QMouseEvent>
#include <QTest>
#include <QWheelEvent>

#include "planner_gui/models/timeline_data.h"
#include "planner_gui/widgets/timeline_page.h"
#include "planner_gui/widgets/timeline_view.h"
#include "sim/config/scenario.h"

using namespace moeplan;
using namespace moeplan::gui;

namespace {

nlohmann::json trace_event(int pid, int tid, double ts_us, double dur_us, const char* cat, int layer, int mb) {
  return {{"ph", "X"}, {"name", std::string(cat) + " op"}, {"cat", cat}, {"pid", pid}, {"tid", tid},
          {"ts", ts_us},  {"dur", dur_us}, {"args", {{"layer", layer}, {"mb", mb}, {"bytes", 42}}}};
}

nlohmann::json small_trace() {
  auto ev = nlohmann::json::array();
  ev.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", 1}, {"tid", 0}, {"args", {{"name", "compute"}}}});
  ev.push_back(trace_event(1, 0, 300, 100, "experts", 2, 0));  // out of order on purpose
  ev.push_back(trace_event(1, 0, 0, 100, "attention", 1, 0));
  ev.push_back(trace_event(0, 1, 50, 20, "dispatch", 1, 1));
  ev.push_back(trace_event(1, 0, 100, 200, "attention", 2, 1));
  return {{"traceEvents", ev}};
}

}  // namespace

class TimelineTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void lanesAreRankStreamPairsWithOpsSortedByStart() {
    const auto d = TimelineData::from_chrome_trace(small_trace());
    QCOMPARE(d.lanes().size(), std::size_t{2});
    QCOMPARE(d.lanes()[0].rank, 0);
    QCOMPARE(d.lanes()[1].name, QString("rank 1 compute"));
    QCOMPARE(d.lane_end(1) - d.lane_begin(1), std::size_t{3});
    const auto& ops = d.ops();
    QCOMPARE(ops[d.lane_begin(1)].start_s, 0.0);
    QCOMPARE(ops[d.lane_begin(1) + 1].start_s, 100e-6);
    QCOMPARE(ops[d.lane_begin(1) + 2].start_s, 300e-6);
    QCOMPARE(d.end_s(), 400e-6);
    QCOMPARE(d.max_layer(), 2);
    QCOMPARE(d.max_mb(), 1);
    QVERIFY(d.details(ops[d.lane_begin(1) + 2]).contains("bytes: 42"));
  }

  void filtersKeepOnlyTheChosenKindLayerAndMicroBatch() {
    const auto d = TimelineData::from_chrome_trace(small_trace());
    int attention = -1;
    for (std::size_t k = 0; k < d.kinds().size(); ++k)
      if (d.kinds()[k] == "attention") attention = static_cast<int>(k);
    TimelineFilter f;
    f.kind = attention;
    int n = 0;
    for (const auto& op : d.ops()) n += f.accepts(op);
    QCOMPARE(n, 2);
    f.layer = 2;
    n = 0;
    for (const auto& op : d.ops()) n += f.accepts(op);
    QCOMPARE(n, 1);
    f = {};
    f.mb = 1;
    n = 0;
    for (const auto& op : d.ops()) n += f.accepts(op);
    QCOMPARE(n, 2);
  }

  void theOpUnderTheMouseIsTheOneDrawnThere() {
    TimelineView v;
    v.resize(TimelineView::kLabelWidth + 400, 200);
    v.set_data(std::make_shared<const TimelineData>(TimelineData::from_chrome_trace(small_trace())));
    // 400 px for 400 us: one pixel per microsecond. Lane 1 (rank 1 compute), x at 150 us.
    const QPoint at(TimelineView::kLabelWidth + 150, TimelineView::kAxisHeight + TimelineView::kLaneHeight + 5);
    const auto* op = v.op_at(at);
    QVERIFY(op);
    QCOMPARE(op->start_s, 100e-6);
    QVERIFY(!v.op_at(QPoint(TimelineView::kLabelWidth + 250, TimelineView::kAxisHeight + 5)));  // lane 0 idle at 250 us
    // Zoom to [300, 400] us: the op at 150 us is out of view.
    v.set_range(300e-6, 400e-6);
    QCOMPARE(v.op_at(at)->start_s, 300e-6);
  }

  // 1000 px of time axis showing [0, 10] s: pixel kLabelWidth + 250 is 2.5 s.
  // One wheel notch (120) zooms in by 0.8: span 8 s, 2.5 s stays at that
  // pixel, so the range is [2.5 - 0.25 x 8, 2.5 + 0.75 x 8] = [0.5, 8.5].
  void wheelZoomKeepsTheTimeUnderTheCursorFixed() {
    TimelineView v;
    v.resize(TimelineView::kLabelWidth + 1000, 200);
    v.set_data(std::make_shared<const TimelineData>(TimelineData::from_chrome_trace(small_trace())));
    v.set_range(0, 10);
    const QPointF at(TimelineView::kLabelWidth + 250, 50);
    QWheelEvent in(at, v.mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                   false);
    QApplication::sendEvent(&v, &in);
    QVERIFY(qAbs(v.t0() - 0.5) < 1e-12);
    QVERIFY(qAbs(v.t1() - 8.5) < 1e-12);
    // Back out by one notch: span 8 / 0.8 = 10 around the same 2.5 s, so [0, 10] again.
    QWheelEvent out(at, v.mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
    QApplication::sendEvent(&v, &out);
    QVERIFY2(qAbs(v.t0() - 0.0) < 1e-12, qPrintable(QString::number(v.t0())));
    QVERIFY(qAbs(v.t1() - 10.0) < 1e-12);
  }

  // Dragging 100 px right on 1000 px showing 10 s moves the view 1 s earlier;
  // 300 px left from the press moves it 3 s later; double-click shows all.
  void dragPansByTheDraggedTime() {
    TimelineView v;
    v.resize(TimelineView::kLabelWidth + 1000, 200);
    const auto data = std::make_shared<const TimelineData>(TimelineData::from_chrome_trace(small_trace()));
    v.set_data(data);
    v.set_range(0, 10);
    const QPointF from(TimelineView::kLabelWidth + 500, 50);
    auto send_mouse = [&](QEvent::Type type, QPointF pos, Qt::MouseButtons buttons) {
      QMouseEvent e(type, pos, v.mapToGlobal(pos), Qt::LeftButton, buttons, Qt::NoModifier);
      QApplication::sendEvent(&v, &e);
    };
    send_mouse(QEvent::MouseButtonPress, from, Qt::LeftButton);
    send_mouse(QEvent::MouseMove, from + QPointF(100, 0), Qt::LeftButton);
    QVERIFY(qAbs(v.t0() - (-1.0)) < 1e-12);
    QVERIFY(qAbs(v.t1() - 9.0) < 1e-12);
    send_mouse(QEvent::MouseMove, from + QPointF(-300, 7), Qt::LeftButton);  // from the press, not the last move
    QVERIFY(qAbs(v.t0() - 3.0) < 1e-12);
    QVERIFY(qAbs(v.t1() - 13.0) < 1e-12);
    send_mouse(QEvent::MouseButtonRelease, from + QPointF(-300, 7), Qt::NoButton);
    send_mouse(QEvent::MouseMove, from, Qt::NoButton);  // released: no more panning
    QVERIFY(qAbs(v.t0() - 3.0) < 1e-12);
    send_mouse(QEvent::MouseButtonDblClick, from, Qt::LeftButton);
    QCOMPARE(v.t0(), 0.0);
    QCOMPARE(v.t1(), data->end_s());
  }

  void schedulePreviewHasTheClosedFormOpCount() {
    // 1F1B: each of pp ranks runs one F and one B per micro-batch.
    Diagnostics diag;
    auto sc = config::load_scenario(MOEPLAN_SOURCE_DIR "/scenarios/h200x2-pp2-1f1b.yaml", diag);
    QVERIFY2(diag.empty(), diag.to_string().c_str());
    const auto d = TimelineData::from_chrome_trace(schedule_preview_trace(sc));
    QCOMPARE(static_cast<long long>(d.ops().size()), 2LL * sc.plan.pp * sc.microbatches());
    QCOMPARE(static_cast<int>(d.lanes().size()), sc.plan.pp);
  }

  void paintFillsEachPixelColumnOfALaneAtMostOnce() {
    // 10,000 one-microsecond ops of one kind on one lane, in a 200-pixel view.
    auto ev = nlohmann::json::array();
    for (int i = 0; i < 10000; ++i) ev.push_back(trace_event(0, 0, i, 1, "experts", 0, 0));
    TimelineView v;
    v.resize(TimelineView::kLabelWidth + 200, 100);
    v.set_data(std::make_shared<const TimelineData>(TimelineData::from_chrome_trace({{"traceEvents", ev}})));
    QImage image(v.size(), QImage::Format_ARGB32_Premultiplied);
    v.render(&image);
    QVERIFY(v.last_rects() <= 200);
    QVERIFY(v.last_rects() >= 1);
  }
};

QTEST_MAIN(TimelineTest)
#include "timeline_test.moc"
