#include "planner_gui/models/sweep_results_model.h"

#include <algorithm>
#include <optional>
#include <set>

namespace moeplan::gui {

sweep::Format results_format(const QString& path) {
  return path.endsWith(QStringLiteral(".jsonl"), Qt::CaseInsensitive) ? sweep::Format::Jsonl : sweep::Format::Csv;
}

bool SweepResultsModel::reload(const QString& path, QString* error) {
  Diagnostics diag;
  std::optional<sweep::ResultsFile> f;
  try {
    f = sweep::read_results(path.toStdString(), results_format(path), diag);
  } catch (const std::exception& e) {
    diag.add(path.toStdString(), 0, "", e.what());
  }
  if (!f) {
    if (error) *error = QString::fromStdString(diag.to_string());
    return false;
  }
  set_results(*f);
  return true;
}

void SweepResultsModel::set_results(const sweep::ResultsFile& file) {
  const bool same_columns = file.columns == file_.columns && file.rows.size() >= file_.rows.size();
  if (!same_columns) {
    beginResetModel();
    file_ = file;
    endResetModel();
    return;
  }
  if (file.rows.size() == file_.rows.size()) return;
  beginInsertRows({}, static_cast<int>(file_.rows.size()), static_cast<int>(file.rows.size()) - 1);
  file_ = file;
  endInsertRows();
}

void SweepResultsModel::clear() {
  beginResetModel();
  file_ = {};
  endResetModel();
}

QStringList SweepResultsModel::axis_columns() const {
  std::set<std::string> fixed{"index", "of", "shard", "hash", "tier", "status", "reason", "wall_s"};
  for (const auto& m : sweep::metric_columns()) fixed.insert(m);
  QStringList out;
  for (const auto& c : file_.columns)
    if (!fixed.count(c)) out << QString::fromStdString(c);
  return out;
}

std::vector<FrontierPoint> SweepResultsModel::ok_points(const QString& x_metric, const QString& y_metric) const {
  std::vector<FrontierPoint> pts;
  const auto xk = x_metric.toStdString(), yk = y_metric.toStdString();
  const auto axes = axis_columns();
  for (std::size_t i = 0; i < file_.rows.size(); ++i) {
    const auto& row = file_.rows[i];
    auto st = row.find("status");
    if (st == row.end() || st->second != "ok") continue;
    auto xv = row.find(xk), yv = row.find(yk);
    if (xv == row.end() || yv == row.end() || xv->second.empty() || yv->second.empty()) continue;
    bool okx = false, oky = false;
    FrontierPoint p;
    p.x = QString::fromStdString(xv->second).toDouble(&okx);
    p.y = QString::fromStdString(yv->second).toDouble(&oky);
    if (!okx || !oky) continue;
    p.row = static_cast<int>(i);
    if (auto h = row.find("hash"); h != row.end()) p.hash = QString::fromStdString(h->second);
    QStringList parts;
    for (const auto& a : axes)
      if (auto v = row.find(a.toStdString()); v != row.end()) parts << QStringLiteral("%1=%2").arg(a, QString::fromStdString(v->second));
    p.label = parts.join(' ');
    pts.push_back(p);
  }
  return pts;
}

int SweepResultsModel::ok_rows() const {
  return static_cast<int>(std::count_if(file_.rows.begin(), file_.rows.end(), [](const auto& r) {
    auto s = r.find("status");
    return s != r.end() && s->second == "ok";
  }));
}

int SweepResultsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(file_.rows.size());
}
int SweepResultsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(file_.columns.size());
}

QVariant SweepResultsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid) || role != Qt::DisplayRole) return {};
  const auto& row = file_.rows[static_cast<std::size_t>(index.row())];
  auto it = row.find(file_.columns[static_cast<std::size_t>(index.column())]);
  return it == row.end() ? QVariant() : QVariant(QString::fromStdString(it->second));
}

QVariant SweepResultsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (o == Qt::Vertical) return section + 1;
  return section >= 0 && section < static_cast<int>(file_.columns.size())
             ? QVariant(QString::fromStdString(file_.columns[static_cast<std::size_t>(section)]))
             : QVariant();
}

}  // namespace moeplan::gui
