"""The heavy, derived side of a take, used only from worker threads: audio analysis, the
performance (stage 1), the portrait fit, and single preview frames (stage 2).

Workers never touch the live project. Each call gets a copy of the take made on the GUI thread,
computes on a private pipeline TakeState, and returns plain results; the GUI thread then turns
them into commands (SetBase). One lock serialises use of the private state.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

import numpy as np

from talkface_studio.core.channels import CHANNEL_NAMES
from talkface_studio.core.project import Project


# What a take's first preview and waveform import, heaviest first. Importing is GIL-bound Python
# (matplotlib -> pyparsing once held the GIL ~140 ms in one go; perform no longer imports it), so
# doing it while a project opens stalls the event loop exactly when it paints a 10-minute take;
# warm_imports() does it once in the background while the window is still idle.
WARM_MODULES = (
    "talkface_studio.pipeline.take_state",
    "talkface_studio.perform.blendshapes",
    "talkface_studio.perform.procedural.performer",
    "talkface_studio.render.mesh_warp",
    "talkface_studio.pipeline.job",
    "talkface_studio.pipeline.frame_cache",
    "talkface_studio.face.portrait",
    "talkface_studio.audio.analysis",
    "talkface_studio.audio.loading",
)


def warm_imports(progress=None, cancel=None) -> list[str]:
    """Import WARM_MODULES (a worker function); returns the ones that failed (left for later)."""
    failed = []
    for name in WARM_MODULES:
        if cancel is not None and cancel.cancelled:
            break
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a broken optional backend shows when it is really used
            failed.append(name)
    return failed


# What a first preview waits for, in order (the viewer names the step while it runs).
PREVIEW_STAGES = ("Fitting the portrait", "Analysing the speech and performing", "Rendering the frame")


class TakeCompute:
    def __init__(self, fit_size: int = 512):
        self._lock = threading.Lock()
        self.fit_size = fit_size
        self._state = None
        self._renderers: dict = {}
        self._hash: dict = {}
        self._preview_perf: dict = {}  # take name -> (audio + generation key, Performance)
        self._fits: dict = {}  # portrait path -> fit JSON, put back into copies that lost theirs (undo)
        self._plate: tuple | None = None  # (fit identity, preview PlateSource): the plate framing's photo

    def _state_for(self, take, project_path: Path | None):
        from talkface_studio.pipeline.take_state import TakeState

        # A private project holding only this copy: fit() may store the fit into it (harmless).
        if self._state is None:
            self._state = TakeState(Project(path=project_path), fit_size=self.fit_size)
        st = self._state
        st.project.path = project_path
        st.project.takes = [take]
        return st

    def performance(self, take, project_path):
        """Stage 1 for the take copy (cached by audio, emotions and generation settings)."""
        with self._lock:
            return self._state_for(take, project_path).performance(take)

    def generated_bases(self, take, project_path) -> tuple[dict, int, object]:
        """(bases, frames, AlignmentReport: how the phones were found) of a fresh stage 1 run."""
        perf = self.performance(take, project_path)
        with self._lock:
            report = self._state_for(take, project_path).report(take)
        return {n: v for n, v in perf.channels.items() if n in CHANNEL_NAMES}, perf.n_frames, report

    def fit(self, take, project_path):
        with self._lock:
            return self._fit(self._state_for(take, project_path), take)

    def _fit(self, st, take):
        """The fit, stored into the take copy (`take.portrait_fit`) for the window to keep."""
        key = str(take.portrait_path)
        if take.portrait_fit is None and key in self._fits:
            take.portrait_fit = self._fits[key]  # load_fit still checks the image's hash
        fit = st.fit(take)
        self._fits[key] = take.portrait_fit
        return fit

    def _performance_any_emotion(self, st, take):
        """A performance of the take's audio and generation settings, whatever emotions it was made for.

        Preview applies the take's final channels onto it (apply_channel_edits), and the emo_* bases
        already follow the painted track, so a paint needs no stage 1 run: it shows at once.
        """
        audio = st.audio_path(take)
        stat = audio.stat()
        key = (str(audio), stat.st_size, stat.st_mtime_ns, str(take.rate.to_json()), take.n_frames,
               repr(sorted(take.generation.to_json().items())))
        cached = self._preview_perf.get(take.name)
        if cached is None or cached[0] != key:
            cached = (key, st.performance(take))
            self._preview_perf[take.name] = cached
        return cached[1]

    def preview_frame(self, take, project_path, frame: int, size: int, renderer_name: str = "mesh_warp",
                      stage=None, framing: str = "crop"):
        """(rgb uint8 [size,size,3], landmarks_px [478,3]) of one frame, from the take's final channels.

        Only that frame's slice of the expression is touched, so the cost does not grow with the take.
        `stage(i, n)` is told which of PREVIEW_STAGES starts (the slow ones only run once per take).
        `framing="plate"`: the whole photo with the head region live instead (``pipeline.plate.preview``;
        rgb is then the photo's shape at preview scale, landmarks in its pixels).
        """
        stage = stage or (lambda i, n: None)
        from talkface_studio.perform.blendshapes import apply_channel_edits
        from talkface_studio.perform.neutralize import wants_neutralize
        from talkface_studio.pipeline.job import RenderJob
        from talkface_studio.pipeline.snapshot import TakeSnapshot
        from talkface_studio.render.registry import get_renderer

        with self._lock:
            st = self._state_for(take, project_path)
            stage(0, len(PREVIEW_STAGES))
            fit = self._fit(st, take)
            stage(1, len(PREVIEW_STAGES))
            perf = self._performance_any_emotion(st, take)
            stage(2, len(PREVIEW_STAGES))
            f = int(min(max(frame, 0), perf.n_frames - 1))
            final = {n: np.asarray(v[f:f + 1]) for n, v in take.final_channels().items()}
            base = {n: np.asarray(v[f:f + 1]) for n, v in perf.channels.items()}
            expression = apply_channel_edits(perf.expression[f:f + 1], base, final)
            key = id(fit.image)
            if key not in self._hash:
                from talkface_studio.pipeline.frame_cache import image_hash

                self._hash = {key: image_hash(fit.image)}
            snap = TakeSnapshot(name=take.name, rate=take.rate, portrait=fit, expression=expression,
                                channels=final, first_frame=f, portrait_hash=self._hash[key],
                                neutralize=wants_neutralize(take.generation.options))
            if renderer_name not in self._renderers:
                self._renderers[renderer_name] = get_renderer(renderer_name, device="auto")  # GPU if any
            renderer = self._renderers[renderer_name]
            if framing == "plate" and renderer_name == "mesh_warp":
                from talkface_studio.pipeline.plate.preview import plate_preview

                source = self._plate_source(fit)
                return plate_preview(source, renderer, snap.landmarks(f, f + 1, source.render_side)[0])
            landmarks = snap.landmarks(f, f + 1, size)[0]
            rgb = next(iter(RenderJob(snap, f, f + 1, size=size).run(renderer=renderer)))[1]
            return rgb, landmarks

    def _plate_source(self, fit):
        """The photo at preview scale for the plate framing, cut once per fit."""
        from talkface_studio.pipeline.plate.preview import preview_source

        key = (str(fit.source_path), fit.source_sha256, tuple(fit.crop_box))
        if self._plate is None or self._plate[0] != key:
            self._plate = (key, preview_source(fit))
        return self._plate[1]
