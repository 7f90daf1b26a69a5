"""The window's menus, toolbar and keyboard map, in one table so the shortcuts are easy to review.

Shortcuts are window-wide; text fields still get their digits because Qt offers a focused
editor every printable key first (ShortcutOverride).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from talkface_studio.ui.selection import Brush
from talkface_studio.ui.timeline.emotion_palette import brush_for_key
from talkface_studio.ui.undo_adapter import undo_actions

from . import deliverable_imports, marker_actions, take_actions


def _action(window, text, slot, shortcut=None, checkable=False, tip=None) -> QAction:
    a = QAction(text, window)
    if shortcut:
        a.setShortcuts([QKeySequence(s) for s in shortcut] if isinstance(shortcut, (list, tuple))
                       else [QKeySequence(shortcut)])
        a.setShortcutContext(Qt.WindowShortcut)
    if checkable:
        a.setCheckable(True)
        a.toggled.connect(slot)
    else:
        a.triggered.connect(lambda _checked=False: slot())
    if tip:
        a.setToolTip(tip)
    window.addAction(a)  # shortcuts work even when the action is in no visible menu
    return a


@dataclass(frozen=True)
class Menus:
    """The menus other parts of the window fill: recent projects, takes, dock panels."""

    recent: QMenu
    take: QMenu
    panels: QMenu


def build_actions(w) -> tuple[dict[str, QAction], Menus]:
    """The window's actions by name and the menus it fills later. `w` is the MainWindow: its
    controllers (files, media, exports), widgets and session are connected here."""
    A: dict[str, QAction] = {}
    mb = w.menuBar()
    f = mb.addMenu("&File")
    A["new"] = _action(w, "&New", w.files.new_project, QKeySequence.New)
    A["open"] = _action(w, "&Open…", w.files.open_dialog, QKeySequence.Open)
    for k in ("new", "open"):
        f.addAction(A[k])
    recent = f.addMenu("Open &Recent")
    A["demo"] = _action(w, "Open &Demo Project", w.files.open_demo)
    f.addAction(A["demo"])
    f.addSeparator()
    A["save"] = _action(w, "&Save", w.files.save, QKeySequence.Save)
    A["save_as"] = _action(w, "Save &As…", w.files.save_as, QKeySequence("Ctrl+Shift+S"))
    f.addAction(A["save"])
    f.addAction(A["save_as"])
    f.addSeparator()
    A["import_audio"] = _action(w, "Import &Audio…", w.media.import_audio_dialog, "Ctrl+I")
    A["import_portrait"] = _action(w, "Import &Portrait…", w.media.import_portrait_dialog, "Ctrl+Shift+I")
    A["new_take"] = _action(w, "New &Take from Audio…", w.media.new_take_dialog, "Ctrl+T",
                            tip="Add a take for another recording, with the current portrait")
    A["export"] = _action(w, "&Export…", w.exports.export_dialog, "Ctrl+E")
    for k in ("import_audio", "import_portrait", "new_take"):
        f.addAction(A[k])
    A["import_livelink"] = _action(
        w, "Import &Live Link Capture…", partial(deliverable_imports.import_livelink_dialog, w),
        tip="An iPhone Live Link Face recording (CSV) as edit layers on the take's channels")
    A["import_editorial"] = _action(
        w, "Import E&ditorial Markers…", partial(deliverable_imports.import_editorial_dialog, w),
        tip="Emotion markers of an edit (OTIO, EDL) painted onto the emotion lane")
    A["import_cues"] = _action(
        w, "Import &Mouth Cues…", partial(deliverable_imports.import_mouth_cues_dialog, w),
        tip="A 2D lip sync (Rhubarb .tsv / .json, Moho .dat, a Papagayo project .pgo / .pg2) as mouth shapes set by hand")
    A["import_script"] = _action(
        w, "Import &Script or Subtitles…", partial(take_actions.script_from_file_dialog, w),
        tip="The take's script from a text file or subtitles (.srt, .vtt, .ass): their dialogue alone")
    for k in ("import_livelink", "import_editorial", "import_cues", "import_script", "export"):
        f.addAction(A[k])
    f.addSeparator()
    f.addAction(_action(w, "&Quit", w.close, QKeySequence.Quit))

    e = mb.addMenu("&Edit")
    undo, redo = undo_actions(w, w.document)
    for a in (undo, redo):
        w.addAction(a)
        e.addAction(a)
    A["undo"], A["redo"] = undo, redo
    e.addSeparator()
    ce = w.curve_editor
    for key, text, slot, sc in (
            ("copy", "&Copy Keys", ce.copy, QKeySequence.Copy),
            ("paste", "&Paste Keys at Playhead", ce.paste, QKeySequence.Paste),
            ("delete", "&Delete", partial(marker_actions.delete_selection, w),
             [QKeySequence.Delete, QKeySequence("Backspace")]),
            ("key", "&Key Shown Channels", ce.key_at_playhead, "S"),
            ("reset", "&Reset Selection to Generated", ce.reset_selection, "Ctrl+R")):
        A[key] = _action(w, text, slot, sc)
        e.addAction(A[key])
    tangents = e.addMenu("&Tangents")
    for tangent, text in (("auto", "&Auto"), ("auto_clamped", "Auto-&Clamped"), ("flat", "&Flat"),
                          ("linear", "&Linear"), ("step", "&Step")):
        tangents.addAction(_action(w, text, partial(ce.set_tangent, tangent)))
    tangents.addSeparator()
    tangents.addAction(_action(w, "&Break Tangents", partial(ce.set_broken, True)))
    tangents.addAction(_action(w, "&Unify Tangents", partial(ce.set_broken, False)))
    tangents.addAction(_action(w, "&Weighted Tangents", partial(ce.set_weighted, True)))
    tangents.addAction(_action(w, "&Non-weighted Tangents", partial(ce.set_weighted, False)))
    e.addSeparator()
    A["marker"] = _action(w, "Add &Marker at Playhead", partial(marker_actions.add_marker, w), "M",
                          tip="A named marker on the timeline (double-click it to rename, drag to move)")
    e.addAction(A["marker"])
    e.addSeparator()
    A["generate"] = _action(w, "&Generate Performance", w.generation.generate, "Ctrl+G",
                            tip="Run stage 1 (speech + emotions -> curves) in the background; edits are kept")
    e.addAction(A["generate"])
    e.addAction(_action(w, "Set &In", w.set_in, "I"))
    e.addAction(_action(w, "Set &Out", w.set_out, "O"))
    e.addAction(_action(w, "Clear In/Out", w.clear_in_out, "Alt+X"))

    take_menu = mb.addMenu("Ta&ke")  # filled by take_actions once the toolbar's take box exists
    A["rename_take"] = _action(w, "&Rename Take…", partial(take_actions.rename_take, w), "F2")
    A["delete_take"] = _action(w, "&Delete Take", partial(take_actions.delete_take, w),
                               tip="Remove the shown take from the project (undoable)")
    A["take_language"] = _action(w, "Spoken &Language…", partial(take_actions.set_take_language, w),
                                 tip="The language of the take's speech, for lip sync (undoable)")
    A["take_script"] = _action(w, "&Script…", partial(take_actions.edit_take_script, w), "Ctrl+Shift+K",
                               tip="The words spoken in the take, which lip sync aligns to the recording; "
                                   "can be drafted from English audio (undoable)")
    A["portrait_face"] = _action(w, "Portrait &Face…", partial(take_actions.choose_portrait_face, w),
                                 tip="Animate another face of a photo with several (undoable)")

    v = mb.addMenu("&View")
    A["timecode"] = _action(w, "Show &Timecode", lambda on: w.session.set_display(timecode=on), "T", checkable=True)
    A["landmarks"] = _action(w, "Show &Landmarks", lambda on: w.session.set_display(landmarks=on), "Ctrl+L",
                             checkable=True)
    A["plate"] = _action(w, "&Plate Framing", lambda on: (w.session.set_display(plate=on), w.schedule_preview()),
                         "Ctrl+Shift+P", checkable=True,
                         tip="Viewer: the whole source photo with the head region live (what render --plate "
                             "writes), or the square crop")
    A["frame_sel"] = _action(w, "&Frame Selection", w.frame_selection, "F")
    A["frame_all"] = _action(w, "Frame &All", w.frame_all, "A")
    A["isolate"] = _action(w, "&Isolate Selected Curves", ce.toggle_isolate, "Shift+I")
    for k in ("timecode", "landmarks", "plate", "frame_sel", "frame_all", "isolate"):
        v.addAction(A[k])
    v.addSeparator()
    panels = v.addMenu("&Panels")
    v.addAction(_action(w, "Reset &Layout", w.reset_layout))

    t = mb.addMenu("&Transport")
    pb = w.playback
    for key, text, slot, sc in (
            ("play", "&Play / Pause", pb.toggle, "Space"),
            ("shuttle_back", "Shuttle &Back (J)", partial(pb.shuttle, -1), "J"),
            ("shuttle_stop", "&Stop (K)", partial(pb.shuttle, 0), "K"),
            ("shuttle_fwd", "Shuttle &Forward (L)", partial(pb.shuttle, 1), "L"),
            ("prev", "Previous Frame", partial(pb.step, -1), "Left"),
            ("next", "Next Frame", partial(pb.step, 1), "Right"),
            ("prev10", "Back 10 Frames", partial(pb.step, -10), "Shift+Left"),
            ("next10", "Forward 10 Frames", partial(pb.step, 10), "Shift+Right"),
            ("home", "&Start", pb.home, "Home"),
            ("end", "&End", pb.end, "End"),
            ("prev_key", "Previous &Key", partial(ce.jump_to_key, -1), ","),
            ("next_key", "Next K&ey", partial(ce.jump_to_key, 1), ".")):
        A[key] = _action(w, text, slot, sc)
        t.addAction(A[key])

    h = mb.addMenu("&Help")
    A["shortcuts"] = _action(w, "&Keyboard Shortcuts", w.show_shortcuts, ["F1", "Ctrl+/"])
    A["about"] = _action(w, "&About TalkFace Studio", w.show_about)
    h.addAction(A["shortcuts"])
    h.addAction(A["about"])

    # Brush keys: 1-8 pick EMOTIONS[i-1] at level 2; Shift = high, Alt = low; E eraser, V select.
    s = w.session
    for digit in range(1, 9):
        for mod, shift, alt in (("", False, False), ("Shift+", True, False), ("Alt+", False, True)):
            # only "Shift+5": X11 sends '%' and Qt matches it to "Shift+5" itself; binding '%' too
            # made every Shift+digit press ambiguous, so it did nothing
            _action(w, f"Brush {mod}{digit}", lambda d=digit, sh=shift, al=alt: s.set_brush(
                brush_for_key(d, sh, al, s.brush)), f"{mod}{digit}")
    _action(w, "Eraser", lambda: s.set_brush(Brush("erase", s.brush.emotion, s.brush.level)), "E")
    _action(w, "Select Tool", lambda: s.set_brush(Brush("select", s.brush.emotion, s.brush.level)), "V")
    return A, Menus(recent, take_menu, panels)
