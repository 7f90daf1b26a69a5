"""The shown take's performance settings (mouth amounts, and how readily recognition hears lip
closures): the Performance dock.

Each slider drag or spin-box step is one undoable SetGeneration on the take's generation options
(document state, saved with the project); the take is then marked for regeneration (Generate •),
because stage 1 makes the curves from them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from talkface_studio.core.commands import SetGeneration
from talkface_studio.core.errors import TalkFaceError
from talkface_studio.perform.procedural.performance_settings import BY_KEY, MOUTH_SETTINGS, setting_value

STEPS = 100  # slider steps per unit


class PerformancePanel(QWidget):
    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.sliders: dict[str, QSlider] = {}
        self.spins: dict[str, QDoubleSpinBox] = {}
        self._syncing = False
        form = QFormLayout(self)
        form.setContentsMargins(8, 6, 8, 6)
        form.setVerticalSpacing(4)
        title = QLabel("<b>Mouth</b> of this take (1 = natural)", self)
        title.setToolTip("Saved with the take; Undo reverts them. They apply at the next Generate.")
        self.reset = QPushButton("Defaults", self)
        self.reset.setToolTip("Put every mouth setting of this take back to 1 (natural)")
        self.reset.clicked.connect(self.set_defaults)
        head = QWidget(self)  # Defaults beside the title: the six rows fit a 1000-px screen with the Inspector's
        lay = QHBoxLayout(head)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(title, 1)
        lay.addWidget(self.reset)
        form.addRow(head)
        for s in MOUTH_SETTINGS:
            slider = QSlider(Qt.Horizontal, self)
            slider.setMinimumWidth(40)
            slider.setRange(0, int(round(s.maximum * STEPS)))
            spin = QDoubleSpinBox(self)
            spin.setRange(0.0, s.maximum)
            spin.setDecimals(2)
            spin.setSingleStep(0.05)
            spin.setKeyboardTracking(False)  # one step per Enter, not per keystroke
            spin.setFixedWidth(64)
            for w in (slider, spin):
                w.setToolTip(f"{s.help}\n1 = natural. Applies at the next Generate. ({s.flag} on the command line)")
            row = QWidget(self)
            lay = QHBoxLayout(row)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(slider, 1)
            lay.addWidget(spin)
            form.addRow(s.label, row)
            self.sliders[s.key], self.spins[s.key] = slider, spin
            slider.valueChanged.connect(lambda v, key=s.key: self._slid(key, v / STEPS))
            slider.sliderReleased.connect(lambda key=s.key: self.document.finish_live(label=f"Set {key}"))
            spin.valueChanged.connect(lambda v, key=s.key: self._set(key, v))
        self.hint = QLabel(self)  # why a typed value was refused; shown only then
        self.hint.setStyleSheet("color: #8b8f96;")
        self.hint.setWordWrap(True)
        self.hint.hide()
        form.addRow(self.hint)
        document.changed.connect(lambda _c: self.sync())
        document.replaced.connect(self.sync)
        self.sync()

    def value(self, key: str) -> float:
        """The shown take's value; a hand-edited one out of range shows as the default (Generate
        names it)."""
        take = self.document.take
        if take is None:
            return BY_KEY[key].default
        try:
            return setting_value(take.generation.options, key)
        except TalkFaceError:
            return BY_KEY[key].default

    def sync(self) -> None:
        self.hint.hide()  # a note on a refused value is stale once anything changed (a drag, Defaults, Undo)
        self._syncing = True
        try:
            enabled = self.document.take is not None
            self.setEnabled(enabled)
            for key in self.sliders:
                v = self.value(key)
                self.sliders[key].setValue(int(round(v * STEPS)))
                self.spins[key].setValue(v)
        finally:
            self._syncing = False

    def _command(self, changes: dict) -> SetGeneration:
        take = self.document.take
        options = {k: v for k, v in take.generation.options.items() if k not in changes or changes[k] is not None}
        options.update({k: v for k, v in changes.items() if v is not None})
        return SetGeneration(self.document.current_take, options=options)

    def _slid(self, key: str, value: float) -> None:
        if self._syncing or self.document.take is None:
            return
        if self.sliders[key].isSliderDown():  # a drag: the model follows, one undo step at release
            self.document.live(("performance", key), self._command({key: value}))
        else:  # keyboard, wheel or a click on the groove
            self._set(key, value)

    def _set(self, key: str, value: float) -> None:
        if self._syncing or self.document.take is None or abs(value - self.value(key)) < 1e-9:
            return
        try:
            self.document.push(self._command({key: round(value, 3)}), label=f"Set {key}", mergeable=False)
        except TalkFaceError as exc:  # nothing changed: the note stays until the next change (sync)
            self.hint.setText(str(exc))
            self.hint.show()

    def set_defaults(self) -> None:
        take = self.document.take
        if take is None or not any(s.key in take.generation.options for s in MOUTH_SETTINGS):
            return
        self.document.push(self._command({s.key: None for s in MOUTH_SETTINGS}), label="Mouth settings to defaults",
                           mergeable=False)
