"""What the window says about the shown take: whether Generate is out of date (the "•" on the
Generate button, from the take's generation stamp, so it survives save, reopen and recovery) and
what the viewer waits for before a take's first frame (a portrait to import, or the steps of the
first preview, with progress)."""

from __future__ import annotations

from talkface_studio.pipeline import generation_stamp
from talkface_studio.pipeline import take_compute
from talkface_studio.ui import workers


class TakeStatus:
    def __init__(self, window):
        self.w = window
        self._digesting: set[str] = set()  # recordings whose digest a worker is reading
        window.stale = False

    # -- Generate is out of date ------------------------------------------------------------------
    def refresh_stale(self) -> None:
        """The recording's digest is read once per file version, off the GUI thread; until then
        the mark keeps what it showed."""
        w = self.w
        take = w.document.take
        audio = w.resolve(take.audio_path) if take is not None else None
        stale = generation_stamp.is_stale(take, audio) if take is not None else False
        if stale is None:
            self._digest(audio)
            return
        w.stale = bool(stale)
        action = w.actions_by_name["generate"]
        action.setIconText("⚙  Generate •" if w.stale else "⚙  Generate")
        action.setToolTip("Generate (Ctrl+G): the emotions, recording or settings changed since the take "
                          "was generated" if w.stale else "Generate (Ctrl+G): run stage 1 again (edits are kept)")

    def _digest(self, audio) -> None:
        if str(audio) in self._digesting:
            return
        self._digesting.add(str(audio))

        def done(_digest):
            self._digesting.discard(str(audio))
            self.refresh_stale()

        workers.submit(self.w.pool, lambda progress, cancel: generation_stamp.audio_digest(audio), on_done=done,
                       on_error=lambda m, t: self._digesting.discard(str(audio)), synchronous=self.w.synchronous,
                       parent=self.w)

    # -- what the viewer waits for ----------------------------------------------------------------
    def show_preparing(self, take) -> None:
        viewer = self.w.viewer
        if take.portrait_path is None:
            viewer.clear("Import a portrait (File ▸ Import Portrait…, or drop an image here) to see the take.")
        elif take.audio_path is None:
            viewer.clear("Import the dialogue (File ▸ Import Audio…) to start the take.")
        elif self.w.can_preview():
            viewer.set_busy(f"Opening {take.name}: preparing the preview…")

    def preview_stage(self, index: int, total: int) -> None:
        take = self.w.document.take
        if self.w.viewer.busy is not None and take is not None:
            steps = take_compute.PREVIEW_STAGES
            self.w.viewer.set_busy(f"{take.name}: {steps[min(index, len(steps) - 1)]}…", index / max(1, total))

    def busy(self, text: str) -> None:
        """A long step of an import: said in the viewer until a frame (or an error) replaces it."""
        self.w.center.setCurrentWidget(self.w.viewer)
        self.w.viewer.set_busy(text)
