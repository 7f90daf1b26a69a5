"""CurveEditor: the channels of the current take as curves over frames (pyqtgraph).

The generated base is drawn faint and the final curve (base + the artist's layers) bright; edit
keys are dots you can select, drag (time snaps to frames), add, delete, retime and re-tangent.
Curves of different units share the view normalised to each channel's range (toggle off to see
raw values). A drag moves the model live and leaves exactly one undo step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from talkface_studio.core.channels import CHANNEL_SPECS, SPEC_BY_NAME
from talkface_studio.core.errors import TalkFaceError

from . import curve_edits as ce
from . import theme
from .curve_view_box import CurveViewBox
from .key_gestures import BoxSelectGesture, KeyDragGesture, KeyRef, keys_in_box, paste_offsets

HIT_PX = 7.0


class CurveEditor(QWidget):
    error = Signal(str)

    def __init__(self, document, session, parent=None):
        super().__init__(parent)
        self.document, self.session = document, session
        self.normalized = True
        self.clipboard: list[tuple[str, int, float, str]] = []
        self.gesture = None
        self._applied = (0, 0.0)
        self.items: dict[str, tuple] = {}  # channel -> (base item, final item, keys scatter)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.setSpacing(2)
        self.buttons = {}
        for key, text, tip, slot in (
                ("norm", "Normalized", "Show every channel scaled to its range (off: raw units)", self._toggle_norm),
                ("step", "Step", "Tangent: step", lambda: self.set_interp("step")),
                ("linear", "Linear", "Tangent: linear", lambda: self.set_interp("linear")),
                ("smooth", "Smooth", "Tangent: smooth (no overshoot)", lambda: self.set_interp("smooth")),
                ("key", "Key (S)", "Key the shown channels at the playhead", self.key_at_playhead),
                ("reset", "Reset to generated", "Put the selection (or the in/out range) back to the generated curve",
                 self.reset_selection),
                ("frame_sel", "Frame sel (F)", "Frame the selected keys", self.frame_selection),
                ("frame_all", "Frame all (A)", "Frame the whole take", self.frame_all)):
            b = QToolButton(self)
            b.setText(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            bar.addWidget(b)
            self.buttons[key] = b
            if key in ("norm", "smooth", "reset"):
                bar.addSpacing(10)
        self.buttons["norm"].setCheckable(True)
        self.buttons["norm"].setChecked(True)
        bar.addStretch(1)

        self.view_box = CurveViewBox(self)
        self.plot = pg.PlotWidget(viewBox=self.view_box)
        # A GridItem behind the curves rather than the axes' own grid (showGrid): the axes stretch
        # their tick lines across the whole plot and replay them with every paint, which doubled the
        # cost of a curve-editor repaint (bench_ui: ~20 ms -> ~10 ms on a 10-minute take).
        self.grid = pg.GridItem(pen=pg.mkPen(255, 255, 255, 28), textPen=None)
        self.grid.setZValue(-100)
        self.view_box.addItem(self.grid, ignoreBounds=True)
        self.view_box.disableAutoRange()  # frame_all / frame_selection set ranges; no bounds scans per edit
        self.plot.setLabel("bottom", "frame")
        self.plot.getPlotItem().hideButtons()
        self.plot.setMenuEnabled(False)
        self.playhead_line = pg.InfiniteLine(0, angle=90, pen=pg.mkPen(theme.ACCENT, width=1.5))
        self.playhead_line.setZValue(900)
        self.view_box.addItem(self.playhead_line, ignoreBounds=True)
        # Which colour is which channel, in the corner (the Channels panel has the same swatches).
        self.legend = pg.LegendItem(offset=(-8, 6), labelTextColor=theme.TEXT_DIM, labelTextSize="8pt",
                                    brush=pg.mkBrush(20, 21, 23, 200), pen=pg.mkPen("#3a3c41"))
        self.legend.setParentItem(self.view_box)
        self.selected_scatter = pg.ScatterPlotItem(size=11, pen=pg.mkPen("#ffffff", width=1.5),
                                                   brush=pg.mkBrush(theme.ACCENT), symbol="d")
        self.selected_scatter.setZValue(950)
        self.view_box.addItem(self.selected_scatter, ignoreBounds=True)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addLayout(bar)
        box.addWidget(self.plot)

        document.changed.connect(self._on_change)
        document.replaced.connect(self.rebuild)
        session.channels_shown.connect(self.rebuild)
        session.keys_selected.connect(self._draw_selection)
        session.playhead_changed.connect(lambda f: self.playhead_line.setValue(f))
        self.rebuild()

    # -- display mapping ---------------------------------------------------------------------------
    def to_display(self, channel: str, values):
        if not self.normalized:
            return np.asarray(values, np.float64)
        s = SPEC_BY_NAME[channel]
        return (np.asarray(values, np.float64) - s.min) / (s.max - s.min)

    def value_scale(self, channel: str) -> float:
        """Model units per display unit."""
        s = SPEC_BY_NAME[channel]
        return (s.max - s.min) if self.normalized else 1.0

    def shown(self) -> list[str]:
        return [s.name for s in CHANNEL_SPECS if s.name in self.session.visible_channels]

    def editable(self) -> list[str]:
        return [c for c in self.shown() if c not in self.session.locked_channels]

    # -- drawing -----------------------------------------------------------------------------------
    def rebuild(self) -> None:
        for base, final, keys in self.items.values():
            for it in (base, final, keys):
                self.view_box.removeItem(it)
        self.items.clear()
        self.legend.clear()
        take = self.document.take
        if take is None:
            return
        for name in self.shown():
            color = theme.channel_color(name)
            faint = QColor(color)
            faint.setAlpha(90)
            # Curves are always finite (skip pyqtgraph's per-paint check) and only the visible part
            # is turned into a path: a 10-minute channel costs what the screen shows, not 15,000 points.
            base = pg.PlotDataItem(pen=pg.mkPen(faint, width=1, style=Qt.DashLine), skipFiniteCheck=True)
            # Width 1 (cosmetic) on purpose: Qt strokes wider antialiased polylines ~200x slower.
            final = pg.PlotDataItem(pen=pg.mkPen(color, width=1), name=name, skipFiniteCheck=True)
            for it in (base, final):
                it.setDownsampling(auto=True, method="peak")
                it.setClipToView(True)
            keys = pg.ScatterPlotItem(size=8, pen=pg.mkPen("#111111"), brush=pg.mkBrush(color), symbol="d")
            keys.setZValue(500)
            for it in (base, final, keys):
                self.view_box.addItem(it)
            self.items[name] = (base, final, keys)
            self.legend.addItem(final, name)
            self._refresh_channel(name)
        self._draw_selection()
        self.playhead_line.setValue(self.session.playhead)

    def _refresh_channel(self, name: str) -> None:
        take = self.document.take
        if take is None or name not in self.items:
            return
        base_item, final_item, keys_item = self.items[name]
        ch = take.channel(name)
        x = np.arange(ch.n_frames, dtype=np.float64)
        base_item.setData(x, self.to_display(name, ch.base))
        final_item.setData(x, self.to_display(name, ch.final()))
        ks = ce.drawn_keys(take, [name])
        if ks:
            # additive keys are hollow: they sit on the curve but hold an offset, not a value
            color = theme.channel_color(name)
            brushes = [pg.mkBrush("#1b1c1f") if add else pg.mkBrush(color) for *_, add in ks]
            pens = [pg.mkPen(color, width=1.5) if add else pg.mkPen("#111111") for *_, add in ks]
            keys_item.setData(x=[f for _, f, _, _ in ks], y=self.to_display(name, [v for _, _, v, _ in ks]),
                              data=[r for r, _, _, _ in ks], brush=brushes, pen=pens)
        else:
            keys_item.setData(x=[], y=[])

    def _on_change(self, change) -> None:
        if change.kind == "channel":
            names = [change.name] if change.name else list(self.items)
            for n in names:
                self._refresh_channel(n)
            self._draw_selection()
        elif change.kind in ("take", "takes"):
            self.rebuild()

    def _draw_selection(self) -> None:
        take = self.document.take
        if take is None:
            return
        found = ce.key_lookup(take, self.session.selected_keys)
        pts = [(f, float(self.to_display(r.channel, [ce.drawn_value(take, r, f, v)])[0]))
               for r, (f, v, _) in found.items() if r.channel in self.items]
        self.selected_scatter.setData(x=[p[0] for p in pts], y=[p[1] for p in pts])

    def _toggle_norm(self) -> None:
        self.normalized = self.buttons["norm"].isChecked()
        self.rebuild()
        self.frame_all()

    # -- hit testing -------------------------------------------------------------------------------
    def all_keys(self) -> list[tuple[KeyRef, int, float]]:
        take = self.document.take
        if take is None:
            return []
        return [(r, f, float(self.to_display(r.channel, [v])[0])) for r, f, v, _ in ce.drawn_keys(take, self.editable())]

    def key_near(self, scene_pos) -> KeyRef | None:
        best, best_d = None, HIT_PX
        for ref, f, y in self.all_keys():
            p = self.view_box.mapViewToScene(pg.Point(f, y))
            d = ((p.x() - scene_pos.x()) ** 2 + (p.y() - scene_pos.y()) ** 2) ** 0.5
            if d <= best_d:
                best, best_d = ref, d
        return best

    # -- gestures (called by CurveViewBox, and by tests in data coordinates) -------------------------
    def click_at(self, scene_pos, x, y, additive=False) -> None:
        ref = self.key_near(scene_pos) if scene_pos is not None else None
        sel = set(self.session.selected_keys) if additive else set()
        if ref is not None:
            sel ^= {ref} if additive else set()
            if not additive:
                sel = {ref}
        self.session.select_keys(sel)

    def drag_start(self, scene_pos, x, y, additive=False, ref=None) -> None:
        ref = ref or (self.key_near(scene_pos) if scene_pos is not None else None)
        take = self.document.take
        if ref is not None and take is not None:
            if ref not in self.session.selected_keys:
                self.session.select_keys((self.session.selected_keys | {ref}) if additive else {ref})
            found = ce.key_lookup(take, self.session.selected_keys)
            found = {r: v for r, v in found.items() if r.channel not in self.session.locked_channels}
            occupied = {}
            for r in found:
                layer = take.channel(r.channel).layer(r.layer)
                occupied[(r.channel, r.layer)] = {k.frame for k in layer.keys if KeyRef(r.channel, r.layer, k.id) not in found}
            start = {r: (f, float(self.to_display(r.channel, [ce.drawn_value(take, r, f, v)])[0]))
                     for r, (f, v, _) in found.items()}
            self.gesture = KeyDragGesture(start, x, y, occupied)
            self._applied = (0, 0.0)
        else:
            self.gesture = BoxSelectGesture(x, y, additive)

    def drag_move(self, x, y) -> None:
        g = self.gesture
        if isinstance(g, KeyDragGesture):
            df, dv = g.move(x, y)
            step_f, step_v = df - self._applied[0], dv - self._applied[1]
            if step_f == 0 and step_v == 0.0:
                return
            refs = set(g.keys)
            cmds = ce.move_commands(self.document.current_take, refs, step_f,
                                    {r.channel: step_v * self.value_scale(r.channel) for r in refs})
            try:
                for key, cmd in cmds.items():
                    self.document.live(key, cmd)
            except TalkFaceError as exc:
                self.error.emit(str(exc))
                return
            self._applied = (df, dv)
        elif isinstance(g, BoxSelectGesture):
            box = g.move(x, y)
            self.view_box.show_band(box.frame0, box.value0, box.frame1, box.value1)

    def drag_finish(self) -> None:
        g, self.gesture = self.gesture, None
        if isinstance(g, KeyDragGesture):
            n = len(g.keys)
            self.document.finish_live(label=f"Move {n} key{'s' if n != 1 else ''}")
        elif isinstance(g, BoxSelectGesture):
            self.view_box.hide_band()
            box = g.release()
            hit = keys_in_box(box, self.all_keys())
            self.session.select_keys((self.session.selected_keys | hit) if box.additive else hit)

    # -- edits -------------------------------------------------------------------------------------
    def _push(self, commands, label=None):
        if not commands:
            return None
        try:
            return self.document.push(commands, label=label, mergeable=False)
        except TalkFaceError as exc:
            self.error.emit(str(exc))
            return None

    def nearest_channel(self, frame: int, y: float) -> str | None:
        take = self.document.take
        best, best_d = None, float("inf")
        for name in self.editable():
            ch = take.channel(name)
            f = min(max(frame, 0), ch.n_frames - 1)
            d = abs(float(self.to_display(name, [ch.final()[f]])[0]) - y)
            if d < best_d:
                best, best_d = name, d
        return best

    def add_key_at(self, x: float, y: float, channel: str | None = None) -> None:
        take = self.document.take
        if take is None or take.n_frames == 0:
            return
        frame = int(round(min(max(x, 0), take.n_frames - 1)))
        channel = channel or self.nearest_channel(frame, y)
        if channel is None:
            return
        value = y * self.value_scale(channel) + (SPEC_BY_NAME[channel].min if self.normalized else 0.0)
        cmds = ce.add_key_commands(self.document.current_take, take, {channel: [(frame, value)]})
        if self._push(cmds):
            self.session.select_keys({KeyRef(channel, cmds[0].layer_id, cmds[0].key_ids[0])})

    def key_at_playhead(self) -> None:
        take = self.document.take
        if take is None or take.n_frames == 0:
            return
        f = self.session.playhead
        keys = {c: [(f, float(take.channel(c).final()[f]))] for c in self.editable()}
        cmds = ce.add_key_commands(self.document.current_take, take, keys)
        if self._push(cmds, label=f"Key {len(cmds)} channels at {f}"):
            self.session.select_keys({KeyRef(c.channels[0], c.layer_id, c.key_ids[0]) for c in cmds})

    def editable_selection(self) -> set[KeyRef]:
        return {r for r in self.session.selected_keys if r.channel not in self.session.locked_channels}

    def delete_selected(self) -> None:
        sel = self.editable_selection()
        if self._push(ce.delete_commands(self.document.current_take, sel), label=f"Delete {len(sel)} keys"):
            self.session.select_keys(set())

    def set_interp(self, interp: str) -> None:
        self._push(ce.set_commands(self.document.current_take, self.editable_selection(), interp=interp),
                   label=f"Tangents {interp}")

    def set_value(self, value: float) -> None:
        self._push(ce.set_commands(self.document.current_take, self.editable_selection(), value=value),
                   label="Set key value")

    def copy(self) -> None:
        take = self.document.take
        found = ce.key_lookup(take, self.session.selected_keys) if take else {}
        self.clipboard = [(r.channel, f, v, i) for r, (f, v, i) in found.items()]

    def paste(self) -> None:
        take = self.document.take
        if take is None or not self.clipboard:
            return
        keys = {c: items for c, items in paste_offsets(self.clipboard, self.session.playhead).items()
                if c not in self.session.locked_channels}
        self._push(ce.add_key_commands(self.document.current_take, take, keys), label="Paste keys")

    def reset_selection(self) -> None:
        take = self.document.take
        if take is None:
            return
        cmd = ce.reset_command(self.document.current_take, take, self.editable_selection(),
                               self.session.play_range(), self.editable())
        self._push([cmd])

    # -- framing -----------------------------------------------------------------------------------
    def frame_all(self) -> None:
        n = self.document.take.n_frames if self.document.take else 100
        self.view_box.setXRange(0, max(1, n), padding=0.02)
        if self.normalized:
            self.view_box.setYRange(0, 1, padding=0.05)
        else:
            self.view_box.enableAutoRange(axis=pg.ViewBox.YAxis)
        # Apply the new range now: pyqtgraph otherwise moves the curves inside the next paint,
        # which invalidates what it just drew and paints the whole plot a second time.
        self.view_box.prepareForPaint()

    def frame_selection(self) -> None:
        take = self.document.take
        found = ce.key_lookup(take, self.session.selected_keys) if take else {}
        if not found:
            lo, hi = self.session.play_range()
            self.view_box.setXRange(lo, hi, padding=0.02)
            return
        fs = [f for f, _, _ in found.values()]
        ys = [float(self.to_display(r.channel, [ce.drawn_value(take, r, f, v)])[0]) for r, (f, v, _) in found.items()]
        pad = max(12, (max(fs) - min(fs)) * 0.15)
        self.view_box.setXRange(min(fs) - pad, max(fs) + pad, padding=0)
        ypad = max(0.05, (max(ys) - min(ys)) * 0.2)
        self.view_box.setYRange(min(ys) - ypad, max(ys) + ypad, padding=0)
