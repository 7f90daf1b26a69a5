"""The curve editor's mouse: what is under it (keys, the selected keys' handles, curves; picked in
pixels by curve_hits) and the gestures it starts (select, drag keys, turn a handle, box-select),
forwarded by CurveViewBox in data coordinates. Tests drive these methods directly."""

from __future__ import annotations

import numpy as np

from talkface_studio.core.errors import TalkFaceError
from talkface_studio.ui.selection import KeyRef

from . import curve_edits as ce, curve_hits
from .key_gestures import BoxSelectGesture, HandleDragGesture, KeyDragGesture, keys_in_box


class CurveMouse:
    def __init__(self, editor):
        self.editor = editor
        self.gesture = None
        self._drag_start: dict = {}  # KeyRef -> (frame, model value) at the press

    def add_key_at(self, x: float, y: float) -> None:  # double-click
        self.editor.add_key_at(x, y)

    def to_px(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Data (frame, display value) -> scene pixels, vectorised (the view box's own transform)."""
        vr, sr = self.editor.view_box.viewRect(), self.editor.view_box.sceneBoundingRect()
        x = np.asarray(x, np.float64)
        y = np.asarray(y, np.float64)
        px = sr.left() + (x - vr.left()) / max(vr.width(), 1e-12) * sr.width()
        py = sr.top() + (vr.bottom() - y) / max(vr.height(), 1e-12) * sr.height()
        return px, py

    # -- hit testing -------------------------------------------------------------------------------
    def all_keys(self) -> list[tuple[KeyRef, int, float]]:
        take = self.editor.document.take
        if take is None:
            return []
        return [(r, f, float(self.editor.to_display(r.channel, [v])[0]))
                for r, f, v, _ in ce.drawn_keys(take, self.editor.editable())]

    def key_near(self, scene_pos) -> KeyRef | None:
        keys = self.all_keys()
        if not keys:
            return None
        px, py = self.to_px([f for _, f, _ in keys], [y for _, _, y in keys])
        return curve_hits.nearest_point(((r, x, y) for (r, _, _), x, y in zip(keys, px, py)),
                                        scene_pos.x(), scene_pos.y(), curve_hits.KEY_HIT_PX)

    def handle_near(self, scene_pos):
        """(ref, side) of the selected keys' handle under the mouse, or None."""
        pts = self.editor.selection_items.handle_points
        if not pts:
            return None
        px, py = self.to_px([p[2] for p in pts], [p[3] for p in pts])
        return curve_hits.nearest_point((((r, side), x, y) for (r, side, _, _), x, y in zip(pts, px, py)),
                                        scene_pos.x(), scene_pos.y(), curve_hits.HANDLE_HIT_PX)

    def curve_near(self, scene_pos, frame: float) -> str | None:
        take = self.editor.document.take
        if take is None or take.n_frames == 0:
            return None
        vr, sr = self.editor.view_box.viewRect(), self.editor.view_box.sceneBoundingRect()
        reach = curve_hits.CURVE_HIT_PX * vr.width() / max(sr.width(), 1.0) + 1
        lo = int(max(0, np.floor(frame - reach)))
        hi = int(min(take.n_frames - 1, np.ceil(frame + reach)))
        if hi < lo:
            return None
        fs = np.arange(lo, hi + 1)
        curves = {n: self.to_px(fs, self.editor.to_display(n, take.channel(n).final()[lo:hi + 1]))
                  for n in self.editor.shown()}
        return curve_hits.curve_near(curves, scene_pos.x(), scene_pos.y())

    # -- gestures (called by CurveViewBox, and by tests in data coordinates) -------------------------
    def click_at(self, scene_pos, x, y, additive=False) -> None:
        """A key selects it (Shift toggles); a curve selects all its keys; empty space clears."""
        ref = self.key_near(scene_pos) if scene_pos is not None else None
        sel = set(self.editor.session.selected_keys) if additive else set()
        if ref is not None:
            sel = sel ^ {ref} if additive else {ref}
            self.editor.session.set_active_channel(ref.channel)
            self.editor.session.select_keys(sel)
            return
        channel = self.curve_near(scene_pos, x) if scene_pos is not None else None
        self.select_curve(channel, additive)

    def select_curve(self, channel: str | None, additive: bool = False) -> None:
        take = self.editor.document.take
        self.editor.session.set_active_channel(channel)
        keys = ce.keys_of_channel(take, channel) if channel is not None and take is not None \
            and channel not in self.editor.session.locked_channels else set()
        self.editor.session.select_keys((self.editor.session.selected_keys | keys) if additive else keys)

    def drag_start(self, scene_pos, x, y, additive=False, ref=None, handle=None) -> None:
        handle = handle or (self.handle_near(scene_pos) if scene_pos is not None and ref is None else None)
        take = self.editor.document.take
        if handle is not None and take is not None:
            href, side = handle
            f, v, _ = ce.key_lookup(take, [href])[href]
            key_y = float(self.editor.to_display(href.channel, [ce.drawn_value(take, href, f, v)])[0])
            end = next((p for p in self.editor.selection_items.handle_points if p[0] == href and p[1] == side), None)
            self.gesture = HandleDragGesture(href, side, (f, key_y), (end[2], end[3]) if end else (x, y))
            return
        ref = ref or (self.key_near(scene_pos) if scene_pos is not None else None)
        if ref is not None and take is not None:
            if ref not in self.editor.session.selected_keys:
                self.editor.session.select_keys((self.editor.session.selected_keys | {ref}) if additive else {ref})
            found = ce.key_lookup(take, self.editor.session.selected_keys)
            found = {r: v for r, v in found.items() if r.channel not in self.editor.session.locked_channels}
            occupied = {}
            for r in found:
                layer = take.channel(r.channel).layer(r.layer)
                occupied[(r.channel, r.layer)] = {k.frame for k in layer.keys
                                                  if KeyRef(r.channel, r.layer, k.id) not in found}
            start = {r: (f, float(self.editor.to_display(r.channel, [ce.drawn_value(take, r, f, v)])[0]))
                     for r, (f, v, _) in found.items()}
            vr, sr = self.editor.view_box.viewRect(), self.editor.view_box.sceneBoundingRect()
            self.gesture = KeyDragGesture(start, x, y, occupied, last_frame=take.n_frames - 1,
                                          px_per_frame=sr.width() / max(vr.width(), 1e-9),
                                          px_per_value=sr.height() / max(vr.height(), 1e-9))
            self._drag_start = {r: (f, v) for r, (f, v, _) in found.items()}
        else:
            self.gesture = BoxSelectGesture(x, y, additive)

    def drag_move(self, x, y, constrain: bool = False) -> None:
        g = self.gesture
        if isinstance(g, KeyDragGesture):
            df, dv = g.move(x, y, constrain)
            refs = set(g.keys)
            cmds = ce.place_commands(self.editor.document.current_take, self._drag_start, df,
                                     {r.channel: dv * self.editor.value_scale(r.channel) for r in refs})
            self._live(cmds)
        elif isinstance(g, HandleDragGesture):
            slope, length = g.move(x, y)
            take = self.editor.document.take
            cmd = ce.handle_command(self.editor.document.current_take, take, g.ref, g.side,
                                    slope * self.editor.value_scale(g.ref.channel), length)
            self._live({("handle", g.ref, g.side): cmd})
        elif isinstance(g, BoxSelectGesture):
            box = g.move(x, y)
            self.editor.view_box.show_band(box.frame0, box.value0, box.frame1, box.value1)

    def _live(self, commands: dict) -> None:
        try:
            for key, cmd in commands.items():
                self.editor.document.live(key, cmd)
        except TalkFaceError as exc:
            self.editor.error.emit(str(exc))

    def drag_finish(self) -> None:
        g, self.gesture = self.gesture, None
        if isinstance(g, KeyDragGesture):
            n = len(g.keys)
            self.editor.document.finish_live(label=f"Move {n} key{'s' if n != 1 else ''}")
        elif isinstance(g, HandleDragGesture):
            self.editor.document.finish_live(label="Move tangent handle")
        elif isinstance(g, BoxSelectGesture):
            self.editor.view_box.hide_band()
            box = g.release()
            hit = keys_in_box(box, self.all_keys())
            self.editor.session.select_keys((self.editor.session.selected_keys | hit) if box.additive else hit)

