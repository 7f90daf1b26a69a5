"""The graphics of the curve editor: per channel the generated base (dashed), the final curve and its
keys, and the tangent handles of the selected keys. They draw what the model holds; the editor
tells them when to redraw (pyqtgraph items)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from talkface_studio.ui import theme

from . import curve_edits as ce

KEY_SIZE = 10  # px: big enough to hit (curve_hits.KEY_HIT_PX is the pick radius)


class ChannelCurve:
    """Base, final curve and keys of one channel in a view box."""

    def __init__(self, view_box, name: str):
        self.name = name
        color = theme.channel_color(name)
        self.color = color
        faint = QColor(color)
        faint.setAlpha(90)
        # Curves are always finite (skip pyqtgraph's per-paint check) and only the visible part
        # is turned into a path: a 10-minute channel costs what the screen shows, not 15,000 points.
        self.base = pg.PlotDataItem(pen=pg.mkPen(faint, width=1, style=Qt.DashLine), skipFiniteCheck=True)
        # Width 1 (cosmetic) on purpose: Qt strokes wider antialiased polylines ~200x slower.
        self.final = pg.PlotDataItem(pen=pg.mkPen(color, width=1), name=name, skipFiniteCheck=True)
        for it in (self.base, self.final):
            it.setDownsampling(auto=True, method="peak")
            it.setClipToView(True)
        self.keys = pg.ScatterPlotItem(size=KEY_SIZE, pen=pg.mkPen("#111111"), brush=pg.mkBrush(color), symbol="d")
        self.keys.setZValue(500)
        for it in self.items():
            view_box.addItem(it)
        self.active = False

    def items(self):
        return (self.base, self.final, self.keys)

    def remove(self, view_box) -> None:
        for it in self.items():
            view_box.removeItem(it)

    def set_active(self, active: bool) -> None:
        """The clicked curve is drawn white over the others, as Maya draws a selected curve."""
        if active == self.active:
            return
        self.active = active
        self.final.setPen(pg.mkPen("#f4f4f4" if active else self.color, width=1))
        self.final.setZValue(400 if active else 0)

    def refresh(self, take, to_display) -> None:
        ch = take.channel(self.name)
        x = np.arange(ch.n_frames, dtype=np.float64)
        self.base.setData(x, to_display(self.name, ch.base))
        self.final.setData(x, to_display(self.name, ch.final()))
        ks = ce.drawn_keys(take, [self.name])
        if not ks:
            self.keys.setData(x=[], y=[])
            return
        # additive keys are hollow: they sit on the curve but hold an offset, not a value
        brushes = [pg.mkBrush("#1b1c1f") if add else pg.mkBrush(self.color) for *_, add in ks]
        pens = [pg.mkPen(self.color, width=1.5) if add else pg.mkPen("#111111") for *_, add in ks]
        self.keys.setData(x=[f for _, f, _, _ in ks], y=to_display(self.name, [v for _, _, v, _ in ks]),
                          data=[r for r, _, _, _ in ks], brush=brushes, pen=pens)


class SelectionItems:
    """The selected keys (amber diamonds) and their tangent handles (lines to round ends)."""

    def __init__(self, view_box):
        self.keys = pg.ScatterPlotItem(size=KEY_SIZE + 3, pen=pg.mkPen("#ffffff", width=1.5),
                                       brush=pg.mkBrush(theme.ACCENT), symbol="d")
        self.lines = pg.PlotDataItem(pen=pg.mkPen("#c9cbd0", width=1), connect="pairs", skipFiniteCheck=True)
        self.ends = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#111111"), brush=pg.mkBrush("#c9cbd0"), symbol="o")
        self.keys.setZValue(950)
        self.lines.setZValue(940)
        self.ends.setZValue(945)
        for it in (self.lines, self.ends, self.keys):
            view_box.addItem(it, ignoreBounds=True)
        self.handle_points: list[tuple[object, str, float, float]] = []  # (ref, side, x, y) in display units

    def show(self, keys: list[tuple[float, float]], handles: list[tuple[object, str, float, float, float, float]]):
        """`keys` (x, y); `handles` (ref, side, key x, key y, end x, end y), all in display units."""
        self.keys.setData(x=[p[0] for p in keys], y=[p[1] for p in keys])
        xs, ys = [], []
        for _, _, kx, ky, hx, hy in handles:
            xs += [kx, hx]
            ys += [ky, hy]
        self.lines.setData(np.array(xs, float), np.array(ys, float))
        self.ends.setData(x=[h[4] for h in handles], y=[h[5] for h in handles])
        self.handle_points = [(h[0], h[1], h[4], h[5]) for h in handles]
