"""DocumentReactions: what the window does when the document changes. A take shown (another take, a
project opened, new media) resets the session's per-take state and points the ruler, playback,
waveform and curve editor at it; an edit refreshes the Generate mark and the lip-sync report
lookup, and autosaves; a playhead move updates the frame readouts and asks for its frame.

The views draw the document themselves; this is the window-wide glue between them (session state
only: nothing here edits the document)."""

from __future__ import annotations

from . import view_settings


class DocumentReactions:
    def __init__(self, window):
        """`window` is the MainWindow: its widgets, session and controllers are read here."""
        self.w = window
        self._viewed_project = None  # the project whose saved view settings were applied

    def take_shown(self) -> None:
        """Another take (or project, or none) is shown: the session and views start over with it."""
        w = self.w
        document, session = w.document, w.session
        w.slicer.invalidate()
        self.sync_takes()
        take = document.take
        has_take = take is not None
        w.center.setCurrentWidget(w.viewer if has_take or document.path else w.welcome)
        session.n_frames = take.n_frames if take else 0
        session.selected_keys, session.selected_segment = set(), None
        session.select_marker(None)
        session.set_in_out(None, None)
        session.set_playhead(min(session.playhead, max(0, session.n_frames - 1)))
        if take is not None:
            w.timeline.ruler.set_rate(take.rate)
            w.playback.set_media(document.resolve(take.audio_path), take.rate.fps)
            w.take_audio.show(document.resolve(take.audio_path), take.rate.fps, take.audio_channel)
            # A known range before the first paint, so the curves are downsampled from the start;
            # a project just opened shows its saved view when it has one for this take.
            opened, self._viewed_project = document.project is not self._viewed_project, document.project
            if not (opened and view_settings.apply(document.project.view, session, w.curve_editor, take.name)):
                w.curve_editor.frame_all()
            w.take_status.show_preparing(take)
            w.schedule_preview()
        else:
            w.take_audio.show(None, 24.0)
            w.viewer.clear("Import audio and a portrait (File menu, or drop them here) to start a take.")
        w.take_status.refresh_stale()
        self.refresh_reports()
        self.update_title()
        self.update_frame_label()

    def changed(self, change) -> None:
        w = self.w
        take = w.document.take
        if take is not None:
            w.session.n_frames = take.n_frames
        if change.kind != "channel" or change.name is None:  # emotions, language, settings, media: the stamp says
            w.take_status.refresh_stale()
            if change.kind != "take":  # script, language, recording, undo (Generate's push is answered)
                self.refresh_reports()
        if change.kind == "take":
            self.take_shown()
        elif change.kind == "takes":
            self.sync_takes()
            self.update_frame_label()  # a renamed take shows its new name
        w.files.schedule_autosave()  # Untitled projects autosave too (core.untitled_recovery)

    def audio_imported(self, path: str) -> None:
        self.w.take_audio.forget(path)  # a new recording at the same path draws (and scrubs) its own
        self.take_shown()

    def refresh_reports(self) -> None:
        if not self.w.closing:  # the ruler's lip-sync marks of a project just opened, or of the shown take
            self.w.alignment_reports.shown()

    def playhead_moved(self, frame: int) -> None:
        w = self.w
        self.update_frame_label()
        if w.playback.playing:
            w.timeline.ensure_visible(frame)
        elif w.timeline.ruler.scrubbing or w.timeline.waveform.scrubbing:
            w.playback.scrub(frame)  # a grain of the sound under the dragged playhead
        if not w.playback.paced:  # paced playback shows its own frames
            w.schedule_preview()

    def update_title(self) -> None:
        self.w.setWindowTitle(self.w.document.window_title())

    def sync_takes(self) -> None:
        self.w.transport.show_takes(self.w.document.project.take_names(), self.w.document.current_take)

    def update_frame_label(self) -> None:
        w = self.w
        take = w.document.take
        f = w.session.playhead
        tc = take.rate.to_timecode(f) if take else "--:--:--:--"
        w.transport.show_frame(take, f)
        w.viewer.info = f"{take.name} · {take.rate} fps · frame {f} · {tc}" if take else ""
        w.viewer.update()
