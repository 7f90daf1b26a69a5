"""Window actions for markers and for Delete, which removes the selected marker or else the keys."""

from __future__ import annotations

from talkface_studio.core.errors import TalkFaceError
from talkface_studio.core.marker_commands import AddMarker, RemoveMarkers


def add_marker(w) -> None:
    """M: a marker at the playhead, named M1, M2, ... (double-click it to rename)."""
    take = w.document.take
    if take is None or take.n_frames == 0:
        return
    try:
        cmd = w.document.push(AddMarker(take.name, w.session.playhead), mergeable=False)
    except TalkFaceError as exc:
        w.prompts.show_error(str(exc))
        return
    w.session.select_marker(cmd.marker_id)


def delete_selection(w) -> None:
    take = w.document.take
    marker = w.session.selected_marker
    if take is not None and marker is not None and any(m.id == marker for m in take.markers):
        w.document.push(RemoveMarkers(take.name, [marker]), mergeable=False)
        w.session.select_marker(None)
        return
    w.curve_editor.delete_selected()
