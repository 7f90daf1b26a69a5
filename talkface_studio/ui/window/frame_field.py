"""FrameField: the toolbar's current-frame field. It shows the playhead's frame; type a frame
number or an SMPTE timecode and press Enter to go there (Maya's current-time field)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from talkface_studio.core.errors import TalkFaceError


def parse_frame(text: str, rate, n_frames: int) -> int | None:
    """A frame number ("112") or a timecode ("00:00:04:12"), clamped into the take; None when it
    is neither."""
    text = text.strip()
    if not text:
        return None
    try:
        frame = rate.from_timecode(text) if ":" in text or ";" in text else int(text)
    except (TalkFaceError, ValueError):
        return None
    return max(0, min(frame, max(0, n_frames - 1)))


class FrameField(QLineEdit):
    def __init__(self, session, take_of, parent=None):
        super().__init__(parent)
        self.session, self.take_of = session, take_of
        self.setFixedWidth(72)
        self.setAlignment(Qt.AlignRight)
        self.setToolTip("Current frame: type a frame or a timecode (HH:MM:SS:FF) and press Enter to go there")
        self.setStyleSheet("font-family: monospace; font-size: 11pt; color: #e8a23a;")
        self.returnPressed.connect(self.go)
        self.editingFinished.connect(self.show_playhead)

    def go(self) -> bool:
        take = self.take_of()
        frame = parse_frame(self.text(), take.rate, take.n_frames) if take is not None else None
        if frame is None:
            self.show_playhead()
            return False
        self.session.set_playhead(frame)
        self.show_playhead()
        self.clearFocus()  # back to the window: its shortcuts work again at once
        return True

    def show_playhead(self) -> None:
        if not self.hasFocus():
            self.setText(str(self.session.playhead))

    def set_frame(self, frame: int) -> None:
        if not self.hasFocus():
            self.setText(str(frame))
