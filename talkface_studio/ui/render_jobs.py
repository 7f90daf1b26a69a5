"""What one render-queue entry does in its worker (Qt-free): snapshot a take copy, render a frame
range to a movie / PNG sequence, or write curves. Nothing is written unless every frame succeeded
(the pipeline's writers are atomic), and the project itself is never touched."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talkface_studio.core.project import Project
from talkface_studio.core.protected_files import ProtectedFiles

FORMATS = {  # name -> (file suffix or "" for a folder, what it writes)
    "MP4 (H.264)": (".mp4", "video"),
    "MOV (ProRes 422 HQ)": (".mov", "video"),
    "PNG sequence": ("", "video"),
    "Curves (CSV)": (".csv", "curves"),
    "Curves (JSON)": (".json", "curves"),
    "ARKit curves (Live Link CSV)": (".csv", "livelink"),
    "ARKit curves (USD)": (".usda", "usd"),
}
RIG_KINDS = ("livelink", "usd")  # ARKit-52 + head and eyes, solved from the take (perform.arkit)


@dataclass(frozen=True)
class RenderSpec:
    take: object  # a core Take copy made on the GUI thread
    project_path: Path | None
    start: int
    stop: int  # exclusive
    output: Path
    kind: str = "video"  # "video" | "curves" | "livelink" | "usd"
    size: int = 512
    device: str = "auto"
    renderer: str = "mesh_warp"
    protected: ProtectedFiles | None = None  # the project's own files, which no export may replace

    @property
    def label(self) -> str:
        return f"{self.take.name} [{self.start}-{self.stop - 1}] → {self.output.name}"


def run_spec(spec: RenderSpec, progress, cancel) -> Path:
    if spec.protected is not None:
        if spec.kind == "curves" or spec.kind in RIG_KINDS:
            spec.protected.check(spec.output, "curve file")
        else:
            from talkface_studio.pipeline.render_output import check_output

            check_output(spec.protected, spec.output, spec.take.name, spec.start, spec.stop)
    # A folder typed into the Export dialog is one the artist wants: make it (the file itself still
    # appears only when complete).
    spec.output.parent.mkdir(parents=True, exist_ok=True)
    if spec.kind == "curves":
        from talkface_studio.pipeline.export.curves import write_curves

        frames = np.arange(spec.start, spec.stop)
        final = {n: v[spec.start:spec.stop] for n, v in spec.take.final_channels().items()}
        cancel.check()
        write_curves(spec.output, frames, final, spec.take.rate)
        progress(1, 1)
        return spec.output
    if spec.kind in RIG_KINDS:
        return _write_rig_curves(spec, progress, cancel)
    from talkface_studio.pipeline.frame_cache import FrameCache
    from talkface_studio.pipeline.job import RenderJob
    from talkface_studio.pipeline.render_output import render_to
    from talkface_studio.pipeline.take_state import TakeState

    progress(0, spec.stop - spec.start)
    state = TakeState(Project(path=spec.project_path))
    state.project.takes = [spec.take]  # private: fitting may store into this copy only
    snapshot = state.snapshot(spec.take)
    cancel.check()
    job = RenderJob(snapshot, spec.start, spec.stop, size=spec.size, device=spec.device, renderer=spec.renderer)
    return render_to(job, spec.output, cache=FrameCache(), cancel=cancel, progress=progress)


def _write_rig_curves(spec: RenderSpec, progress, cancel) -> Path:
    """Live Link Face CSV or USD of the frame range, on the recording's clock (pipeline.rig_curves)."""
    from talkface_studio.pipeline.rig_curves import take_rig_curves, take_start_seconds
    from talkface_studio.pipeline.take_state import TakeState

    progress(0, 1)
    state = TakeState(Project(path=spec.project_path))
    state.project.takes = [spec.take]  # private copy, as for renders
    curves = take_rig_curves(state, spec.take, spec.start, spec.stop)
    start_s = take_start_seconds(state.project, spec.take)
    cancel.check()
    if spec.kind == "livelink":
        from talkface_studio.pipeline.export.livelink import write_livelink_csv

        write_livelink_csv(spec.output, curves, spec.take.rate, spec.start, start_s)
    else:
        from talkface_studio.pipeline.export.usd_skel import write_usd

        rate = spec.take.rate
        write_usd(spec.output, curves, rate, spec.start, spec.take.name, rate.to_timecode(round(start_s * rate.fps)))
    progress(1, 1)
    return spec.output
