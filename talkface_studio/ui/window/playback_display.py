"""PlaybackDisplay: what the window does around playback. Paced playback puts its own frames on the
viewer (the preview slicer is not asked while it plays), its dropped-frame count goes to the
viewer's heads-up line and, when playback stops, to the status bar; the frame under the playhead
is previewed once it stops (the last frame shown may be an earlier one if the last was dropped)."""

from __future__ import annotations

STATUS_MS = 6000


class PlaybackDisplay:
    def __init__(self, playback, render_ahead, viewer, status_bar, schedule_preview, play_action=None):
        self.playback, self.viewer, self.status_bar = playback, viewer, status_bar
        self.play_action = play_action  # the toolbar's Play button reads Pause while playing
        self.schedule_preview = schedule_preview
        playback.frame_shown.connect(viewer.show_frame)
        playback.stats_changed.connect(lambda stats: viewer.show_playback(stats, playback.playing))
        playback.state_changed.connect(self._state_changed)
        render_ahead.failed.connect(self._render_failed)

    def _state_changed(self, playing: bool) -> None:
        stats = self.playback.stats
        if self.play_action is not None:
            self.play_action.setIconText("❚❚  Pause" if playing else "▶  Play")
        if playing:
            self.viewer.show_playback(stats, True)
            return
        self.viewer.show_playback(stats, False)
        if stats is not None and stats.played:
            self.status_bar.showMessage(f"Played {stats.played} frames at {stats.fps:g} fps: {stats.summary()}; "
                                        f"the picture was at most {stats.max_offset_ms:.0f} ms behind the sound",
                                        STATUS_MS)
        self.schedule_preview()

    def _render_failed(self, message: str) -> None:
        self.playback.stop()
        self.viewer.clear(f"Preview unavailable: {message}")
