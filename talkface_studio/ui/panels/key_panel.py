"""KeyPanel: the inspector's fields for the selected keys (frame, value, interpolation, tangent,
broken, weighted). A field shows what every selected key shares and stays blank for a mixed
selection (a check box is partly checked); typing a value applies it to all of them. Fields apply
on Enter or when they lose focus, each as one undo step, and only when something changes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QDoubleValidator, QIntValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from talkface_studio.core.errors import TalkFaceError
from talkface_studio.core.key_curve import INTERPOLATIONS, TANGENTS
from talkface_studio.ui.curves import curve_edits as ce

TANGENT_NAMES = {"auto_clamped": "auto-clamped"}


def key_fields(take, refs) -> dict:
    """What the selected keys share: frame, value, interp, tangent, broken, weighted (None = mixed),
    plus their count, channels and whether they are offsets (additive layers)."""
    keys = {}
    for r in refs:
        try:
            keys[r] = take.channel(r.channel).layer(r.layer).key(r.key)
        except TalkFaceError:
            continue
    modes = {take.channel(r.channel).layer(r.layer).mode for r in keys}
    out = {name: ce.common(getattr(k, name) for k in keys.values())
           for name in ("frame", "value", "interp", "tangent", "broken", "weighted")}
    out.update(count=len(keys), channels=sorted({r.channel for r in keys}), offsets=modes == {"additive"},
               first_frame=min((k.frame for k in keys.values()), default=None))
    return out


class KeyPanel(QWidget):
    def __init__(self, document, session, parent=None):
        super().__init__(parent)
        self.document, self.session = document, session
        form = self.form = QFormLayout(self)
        self.title = QLabel(self)
        self.frame = QLineEdit(self)
        self.frame.setValidator(QIntValidator(0, 10**7, self))
        self.frame.setToolTip("Frame of the keys; for keys on several frames the first one moves there "
                              "and the others keep their spacing")
        self.value = QLineEdit(self)
        self.value.setValidator(QDoubleValidator(-1e6, 1e6, 4, self))
        self.interp = QComboBox(self)
        self.interp.addItems(INTERPOLATIONS)
        self.tangent = QComboBox(self)
        self.tangent.addItems([TANGENT_NAMES.get(t, t) for t in TANGENTS])
        self.broken = QCheckBox("Broken", self)
        self.broken.setToolTip("Broken tangents: the in and out handles turn apart")
        self.weighted = QCheckBox("Weighted", self)
        self.weighted.setToolTip("Weighted tangents: handles have lengths of their own (drag to stretch)")
        for edit in (self.frame, self.value):
            edit.setMinimumWidth(60)
        for w in (self.frame, self.value):
            w.setPlaceholderText("mixed")
        form.addRow(self.title)
        form.addRow("Frame", self.frame)
        form.addRow("Value", self.value)
        form.addRow("Interpolation", self.interp)
        form.addRow("Tangent", self.tangent)
        form.addRow("Handles", self.broken)
        form.addRow("", self.weighted)
        self._syncing = False
        self.shown: dict = {}
        self.frame.editingFinished.connect(self._frame_entered)
        self.value.editingFinished.connect(self._value_entered)
        self.interp.activated.connect(lambda i: self._tangents(interp=INTERPOLATIONS[i]))
        self.tangent.activated.connect(lambda i: self._tangents(tangent=TANGENTS[i]))
        self.broken.clicked.connect(lambda on: self._tangents(broken=bool(on)))
        self.weighted.clicked.connect(lambda on: self._tangents(weighted=bool(on)))

    # -- model -> fields ---------------------------------------------------------------------------
    def sync(self, take) -> bool:
        """Show the selection; False when no selected key exists (the inspector shows something else)."""
        fields = key_fields(take, self.session.selected_keys) if take is not None else {"count": 0}
        self.shown = fields
        if not fields["count"]:
            return False
        self._syncing = True
        try:
            n = fields["count"]
            note = " <i>(additive layer: offsets)</i>" if fields["offsets"] else ""
            self.title.setText(f"<b>{n} key{'s' if n > 1 else ''}</b> on {', '.join(fields['channels'])}{note}")
            self.form.labelForField(self.value).setText("Offset" if fields["offsets"] else "Value")
            for edit, value, fmt in ((self.frame, fields["frame"], "{:d}"), (self.value, fields["value"], "{:.4g}")):
                if not edit.hasFocus():
                    edit.setText("" if value is None else fmt.format(value))
            for combo, value, names in ((self.interp, fields["interp"], INTERPOLATIONS),
                                        (self.tangent, fields["tangent"], TANGENTS)):
                combo.setCurrentIndex(-1 if value is None else names.index(value))
            for box, value in ((self.broken, fields["broken"]), (self.weighted, fields["weighted"])):
                box.setTristate(value is None)
                box.setCheckState(Qt.PartiallyChecked if value is None else (Qt.Checked if value else Qt.Unchecked))
        finally:
            self._syncing = False
        return True

    # -- fields -> commands ------------------------------------------------------------------------
    def _push(self, commands, label) -> None:
        if not commands:
            return
        try:
            self.document.push(commands, label=label, mergeable=False)
        except TalkFaceError as exc:
            self.title.setText(str(exc))

    def _refs(self) -> set:
        return {r for r in self.session.selected_keys if r.channel not in self.session.locked_channels}

    def _value_entered(self) -> None:
        text = self.value.text().strip()
        if self._syncing or not text:
            return
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            return
        if self.shown.get("value") is not None and abs(self.shown["value"] - value) < 1e-12:
            return  # unchanged: no undo step that does nothing
        self._push(ce.set_commands(self.document.current_take, self._refs(), value=value), "Set key value")

    def _frame_entered(self) -> None:
        text = self.frame.text().strip()
        take = self.document.take
        if self._syncing or not text or take is None or self.shown.get("first_frame") is None:
            return
        d = int(text) - self.shown["first_frame"]
        if d:
            self._push(list(ce.move_commands(self.document.current_take, self._refs(), d, {}).values()),
                       "Retime keys")

    def _tangents(self, **changes) -> None:
        if self._syncing:
            return
        name, value = next(iter(changes.items()))
        if self.shown.get(name) == value:
            return
        if name == "tangent" and value != "free":  # the span type that goes with the tangent
            changes["interp"] = "linear" if value == "linear" else "smooth"
        self._push(ce.tangent_commands(self.document.current_take, self._refs(), **changes),
                   f"Set {name.replace('interp', 'interpolation')}")
