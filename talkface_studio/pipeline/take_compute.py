"""The app's heavy, derived side of a take, run only from worker threads: Generate's stage 1, the
portrait fit, and single preview frames.

Workers never touch the live project: each call gets a copy of the take made on the GUI thread and
the path of the project file, computes through the session's pipeline.take_cache.TakeCache (shared
with the render queue), and returns plain results; the GUI thread turns them into commands
(SetBase). A preview frame is rendered from the same snapshot (pipeline.renderable) and by the same
RenderJob as an export of that frame, so the viewer shows exactly what Export writes.
"""

from __future__ import annotations

import importlib
import threading

from talkface_studio.core.channels import CHANNEL_NAMES

from .take_cache import TakeCache

# What a take's first preview and waveform import, heaviest first. Importing is GIL-bound Python
# (matplotlib -> pyparsing once held the GIL ~140 ms in one go; perform no longer imports it), so
# doing it while a project opens stalls the event loop exactly when it paints a 10-minute take;
# warm_imports() does it once in the background while the window is still idle.
WARM_MODULES = (
    "talkface_studio.pipeline.renderable",
    "talkface_studio.perform.blendshapes",
    "talkface_studio.perform.procedural.performer",
    "talkface_studio.render.mesh_warp.renderer",
    "talkface_studio.pipeline.job",
    "talkface_studio.pipeline.frame_cache",
    "talkface_studio.face.portrait",
    "talkface_studio.face.relocate",
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
    def __init__(self, cache: TakeCache | None = None, fit_size: int = 512):
        self.cache = cache if cache is not None else TakeCache(fit_size)
        self._lock = threading.Lock()
        self._renderers: dict = {}
        self._snapshot: tuple | None = None  # ((take name, document version), TakeSnapshot)
        self._plate: tuple | None = None  # (fit identity, PlateFraming at preview scale)

    def generated_bases(self, take, project_path) -> tuple[dict, int, object, object]:
        """(bases, frames, AlignmentReport: how the phones were found, what the lip sync heard as
        mouth-chart shapes) of a fresh stage 1 run."""
        perf = self.cache.performance(take, project_path)
        report, heard = self.cache.lipsync(take, project_path)
        return {n: v for n, v in perf.channels.items() if n in CHANNEL_NAMES}, perf.n_frames, report, heard

    def fit(self, take, project_path):
        """The portrait fit; a new one is stored into the take copy (`take.portrait_fit`) for the
        window to keep (outside the undo stack)."""
        fit, fit_json = self.cache.fit(take, project_path)
        if fit_json is not None:
            take.portrait_fit = fit_json
        return fit

    def snapshot(self, take, project_path, version=None):
        """The take copy's renderable snapshot (pipeline.renderable.build_snapshot); with a document
        `version`, reused until the next edit, so playback computes landmarks once per block."""
        from .renderable import build_snapshot

        key = (take.name, version)
        with self._lock:
            if version is not None and self._snapshot is not None and self._snapshot[0] == key:
                return self._snapshot[1]
        snapshot, fit_json = build_snapshot(self.cache, take, project_path)
        if fit_json is not None:
            take.portrait_fit = fit_json
        with self._lock:
            self._snapshot = (key, snapshot)
        return snapshot

    def _renderer(self, name: str):
        from talkface_studio.render.registry import get_renderer

        with self._lock:
            if name not in self._renderers:
                self._renderers[name] = get_renderer(name, device="auto")  # GPU if any, as exports
            return self._renderers[name]

    def preview_frame(self, take, project_path, frame: int, size: int, renderer_name: str = "mesh_warp",
                      stage=None, version=None, framing: str = "crop"):
        """(rgb uint8 [size,size,3], landmarks_px [478,3]) of one frame: the frame an export of the
        take at that size writes. `stage(i, n)` is told which of PREVIEW_STAGES starts.
        `framing="plate"`: the whole photo with the head region live (the same job with plate
        framing, on the photo at preview scale: pipeline.plate.preview); rgb is then the photo's
        shape, landmarks in its pixels."""
        from .job import RenderJob

        stage = stage or (lambda i, n: None)
        stage(0, len(PREVIEW_STAGES))
        fit = self.fit(take, project_path)
        stage(1, len(PREVIEW_STAGES))
        snap = self.snapshot(take, project_path, version)
        stage(2, len(PREVIEW_STAGES))
        f = int(min(max(frame, snap.first_frame), snap.last_frame))
        plate = self._plate_framing(fit) if framing == "plate" and renderer_name == "mesh_warp" else None
        job = RenderJob(snap, f, f + 1, size=size, renderer=renderer_name, plate=plate)
        image = next(iter(job.run(renderer=self._renderer(renderer_name))))[1]
        if plate is None:
            return image, snap.landmarks(f, f + 1, size)[0]
        from .plate.preview import placed_landmarks

        return image.rgb.copy(), placed_landmarks(plate.source, snap.landmarks(f, f + 1, plate.render_side)[0])

    def _plate_framing(self, fit):
        """The photo at preview scale for the plate framing, cut once per fit."""
        from .plate.framing import PlateFraming
        from .plate.preview import preview_source

        key = (str(fit.source_path), fit.source_sha256, tuple(fit.crop_box))
        with self._lock:
            if self._plate is not None and self._plate[0] == key:
                return self._plate[1]
        framing = PlateFraming(preview_source(fit))
        with self._lock:
            self._plate = (key, framing)
        return framing
