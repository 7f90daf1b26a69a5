"""Inspector: numeric editing of what is selected, a segment (emotion, level, transition) or keys
(frame, value, interpolation, tangent handles: key_panel); with nothing selected, the shown take's
own settings (spoken language, and the script: its button asks for Take > Script...). Every field
pushes a command; spin boxes merge into one undo step."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QLabel, QPushButton, QSizePolicy, QSpinBox,
                               QStackedWidget, QVBoxLayout, QWidget)

from talkface_studio.core.commands import SetAudioChannel, SetLanguage, SetSegment
from talkface_studio.core.emotion_track import EMOTIONS
from talkface_studio.core.errors import TalkFaceError

from .key_panel import KeyPanel


SCRIPT_SHOWN = 30  # characters of the script on its button


class Inspector(QWidget):
    script_requested = Signal()  # the script button: the window opens Take > Script...

    def __init__(self, document, session, curve_editor=None, parent=None):
        super().__init__(parent)
        self.document, self.session, self.curve_editor = document, session, curve_editor
        self.stack = QStackedWidget(self)
        idle = QWidget(self)
        iform = QFormLayout(idle)
        self.take_title = QLabel(idle)
        self.language = QComboBox(idle)
        self.language.setToolTip("The language of the take's speech: lip sync reads the script with it")
        from talkface_studio.audio.languages import language_choices

        self._language_labels = language_choices()
        for code, label in self._language_labels:
            self.language.addItem(label, code)
        self.empty = QLabel("Select a segment in the emotion lane\nor keys in the curve editor.", idle)
        self.empty.setStyleSheet("color: #8b8f96; padding: 12px 0;")
        iform.addRow(self.take_title)
        iform.addRow("Language", self.language)
        self.script = QPushButton(idle)
        self.script.setStyleSheet("text-align: left; padding: 2px 6px;")
        self.script.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)   # never widens the dock
        self.script.setMinimumWidth(120)
        self.script.setToolTip("The words spoken in the take: lip sync aligns them to the recording "
                               "(Take > Script…, which can draft them from English audio)")
        self.script.clicked.connect(self.script_requested)
        iform.addRow("Script", self.script)
        self.channel = QComboBox(idle)
        self.channel.setToolTip("Which channel of the recording the character speaks on: lip sync, the waveform "
                                "and scrubbing use it alone (a field recorder keeps each actor's lavalier on "
                                "its own track); the mix is the mean of all channels")
        self._recording_channels: int | None = None  # of the shown take's recording, once decoded
        iform.addRow("Channel", self.channel)
        iform.addRow(self.empty)
        self.stack.addWidget(idle)

        seg = QWidget(self)
        form = QFormLayout(seg)
        self.seg_title = QLabel(seg)
        self.emotion = QComboBox(seg)
        self.emotion.addItems([e for e in EMOTIONS if e != "neutral"])
        self.level = QSpinBox(seg)
        self.level.setRange(1, 3)
        self.transition = QSpinBox(seg)
        self.transition.setRange(-1, 240)
        self.transition.setSpecialValueText("track default")
        self.transition.setSuffix(" f")
        self.seg_range = QLabel(seg)
        form.addRow(self.seg_title)
        form.addRow("Emotion", self.emotion)
        form.addRow("Level", self.level)
        form.addRow("Transition", self.transition)
        form.addRow("Frames", self.seg_range)
        self.stack.addWidget(seg)

        self.keys = KeyPanel(document, session, self)
        self.stack.addWidget(self.keys)

        box = QVBoxLayout(self)
        box.setContentsMargins(2, 0, 2, 0)  # the pages' own margins suffice: a take's four rows fit a 1000-px screen
        box.addWidget(self.stack)
        box.addStretch(1)
        self._syncing = False
        self.emotion.activated.connect(lambda _i: self._set_segment(emotion=self.emotion.currentText()))
        self.level.valueChanged.connect(lambda v: self._set_segment(level=v))
        self.transition.valueChanged.connect(lambda v: self._set_segment(transition=None if v < 0 else v))
        self.language.activated.connect(lambda _i: self._set_language(self.language.currentData()))
        self.channel.activated.connect(lambda _i: self._set_channel(self.channel.currentData()))
        session.segment_selected.connect(lambda _id: self.sync())
        session.keys_selected.connect(self.sync)
        document.changed.connect(lambda _c: self.sync())
        document.replaced.connect(self.sync)
        self.sync()

    def sync(self) -> None:
        self._syncing = True
        try:
            self._sync()
        finally:
            self._syncing = False

    def _sync(self) -> None:
        take = self.document.take
        seg = None
        if take is not None and self.session.selected_segment is not None:
            seg = next((s for s in take.emotion_track.segments if s.id == self.session.selected_segment), None)
        if seg is not None:
            self.stack.setCurrentIndex(1)
            self.seg_title.setText(f"<b>Emotion segment</b> {seg.id}")
            self.emotion.setCurrentText(seg.emotion)
            self.level.setValue(seg.level)
            self.transition.setValue(-1 if seg.transition is None else seg.transition)
            rate = take.rate
            self.seg_range.setText(f"{seg.start}–{seg.end - 1}  ({seg.length} f, "
                                   f"{rate.to_timecode(seg.start)} – {rate.to_timecode(seg.end)})")
            return
        if self.keys.sync(take):
            self.stack.setCurrentIndex(2)
            return
        self.stack.setCurrentIndex(0)
        self.take_title.setText(f"<b>Take</b> {take.name}" if take is not None else "<b>No take</b>")
        self.language.setEnabled(take is not None)
        self.script.setEnabled(take is not None)
        words = " ".join((take.generation.transcript or "").split()) if take is not None else ""
        if len(words) > SCRIPT_SHOWN:
            words = words[:SCRIPT_SHOWN].rsplit(" ", 1)[0] + " …"
        self.script.setText(f"“{words}”" if words else "None: speech recognized (add…)" if take else "")
        while self.language.count() > len(self._language_labels):  # an unknown tag shown before
            self.language.removeItem(self.language.count() - 1)
        for i, (_code, label) in enumerate(self._language_labels):
            self.language.setItemText(i, label)
        if take is not None:
            base = take.language.split("-")[0]
            index = self.language.findData(base)
            if index < 0:  # a tag from a newer version: show it, keep it until the artist picks another
                self.language.addItem(take.language, take.language)
                index = self.language.count() - 1
            self.language.setCurrentIndex(index)
            region = take.language[len(base):]
            if region:  # fr-CA: the region stays unless the language changes
                self.language.setItemText(index, f"{self.language.itemText(index).split(' (')[0]} ({take.language})")
        else:  # no take: an empty, disabled field, not the list's first language
            self.language.setCurrentIndex(-1)
        self._sync_channel(take)

    def set_recording_channels(self, count: int | None) -> None:
        """How many channels the shown take's recording has (None: no recording, or not decoded)."""
        self._recording_channels = count
        self.sync()

    def _sync_channel(self, take) -> None:
        chosen = take.audio_channel if take is not None else None
        has = self._recording_channels or 0
        self.channel.clear()
        self.channel.addItem("Mono" if has == 1 and chosen is None else "Mix of all channels", 0)
        for k in range(1, max(has, chosen or 0) + 1):
            self.channel.addItem(f"Channel {k}" if k <= has or not has else f"Channel {k} (not in the recording)", k)
        self.channel.setCurrentIndex(chosen or 0)
        self.channel.setEnabled(take is not None and (has > 1 or chosen is not None))

    def _push(self, commands, label=None, mergeable=True):
        try:
            self.document.push(commands, label=label, mergeable=mergeable)
        except TalkFaceError as exc:
            self.empty.setText(str(exc))

    def _set_language(self, code: str) -> None:
        take = self.document.take
        if self._syncing or take is None or not code or code == take.language.split("-")[0]:
            return
        self._push(SetLanguage(take.name, code), mergeable=False)

    def _set_channel(self, channel) -> None:
        take = self.document.take
        channel = channel or None  # item data 0: the mix
        if self._syncing or take is None or channel == take.audio_channel:
            return
        self._push(SetAudioChannel(take.name, channel), mergeable=False)

    def _set_segment(self, **changes) -> None:
        if self._syncing or self.session.selected_segment is None:
            return
        take = self.document.take
        seg = next((s for s in take.emotion_track.segments if s.id == self.session.selected_segment), None)
        if seg is None or all(getattr(seg, k) == v for k, v in changes.items()):
            return  # a spin box repeats its value on Enter: no undo step that changes nothing
        self._push(SetSegment(self.document.current_take, self.session.selected_segment, **changes))
