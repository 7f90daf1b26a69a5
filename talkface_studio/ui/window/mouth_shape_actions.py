"""Take > Mouth Shape and the waveform's context menu: give frames a mouth shape by hand (a p/b/m
the lip sync missed), or give them back to the lip sync. One undo step each
(core.take_commands.SetMouthShape); Generate applies them like the take's other mouth settings."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from talkface_studio.core.errors import TalkFaceError
from talkface_studio.core.mouth_shapes import SHAPES, frames_text
from talkface_studio.core.take_commands import SetMouthShape
from talkface_studio.perform.hand_shapes import backend_note


def target_frames(window) -> tuple[int, int] | None:
    """What the Take menu's shapes act on: the in/out range where one is set (I / O), else the
    frame under the playhead; None without a take."""
    take = window.document.take
    if take is None or take.n_frames == 0:
        return None
    session = window.session
    if session.in_frame is None and session.out_frame is None:
        frame = min(max(0, int(session.playhead)), take.n_frames - 1)
        return frame, frame + 1
    lo, hi = session.play_range()
    return max(0, lo), min(take.n_frames, hi)


def set_mouth_shape(window, shape: str | None, frames: tuple[int, int] | None = None) -> bool:
    """Give `frames` (default: target_frames) the shape, or with None back to the lip sync."""
    take = window.document.current_take
    frames = frames if frames is not None else target_frames(window)
    if take is None or frames is None:
        window.prompts.show_error("No take to set a mouth shape in.")
        return False
    try:
        window.document.push(SetMouthShape(take, frames[0], frames[1], shape))
    except TalkFaceError as exc:
        window.prompts.fail("Cannot set the mouth shape", exc)
        return False
    what = f"set to {shape} ({SHAPES[shape]})" if shape else "given back to the lip sync"
    note = backend_note(window.document.take.generation.backend)
    window.statusBar().showMessage(f"Take {take}: {frames_text(*frames)} {what}; Generate to apply"
                                   + (f". Note: {note}" if note else ""), 8000)
    return True


def fill_shape_menu(window, menu: QMenu, frames) -> None:
    """One action per shape and Clear, acting on `frames()` when triggered."""
    for name, what in SHAPES.items():
        action = menu.addAction(f"{name}: {what}")
        action.triggered.connect(lambda _=False, n=name: set_mouth_shape(window, n, frames()))
    menu.addSeparator()
    menu.addAction("Clear (back to the lip sync)").triggered.connect(
        lambda _=False: set_mouth_shape(window, None, frames()))


def build_mouth_shape_menu(window, take_menu: QMenu) -> QMenu:
    """Take > Mouth Shape: its title names the frames it will act on each time it opens."""
    menu = take_menu.addMenu("&Mouth Shape")
    menu.setToolTipsVisible(True)
    menu.setToolTip("Give the in/out range (or the frame under the playhead) a mouth shape by hand")
    head = menu.addAction("")
    head.setEnabled(False)
    menu.addSeparator()
    fill_shape_menu(window, menu, lambda: target_frames(window))

    def name_frames() -> None:
        frames = target_frames(window)
        head.setText(f"Over {frames_text(*frames)} (in/out range or playhead):" if frames else "No take")
    menu.aboutToShow.connect(name_frames)
    return menu


def waveform_menu(window, frame: int) -> QMenu:
    """Right-click on the waveform: shapes for the in/out range when the click is inside it, else
    for the clicked frame; and Clear for a hand-set span under the click."""
    menu = QMenu(window)
    take = window.document.take
    if take is None or not 0 <= frame < take.n_frames:
        menu.addAction("No take here").setEnabled(False)
        return menu
    frames = target_frames(window)
    ranged = window.session.in_frame is not None or window.session.out_frame is not None
    if not ranged or not frames[0] <= frame < frames[1]:
        frames = (frame, frame + 1)
    menu.addAction(f"Mouth shape over {frames_text(*frames)}:").setEnabled(False)
    fill_shape_menu(window, menu, lambda: frames)
    span = next((s for s in take.generation.mouth_shapes if s.start <= frame < s.end), None)
    if span is not None:
        menu.addAction(f"Clear {span.shape} over {frames_text(span.start, span.end)}").triggered.connect(
            lambda _=False: set_mouth_shape(window, None, (span.start, span.end)))
    return menu
