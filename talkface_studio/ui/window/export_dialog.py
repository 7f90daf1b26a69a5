"""ExportDialog: what to write (MP4 / MOV ProRes / PNG sequence / curves / ARKit curves as Live Link
CSV or USD), where, which frames and at what size. Returns the choices; the window turns them into a
render-queue job."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLineEdit, QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from talkface_studio.core.limits import MAX_OUTPUT_SIZE, MIN_OUTPUT_SIZE
from talkface_studio.pipeline.render_jobs import FORMATS


class ExportDialog(QDialog):
    def __init__(self, default_dir: Path, take_name: str, has_range: bool, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.default_dir, self.take_name = Path(default_dir), take_name
        self.format = QComboBox(self)
        self.format.addItems(list(FORMATS))
        self.path = QLineEdit(self)
        browse = QPushButton("…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(browse)
        self.whole = QRadioButton("Whole take", self)
        self.in_out = QRadioButton("In/out range", self)
        self.in_out.setEnabled(has_range)
        (self.in_out if has_range else self.whole).setChecked(True)
        ranges = QWidget(self)
        rbox = QHBoxLayout(ranges)
        rbox.setContentsMargins(0, 0, 0, 0)
        rbox.addWidget(self.whole)
        rbox.addWidget(self.in_out)
        self.size = QSpinBox(self)
        self.size.setRange(MIN_OUTPUT_SIZE, MAX_OUTPUT_SIZE)
        self.size.setSingleStep(64)
        self.size.setValue(512)
        self.size.setSuffix(" px")
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Output", row)
        form.addRow("Frames", ranges)
        form.addRow("Size", self.size)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.button(QDialogButtonBox.Ok).setText("Add to render queue")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(buttons)
        self.format.currentTextChanged.connect(self._suggest)
        self._suggest()

    def _suggest(self) -> None:
        suffix, kind = FORMATS[self.format.currentText()]
        stem = self.take_name + {"curves": "_curves", "livelink": "_arkit", "usd": "_arkit"}.get(kind, "")
        self.path.setText(str(self.default_dir / f"{stem}{suffix or '_frames'}"))
        self.size.setEnabled(kind == "video")

    def _browse(self) -> None:
        suffix, _ = FORMATS[self.format.currentText()]
        if suffix:
            path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(), f"*{suffix}")
        else:
            path = QFileDialog.getExistingDirectory(self, "Export PNG frames into", str(self.default_dir))
        if path:
            self.path.setText(path)

    def choices(self) -> dict:
        suffix, kind = FORMATS[self.format.currentText()]
        path = Path(self.path.text()).expanduser()
        if suffix and path.suffix.lower() != suffix:
            path = path.with_suffix(suffix)
        return {"output": path, "kind": kind, "size": self.size.value(), "range": self.in_out.isChecked()}
