#include "planner_gui/widgets/field_editors.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <climits>

#include "sim/util/data_dirs.h"

namespace moeplan::gui {
namespace {

// Bundled files of a data folder: models/*/config.json, hardware/*.yaml, topologies/*.yaml.
QStringList bundled_files(const QString& folder) {
  QStringList out;
  std::filesystem::path root;
  try {
    root = moeplan::data_dir();
  } catch (const std::exception&) {
    return out;  // no bundled data folder: the user picks files with the button
  }
  const QDir dir(QString::fromStdString((root / folder.toStdString()).string()));
  if (folder == "models") {
    for (const auto& sub : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
      if (QFileInfo::exists(dir.filePath(sub + "/config.json"))) out << QDir::cleanPath(dir.filePath(sub + "/config.json"));
  } else {
    for (const auto& f : dir.entryList({"*.yaml", "*.yml"}, QDir::Files, QDir::Name)) out << QDir::cleanPath(dir.filePath(f));
  }
  return out;
}

}  // namespace

FieldRow::FieldRow(const FieldSpec& spec, ScenarioDocument* doc, QWidget* parent)
    : QWidget(parent), spec_(spec), doc_(doc) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->setSpacing(1);
  auto* row = new QHBoxLayout;
  switch (spec.kind) {
    case FieldKind::Integer: {
      auto* s = new QSpinBox;
      s->setRange(static_cast<int>(std::max<qlonglong>(spec.minimum, INT_MIN)),
                  static_cast<int>(std::min<qlonglong>(spec.maximum, INT_MAX)));
      s->setKeyboardTracking(true);
      s->setAccelerated(true);
      connect(s, &QSpinBox::valueChanged, this, [this](int v) { commit(QVariant::fromValue<qlonglong>(v)); });
      editor_ = s;
      break;
    }
    case FieldKind::Real: {
      auto* s = new QDoubleSpinBox;
      s->setRange(static_cast<double>(spec.minimum), static_cast<double>(spec.maximum));
      s->setDecimals(3);
      s->setSingleStep(0.1);
      connect(s, &QDoubleSpinBox::valueChanged, this, [this](double v) { commit(v); });
      editor_ = s;
      break;
    }
    case FieldKind::Choice: {
      auto* c = new QComboBox;
      c->addItems(spec.choices);
      connect(c, &QComboBox::currentTextChanged, this, [this](const QString& t) { commit(t); });
      editor_ = c;
      break;
    }
    case FieldKind::File: {
      auto* c = new QComboBox;
      c->setEditable(true);
      c->setInsertPolicy(QComboBox::NoInsert);
      c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
      c->setMinimumContentsLength(16);
      c->setMinimumWidth(160);  // not the width of the longest path it lists
      c->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
      for (const auto& f : bundled_files(spec.file_folder)) c->addItem(QFileInfo(f).dir().dirName() + "/" + QFileInfo(f).fileName(), f);
      connect(c, &QComboBox::activated, this, [this, c](int i) { commit(c->itemData(i).toString()); });
      connect(c->lineEdit(), &QLineEdit::editingFinished, this, [this, c] {
        const int i = c->findText(c->currentText());
        commit(i >= 0 ? c->itemData(i).toString() : c->currentText());
      });
      auto* browse = new QToolButton;
      browse->setText(QStringLiteral("…"));
      browse->setToolTip(tr("Pick a file"));
      connect(browse, &QToolButton::clicked, this, [this] {
        const auto f = QFileDialog::getOpenFileName(this, spec_.label, QFileInfo(doc_->value(spec_.path).toString()).path(),
                                                    tr("YAML or JSON (*.yaml *.yml *.json);;All files (*)"));
        if (!f.isEmpty()) commit(f);
      });
      editor_ = c;
      row->addWidget(c, 1);
      row->addWidget(browse);
      break;
    }
    case FieldKind::IntList: {
      auto* e = new QLineEdit;
      connect(e, &QLineEdit::textEdited, this, [this](const QString& t) { commit(t); });
      editor_ = e;
      break;
    }
  }
  editor_->setObjectName(spec.path);
  editor_->setToolTip(spec.tooltip.isEmpty() ? spec.path : spec.path + "\n" + spec.tooltip);
  if (row->isEmpty()) row->addWidget(editor_, 1);
  outer->addLayout(row);
  message_ = new QLabel(this);
  message_->setObjectName("msg:" + spec.path);
  message_->setWordWrap(true);
  message_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // wraps to the form's width
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QPalette pal = message_->palette();
  pal.setColor(QPalette::WindowText, QColor(0xc0, 0x20, 0x20));
  message_->setPalette(pal);
  message_->setVisible(false);  // the page places it: a row of its own under the field's row
  refresh_value();
}

void FieldRow::commit(const QVariant& v) { doc_->set_value(spec_.path, v); }

void FieldRow::refresh_value() {
  const QSignalBlocker block(editor_);
  const auto v = doc_->value(spec_.path);
  switch (spec_.kind) {
    case FieldKind::Integer:
      static_cast<QSpinBox*>(editor_)->setValue(static_cast<int>(v.toLongLong()));
      break;
    case FieldKind::Real: static_cast<QDoubleSpinBox*>(editor_)->setValue(v.toDouble()); break;
    case FieldKind::Choice: static_cast<QComboBox*>(editor_)->setCurrentText(v.toString()); break;
    case FieldKind::File: {
      auto* c = static_cast<QComboBox*>(editor_);
      const auto path = QDir::cleanPath(v.toString());
      const int i = c->findData(path);
      if (i >= 0) c->setCurrentIndex(i);
      else c->setEditText(v.toString().isEmpty() ? tr("(inline)") : path);
      c->setEnabled(!v.toString().isEmpty());
      break;
    }
    case FieldKind::IntList: {
      auto* e = static_cast<QLineEdit*>(editor_);
      if (e->text() != v.toString() && !e->hasFocus()) e->setText(v.toString());
      break;
    }
  }
}

void FieldRow::refresh_messages() {
  const auto msgs = doc_->messages_for(spec_.path);
  message_->setText(msgs.join('\n'));
  message_->setVisible(!msgs.isEmpty());
  editor_->setProperty("has_error", !msgs.isEmpty());
}

}  // namespace moeplan::gui
