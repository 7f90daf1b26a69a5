"""ExportDialog: what to write (MP4 / MOV ProRes / PNG or EXR sequence / curves / ARKit curves as Live
Link CSV or USD / mouth cues for Rhubarb, Moho or Papagayo, held on ones, twos or threes / captions), where,
which frames and at what size, or as a plate (the whole source photo at its own resolution, with the
performer's matte as alpha where the format holds one). Returns the choices; the window turns them
into a render-queue job."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton, QSpinBox, QVBoxLayout,
                               QWidget)

from talkface_studio.core.limits import MAX_OUTPUT_SIZE, MIN_OUTPUT_SIZE
from talkface_studio.pipeline.export.mouth_cues import MAX_HOLD
from talkface_studio.pipeline.render_jobs import ALPHA_FORMATS, FORMATS, image_format_of


class ExportDialog(QDialog):
    def __init__(self, default_dir: Path, take_name: str, has_range: bool, parent=None,
                 photo_size: tuple[int, int] | None = None):
        super().__init__(parent)
        self.photo_size = photo_size  # (width, height) of the take's photo, for the plate's note
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
        self.hold = QSpinBox(self)  # mouth cues: 2D animation drawn on ones, twos or threes
        self.hold.setRange(1, MAX_HOLD)
        self.hold.setSuffix(" frames or more (on twos: 2)")
        self.hold.setSpecialValueText("1 frame or more (on ones)")
        self.hold.setToolTip("Mouth cues: hold each mouth drawing at least this many frames (2: on twos); a "
                             "shorter one gives its frames to the next, a p/b/m closure is kept and lengthened")
        form.addRow("Hold", self.hold)
        self.plate = QCheckBox("Whole photo at its own resolution (plate)", self)
        self.plate.setToolTip("Render the performance back into the source photo: only head, hair and neck "
                              "change, every other pixel is the photo's own (render --plate)")
        self.alpha = QCheckBox("Performer's matte as alpha", self)
        form.addRow("Plate", self.plate)
        form.addRow("Alpha", self.alpha)
        self.note = QLabel(self)  # what a plate writes, in words
        self.note.setWordWrap(True)
        form.addRow("", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.button(QDialogButtonBox.Ok).setText("Add to render queue")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(buttons)
        self.format.currentTextChanged.connect(self._suggest)
        self.plate.toggled.connect(self._enable)
        self.alpha.toggled.connect(self._enable)
        self._suggest()

    def _suggest(self) -> None:
        suffix, kind = FORMATS[self.format.currentText()]
        stem = self.take_name + {"curves": "_curves", "livelink": "_arkit", "usd": "_arkit",
                                 "cues": "_mouth", "captions": ""}.get(kind, "")
        self.path.setText(str(self.default_dir / f"{stem}{suffix or '_frames'}"))
        self._enable()

    def _enable(self) -> None:
        """Size for square renders, plate for pictures, alpha for plates in a format that holds it."""
        name = self.format.currentText()
        pictures = FORMATS[name][1] == "video"
        self.plate.setEnabled(pictures)
        if not pictures:
            self.plate.setChecked(False)
        plate = self.plate.isChecked()
        self.size.setEnabled(pictures and not plate)
        self.hold.setEnabled(FORMATS[name][1] == "cues")
        holds = plate and name in ALPHA_FORMATS
        self.alpha.setEnabled(holds)
        if not holds:
            self.alpha.setChecked(False)
        self.alpha.setToolTip("MOV becomes ProRes 4444; PNG and EXR frames get an alpha channel" if holds else
                              "Plates only, in MOV, PNG or EXR: MP4 (H.264) has no alpha channel")
        self.note.setText(self._plate_note(name) if plate else "")
        self.note.setVisible(plate)

    def _plate_note(self, name: str) -> str:
        w, h = self.photo_size or (0, 0)
        size = f"{w}x{h}, the photo's own size" if w else "the photo's own size"
        video = FORMATS[name][0] in (".mp4", ".mov")
        if video and w and (w % 2 or h % 2):
            size += " (padded by one pixel to even sides)"
        alpha = self.alpha.isChecked()
        what = {"MP4 (H.264)": "H.264", "MOV (ProRes 422 HQ)": "ProRes 4444 with alpha" if alpha else
                "ProRes 422 HQ"}.get(name, "RGBA frames" if alpha else "frames")
        return f"Writes {what} at {size}; only head, hair and neck change."

    def _browse(self) -> None:
        suffix, _ = FORMATS[self.format.currentText()]
        if suffix:
            path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(), f"*{suffix}")
        else:
            path = QFileDialog.getExistingDirectory(self, "Export frames into", str(self.default_dir))
        if path:
            self.path.setText(path)

    def choices(self) -> dict:
        suffix, kind = FORMATS[self.format.currentText()]
        path = Path(self.path.text()).expanduser()
        if suffix and path.suffix.lower() != suffix:
            path = path.with_suffix(suffix)
        return {"output": path, "kind": kind, "size": self.size.value(), "range": self.in_out.isChecked(),
                "plate": self.plate.isChecked(), "alpha": self.alpha.isChecked(),
                "image_format": image_format_of(self.format.currentText()), "hold": self.hold.value()}
