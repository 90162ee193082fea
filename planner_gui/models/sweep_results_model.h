// A sweep's results file (sim/sweep/results: CSV or JSON lines) as a table,
// growing as the sweep appends rows; and the frontier's points: the ok rows
// with their metrics, for the scatter chart.
#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <vector>

#include "sim/sweep/results.h"

namespace moeplan::gui {

struct FrontierPoint {
  double x = 0, y = 0;
  int row = 0;        // row of the results file
  QString hash;       // configuration hash
  QString label;      // the axis values, "plan.pp=16 plan.ep=64"
};

class SweepResultsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  using QAbstractTableModel::QAbstractTableModel;

  // Reads `path` with the core reader; rows already shown stay, new rows are inserted.
  bool reload(const QString& path, QString* error);
  // Takes rows read elsewhere (the job layer reads off the UI thread).
  void set_results(const sweep::ResultsFile& file);
  void clear();

  const sweep::ResultsFile& results() const { return file_; }
  // Axis columns: those not fixed by the results format.
  QStringList axis_columns() const;
  // Every row with status ok and both metrics present, in file order.
  std::vector<FrontierPoint> ok_points(const QString& x_metric, const QString& y_metric) const;
  int ok_rows() const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

 private:
  sweep::ResultsFile file_;
};

// CSV unless the name ends in .jsonl.
sweep::Format results_format(const QString& path);

}  // namespace moeplan::gui
