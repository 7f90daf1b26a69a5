"""Session state: what the artist is looking at, never saved in the project nor undone
(playhead, in/out, selection, zoom, brush, display toggles). napari learned to keep this apart."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from talkface_studio.perform.hand_shapes import NOTHING_HEARD

from .selection import Brush, KeyRef
from .timeline_mapping import TimeView


class Session(QObject):
    playhead_changed = Signal(int)
    range_changed = Signal()  # in/out
    time_view_changed = Signal()  # the frames shown by the timeline and the curve editor
    segment_selected = Signal(object)  # segment id or None
    keys_selected = Signal()
    brush_changed = Signal()
    display_changed = Signal()  # timecode toggle, landmarks overlay
    channels_shown = Signal()  # which channels the curve editor shows / locks / isolates
    marker_selected = Signal()
    active_channel_changed = Signal()
    alignment_changed = Signal()  # a take's lip-sync report arrived (after Generate)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.playhead = 0
        self.n_frames = 0
        self.in_frame: int | None = None
        self.out_frame: int | None = None  # exclusive
        self.time_view = TimeView()
        self.selected_segment: str | None = None
        self.selected_keys: set[KeyRef] = set()
        self.brush = Brush()
        self.show_timecode = False
        self.show_landmarks = False
        self.show_plate = False  # viewer: the whole source photo with the head live, not the square crop
        self.visible_channels: set[str] = {"jaw_open", "head_yaw", "blink"}
        self.locked_channels: set[str] = set()
        self.isolated_channels: set[str] = set()  # when set, the curve editor shows only these
        self.active_channel: str | None = None  # the curve clicked last (drawn on top, in white)
        self.selected_marker: str | None = None
        # how each take's phones were found (audio.alignment_report.AlignmentReport), derived from the
        # analysis at Generate: shown on the ruler, never saved or undone
        self.alignment: dict[str, object] = {}
        self.heard: dict[str, object] = {}  # take -> what its lip sync heard (perform.hand_shapes.HeardShapes)

    def set_playhead(self, frame: int) -> None:
        frame = int(max(0, min(max(self.n_frames - 1, 0), frame)))
        if frame != self.playhead:
            self.playhead = frame
            self.playhead_changed.emit(frame)

    def set_time_view(self, view: TimeView) -> None:
        if view != self.time_view:
            self.time_view = view
            self.time_view_changed.emit()

    def set_in_out(self, in_frame: int | None, out_frame: int | None) -> None:
        self.in_frame, self.out_frame = in_frame, out_frame
        self.range_changed.emit()

    def play_range(self) -> tuple[int, int]:
        lo = self.in_frame if self.in_frame is not None else 0
        hi = self.out_frame if self.out_frame is not None else self.n_frames
        return lo, max(lo + 1, hi)

    def select_segment(self, segment_id: str | None) -> None:
        self.selected_segment = segment_id
        if segment_id is not None and self.selected_keys:
            self.selected_keys = set()
            self.keys_selected.emit()
        self.segment_selected.emit(segment_id)

    def select_keys(self, keys: set[KeyRef]) -> None:
        self.selected_keys = set(keys)
        if keys and self.selected_segment is not None:
            self.selected_segment = None
            self.segment_selected.emit(None)
        if keys and self.selected_marker is not None:
            self.select_marker(None)
        self.keys_selected.emit()

    def keep_existing_keys(self, exists) -> None:
        """The selection follows the model: keys an edit removed (a reset, an undo) leave it."""
        kept = {r for r in self.selected_keys if exists(r)}
        if kept != self.selected_keys:
            self.selected_keys = kept
            self.keys_selected.emit()

    def select_marker(self, marker_id: str | None) -> None:
        """One thing at a time for Delete: a marker, or keys."""
        if marker_id is not None and self.selected_keys:
            self.selected_keys = set()
            self.keys_selected.emit()
        if marker_id != self.selected_marker:
            self.selected_marker = marker_id
            self.marker_selected.emit()

    def shown_channels(self, order) -> list[str]:
        """Channels the curve editor draws, in `order`: the visible ones, or only the isolated ones."""
        wanted = self.isolated_channels or self.visible_channels
        return [n for n in order if n in wanted]

    def set_isolated(self, channels) -> None:
        self.isolated_channels = set(channels)
        self.channels_shown.emit()

    def set_active_channel(self, name: str | None) -> None:
        if name != self.active_channel:
            self.active_channel = name
            self.active_channel_changed.emit()

    def set_brush(self, brush: Brush) -> None:
        self.brush = brush
        self.brush_changed.emit()

    def set_display(self, timecode: bool | None = None, landmarks: bool | None = None,
                    plate: bool | None = None) -> None:
        if timecode is not None:
            self.show_timecode = timecode
        if landmarks is not None:
            self.show_landmarks = landmarks
        if plate is not None:
            self.show_plate = plate
        self.display_changed.emit()

    def set_alignment(self, take: str, report, heard=None) -> None:
        """A take's lip-sync report and what it heard as mouth-chart shapes (perform.hand_shapes.
        HeardShapes; None: nothing known)."""
        self.alignment[take] = report
        self.heard[take] = heard if report is not None and heard is not None else NOTHING_HEARD
        self.alignment_changed.emit()

    def heard_shapes(self, take: str | None):
        """What the lip sync heard in `take` when it was last generated (a HeardShapes)."""
        return self.heard.get(take, NOTHING_HEARD) if take is not None else NOTHING_HEARD

    def alignment_notices(self, take: str | None) -> tuple:
        """The stretches of `take` to mark on the timeline (fallbacks, script words not heard)."""
        report = self.alignment.get(take) if take is not None else None
        return report.notices if report is not None else ()

    def set_channel_shown(self, name: str, visible: bool | None = None, locked: bool | None = None) -> None:
        for flag, group in ((visible, self.visible_channels), (locked, self.locked_channels)):
            if flag is True:
                group.add(name)
            elif flag is False:
                group.discard(name)
        self.channels_shown.emit()
