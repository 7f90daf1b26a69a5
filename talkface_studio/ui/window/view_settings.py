"""How a project was last looked at: shown, locked and isolated channels, normalized or raw
values, and the zoom (frames shown, value range) of the take on screen.

Saved in the project file (`"view"`, core.Project.view) at every save and autosave, so a project
opens as it was left on any machine and for anyone it is handed to; the window layout, which
belongs to the screen, stays in the user's settings. It is view state, not document state: never
undone, and changing it does not ask to save. Reading is lenient: anything unknown or malformed
is skipped (a view is not worth refusing a project for).
"""

from __future__ import annotations

from talkface_studio.core.channels import CHANNEL_NAMES
from talkface_studio.ui.timeline_mapping import TimeView

VIEW_SCHEMA = "talkface.view"


def capture(session, curve_editor, take_name: str | None) -> dict:
    vr = curve_editor.view_box.viewRect()
    view = session.time_view
    return {
        "schema": VIEW_SCHEMA, "version": 1,
        "visible_channels": sorted(session.visible_channels),
        "locked_channels": sorted(session.locked_channels),
        "isolated_channels": sorted(session.isolated_channels),
        "normalized": bool(curve_editor.normalized),
        "take": take_name,
        "frames": [round(view.start, 3), round(view.end, 3)],
        "values": [round(vr.top(), 6), round(vr.bottom(), 6)],
    }


def _channels(data: dict, key: str) -> set[str] | None:
    value = data.get(key)
    if not isinstance(value, list):
        return None
    return {c for c in value if isinstance(c, str) and c in CHANNEL_NAMES}


def _pair(data: dict, key: str) -> tuple[float, float] | None:
    value = data.get(key)
    if (isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                            for v in value) and value[0] < value[1]):
        return float(value[0]), float(value[1])
    return None


def apply(data, session, curve_editor, take_name: str | None) -> bool:
    """Restore what `data` holds; True when it framed the take (so the caller need not frame all)."""
    if not isinstance(data, dict) or data.get("schema") != VIEW_SCHEMA:
        return False
    visible, locked, isolated = (_channels(data, k) for k in ("visible_channels", "locked_channels",
                                                              "isolated_channels"))
    if visible is not None:
        session.visible_channels = visible
    if locked is not None:
        session.locked_channels = locked
    if isolated is not None:
        session.isolated_channels = isolated
    if isinstance(data.get("normalized"), bool):
        curve_editor.normalized = data["normalized"]
        curve_editor.buttons["norm"].setChecked(curve_editor.normalized)
    curve_editor.buttons["isolate"].setChecked(bool(session.isolated_channels))
    session.channels_shown.emit()
    frames, values = _pair(data, "frames"), _pair(data, "values")
    if data.get("take") != take_name or frames is None:
        return False
    session.set_time_view(TimeView(*frames))
    if values is not None:
        curve_editor.view_box.setYRange(*values, padding=0)
    else:
        curve_editor.frame_values()
    return True
