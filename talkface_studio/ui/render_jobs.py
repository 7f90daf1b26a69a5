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
    "EXR sequence (half float, linear)": ("", "video"),
    "Curves (CSV)": (".csv", "curves"),
    "Curves (JSON)": (".json", "curves"),
    "ARKit curves (Live Link CSV)": (".csv", "livelink"),
    "ARKit curves (USD)": (".usda", "usd"),
}
RIG_KINDS = ("livelink", "usd")  # ARKit-52 + head and eyes, solved from the take (perform.arkit)
ALPHA_FORMATS = ("MOV (ProRes 422 HQ)", "PNG sequence", "EXR sequence (half float, linear)")  # can hold a matte


def image_format_of(format_name: str) -> str:
    """The image sequence format a FORMATS entry writes (png unless it says EXR)."""
    return "exr" if format_name.startswith("EXR") else "png"


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
    plate: bool = False         # the whole source photo at its own resolution (render --plate)
    alpha: bool = False         # plate with the performer's matte (MOV becomes ProRes 4444)
    image_format: str = "png"   # sequences: png or exr

    @property
    def label(self) -> str:
        plate = " (plate, alpha)" if self.plate and self.alpha else " (plate)" if self.plate else ""
        return f"{self.take.name} [{self.start}-{self.stop - 1}] → {self.output.name}{plate}"


def run_spec(spec: RenderSpec, progress, cancel) -> Path:
    if spec.protected is not None:
        if spec.kind == "curves" or spec.kind in RIG_KINDS:
            spec.protected.check(spec.output, "curve file")
        else:
            from talkface_studio.pipeline.render_output import check_output

            check_output(spec.protected, spec.output, spec.take.name, spec.start, spec.stop, spec.image_format)
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
    if spec.plate:
        _check_plate(spec)
    state = TakeState(Project(path=spec.project_path))
    state.project.takes = [spec.take]  # private: fitting may store into this copy only
    snapshot = state.snapshot(spec.take)
    cancel.check()
    if spec.plate:
        return _render_plate(spec, snapshot, progress, cancel)
    job = RenderJob(snapshot, spec.start, spec.stop, size=spec.size, device=spec.device, renderer=spec.renderer)
    return render_to(job, spec.output, cache=FrameCache(), cancel=cancel, progress=progress,
                     image_format=spec.image_format)


def _check_plate(spec: RenderSpec) -> None:
    """Before any work: the format holds what was asked, the photo is not too large, and it is the
    one the portrait was fitted to (a plate of a changed photo is refused, not refitted)."""
    from talkface_studio.pipeline.plate.output import check_plate_request
    from talkface_studio.pipeline.plate.source import check_fit_current, plate_size
    from talkface_studio.pipeline.take_state import resolve_media

    check_plate_request(spec.output, spec.alpha, spec.image_format)
    photo = resolve_media(Project(path=spec.project_path), spec.take.portrait_path)
    if photo is not None:
        plate_size(photo)
        check_fit_current(spec.take.portrait_fit, photo)


def _render_plate(spec: RenderSpec, snapshot, progress, cancel) -> Path:
    """The whole photo at its own resolution, as `render --plate` writes it (pipeline.plate)."""
    from talkface_studio.pipeline.plate.job import PlateJob
    from talkface_studio.pipeline.plate.output import render_plate_to
    from talkface_studio.pipeline.render_output import output_kind

    kind = output_kind(spec.output)
    job = PlateJob.open(snapshot, spec.start, spec.stop, device=spec.device, renderer=spec.renderer,
                        alpha=spec.alpha, pad_even=kind == "video")
    return render_plate_to(job, spec.output, image_format=spec.image_format, cancel=cancel, progress=progress)


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
