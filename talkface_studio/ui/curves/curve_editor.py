"""CurveEditor: the channels of the current take as curves over frames (pyqtgraph), a graph editor
as Maya and Blender have: keys with Bézier tangent handles.

The generated base is drawn faint and the final curve (base + the artist's layers) bright; keys are
diamonds you select (click, box, or click a curve for all of its keys), drag (time snaps to frames;
Shift keeps to one axis), add, delete and re-tangent; the selected keys show their handles, which
you drag to turn (and, on weighted keys, stretch). Curves of different units share the view
normalised to each channel's range (off: raw values). Its time axis is the timeline's (one
session time view). A drag moves the model live and leaves exactly one undo step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from talkface_studio.core.channels import CHANNEL_NAMES, SPEC_BY_NAME
from talkface_studio.core.errors import TalkFaceError
from talkface_studio.ui import theme
from talkface_studio.ui.selection import KeyRef
from talkface_studio.ui.timeline_mapping import TimeView

from . import curve_edits as ce
from .curve_items import ChannelCurve, SelectionItems
from .curve_mouse import CurveMouse
from .curve_toolbar import build_toolbar
from .curve_view_box import CurveViewBox
from .key_gestures import paste_offsets
from .not_generated_banner import NotGeneratedBanner

AXIS_WIDTH = 87  # the timeline's track-header column + spacing: frames line up with the timeline's


class CurveEditor(QWidget):
    error = Signal(str)
    generate_requested = Signal()  # the not-generated line's button (the window runs Generate)

    def __init__(self, document, session, parent=None):
        super().__init__(parent)
        self.document, self.session = document, session
        self.normalized = True
        self.clipboard: list[tuple[str, int, float, str]] = []
        self.items: dict[str, ChannelCurve] = {}
        self._applying_view = False

        self.mouse = CurveMouse(self)
        self.view_box = CurveViewBox(self.mouse)
        self.plot = pg.PlotWidget(viewBox=self.view_box)
        # A GridItem behind the curves rather than the axes' own grid (showGrid): the axes stretch
        # their tick lines across the whole plot and replay them with every paint, which doubled the
        # cost of a curve-editor repaint (bench_ui: ~20 ms -> ~10 ms on a 10-minute take).
        self.grid = pg.GridItem(pen=pg.mkPen(255, 255, 255, 28), textPen=None)
        self.grid.setZValue(-100)
        self.view_box.addItem(self.grid, ignoreBounds=True)
        self.view_box.disableAutoRange()  # frame_all / frame_selection set ranges; no bounds scans per edit
        self.plot.setLabel("bottom", "frame")
        self.plot.getAxis("left").setWidth(AXIS_WIDTH)
        self.plot.getPlotItem().layout.setContentsMargins(0, 4, 0, 0)
        self.plot.getPlotItem().hideButtons()
        self.plot.setMenuEnabled(False)
        self.playhead_line = pg.InfiniteLine(0, angle=90, pen=pg.mkPen(theme.ACCENT, width=1.5))
        self.playhead_line.setZValue(900)
        self.view_box.addItem(self.playhead_line, ignoreBounds=True)
        # Which colour is which channel, in the corner (the Channels panel has the same swatches).
        self.legend = pg.LegendItem(offset=(-8, 6), labelTextColor=theme.TEXT_DIM, labelTextSize="8pt",
                                    brush=pg.mkBrush(20, 21, 23, 200), pen=pg.mkPen("#3a3c41"))
        self.legend.setParentItem(self.view_box)
        self.selection_items = SelectionItems(self.view_box)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        self.buttons = build_toolbar(self, box)
        self.not_generated = NotGeneratedBanner(self.generate_requested.emit, self)
        box.addWidget(self.not_generated)
        box.addWidget(self.plot)

        document.changed.connect(self._on_change)
        document.replaced.connect(self.rebuild)
        session.channels_shown.connect(self.rebuild)
        session.keys_selected.connect(self._draw_selection)
        session.active_channel_changed.connect(self._draw_active)
        session.playhead_changed.connect(lambda f: self.playhead_line.setValue(f))
        session.time_view_changed.connect(self._apply_time_view)
        self.view_box.sigXRangeChanged.connect(self._x_range_changed)
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
        return self.session.shown_channels(CHANNEL_NAMES)

    def editable(self) -> list[str]:
        return [c for c in self.shown() if c not in self.session.locked_channels]

    # -- drawing -----------------------------------------------------------------------------------
    def rebuild(self) -> None:
        for item in self.items.values():
            item.remove(self.view_box)
        self.items.clear()
        self.legend.clear()
        self.buttons["isolate"].setChecked(bool(self.session.isolated_channels))
        take = self.document.take
        self.not_generated.refresh(take)
        if take is None:
            return
        for name in self.shown():
            self.items[name] = ChannelCurve(self.view_box, name)
            self.legend.addItem(self.items[name].final, name)
            self.items[name].refresh(take, self.to_display)
        self._draw_active()
        self._draw_selection()
        self.playhead_line.setValue(self.session.playhead)

    def _on_change(self, change) -> None:
        take = self.document.take
        if take is not None:  # the selection follows the model (a reset or an undo removed keys)
            self.session.keep_existing_keys(lambda r: bool(ce.key_lookup(take, [r])))
        if change.kind == "channel":
            if change.name is None or not self.not_generated.isHidden():   # Generate or its undo
                self.not_generated.refresh(take)
            names = [change.name] if change.name else list(self.items)
            for n in names:
                if n in self.items:
                    self.items[n].refresh(take, self.to_display)
            self._draw_selection()
        elif change.kind in ("take", "takes"):
            self.rebuild()

    def _draw_active(self) -> None:
        for name, item in self.items.items():
            item.set_active(name == self.session.active_channel)

    def _draw_selection(self) -> None:
        take = self.document.take
        if take is None:
            return
        found = ce.key_lookup(take, self.session.selected_keys)
        keys, handles = [], []
        for r, (f, v, _) in found.items():
            if r.channel not in self.items:
                continue
            y = float(self.to_display(r.channel, [ce.drawn_value(take, r, f, v)])[0])
            keys.append((f, y))
            for side, hx, hv in ce.handles(take, r):
                handles.append((r, side, f, y, hx, float(self.to_display(r.channel, [hv])[0])))
        self.selection_items.show(keys, handles)

    def toggle_normalized(self, on: bool | None = None) -> None:
        self.normalized = self.buttons["norm"].isChecked() if on is None else bool(on)
        self.buttons["norm"].setChecked(self.normalized)
        self.rebuild()
        self.frame_values()

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
        """Double-click: a key at the mouse's value on the nearest shown channel."""
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
        """S: key the shown channels where they are; no curve changes shape."""
        take = self.document.take
        if take is None or take.n_frames == 0:
            return
        cmds = ce.insert_commands(self.document.current_take, self.session.playhead, self.editable())
        if self._push(cmds, label=f"Key {len(self.editable())} channels at {self.session.playhead}"):
            self.session.select_keys({KeyRef(c, *ids) for c, ids in cmds[0].keys.items()})

    def editable_selection(self) -> set[KeyRef]:
        return {r for r in self.session.selected_keys if r.channel not in self.session.locked_channels}

    def delete_selected(self) -> None:
        sel = self.editable_selection()
        if self._push(ce.delete_commands(self.document.current_take, sel), label=f"Delete {len(sel)} keys"):
            self.session.select_keys(set())

    def set_interp(self, interp: str) -> None:
        self._push(ce.tangent_commands(self.document.current_take, self.editable_selection(), interp=interp),
                   label=f"Interpolation {interp}")

    def set_tangent(self, tangent: str) -> None:
        """Auto, auto-clamped, flat: smooth spans with that tangent; linear: straight spans; step."""
        if tangent == "step":
            return self.set_interp("step")
        interp = "linear" if tangent == "linear" else "smooth"
        self._push(ce.tangent_commands(self.document.current_take, self.editable_selection(), tangent=tangent,
                                       interp=interp), label=f"Tangents {tangent.replace('_', '-')}")

    def set_broken(self, broken: bool) -> None:
        self._push(ce.tangent_commands(self.document.current_take, self.editable_selection(), broken=broken),
                   label="Break tangents" if broken else "Unify tangents")

    def set_weighted(self, weighted: bool) -> None:
        self._push(ce.tangent_commands(self.document.current_take, self.editable_selection(), weighted=weighted),
                   label="Weighted tangents" if weighted else "Non-weighted tangents")

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
        keys = {c: [k for k in items if 0 <= k[0] < take.n_frames]
                for c, items in paste_offsets(self.clipboard, self.session.playhead).items()
                if c not in self.session.locked_channels}
        dropped = sum(len(v) for v in paste_offsets(self.clipboard, self.session.playhead).values()) - \
            sum(len(v) for v in keys.values())
        if dropped:
            self.error.emit(f"{dropped} pasted key(s) would land past the end of the take: left out")
        self._push(ce.add_key_commands(self.document.current_take, take, {c: v for c, v in keys.items() if v}),
                   label="Paste keys")

    def reset_selection(self) -> None:
        take = self.document.take
        if take is None:
            return
        cmd = ce.reset_command(self.document.current_take, take, self.editable_selection(),
                               self.session.play_range(), self.editable())
        self._push([cmd])

    def toggle_isolate(self) -> None:
        """Show only the curves of the selection (or the clicked curve); again: show all again."""
        if self.session.isolated_channels:
            self.session.set_isolated(set())
            return
        channels = {r.channel for r in self.session.selected_keys} or (
            {self.session.active_channel} if self.session.active_channel else set())
        if not channels:
            self.error.emit("Isolate: select keys or click a curve first")
            return
        self.session.set_isolated(channels)

    def jump_to_key(self, direction: int) -> None:
        """`,` / `.`: the playhead to the previous / next key of the shown channels."""
        take = self.document.take
        if take is None:
            return
        f = ce.neighbour_key_frame(take, self.shown(), self.session.playhead, direction)
        if f is not None:
            self.session.set_playhead(f)

    # -- framing (the time axis is the session's, shared with the timeline) ------------------------
    def _x_range_changed(self, _vb, rng) -> None:
        if not self._applying_view:
            self.session.set_time_view(TimeView(float(rng[0]), float(rng[1])))

    def _apply_time_view(self) -> None:
        view = self.session.time_view
        self._applying_view = True
        try:
            self.view_box.setXRange(view.start, view.end, padding=0)
        finally:
            self._applying_view = False

    def frame_values(self) -> None:
        if self.normalized:
            self.view_box.setYRange(0, 1, padding=0.05)
        else:
            lo = min((SPEC_BY_NAME[n].min for n in self.shown()), default=0.0)
            hi = max((SPEC_BY_NAME[n].max for n in self.shown()), default=1.0)
            self.view_box.setYRange(lo, hi, padding=0.05)

    def frame_all(self) -> None:
        n = self.document.take.n_frames if self.document.take else 100
        self.session.set_time_view(TimeView.fitted(0, max(1, n)))
        self._apply_time_view()
        self.frame_values()
        # Apply the new range now: pyqtgraph otherwise moves the curves inside the next paint,
        # which invalidates what it just drew and paints the whole plot a second time.
        self.view_box.prepareForPaint()

    def frame_selection(self) -> None:
        take = self.document.take
        found = ce.key_lookup(take, self.session.selected_keys) if take else {}
        if not found:
            self.session.set_time_view(TimeView.fitted(*self.session.play_range()))
            return
        fs = [f for f, _, _ in found.values()]
        ys = [float(self.to_display(r.channel, [ce.drawn_value(take, r, f, v)])[0]) for r, (f, v, _) in found.items()]
        pad = max(12, (max(fs) - min(fs)) * 0.15)
        self.session.set_time_view(TimeView(min(fs) - pad, max(fs) + pad))
        ypad = max(0.05, (max(ys) - min(ys)) * 0.2)
        self.view_box.setYRange(min(ys) - ypad, max(ys) + ypad, padding=0)
