"""What one entry of the app's render queue does in its worker: snapshot a take copy (the same
snapshot the preview, `render` and farm tasks use: pipeline.renderable), render a frame range to a
movie / PNG sequence, or write curves. Nothing is written unless every frame succeeded (the
pipeline's writers are atomic), and the project itself is never touched: a portrait fitted for the
render is stored into the take copy for the window to keep."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from talkface_studio.core.protected_files import ProtectedFiles

from .take_cache import TakeCache

FORMATS = {  # name -> (file suffix or "" for a folder, what it writes)
    "MP4 (H.264)": (".mp4", "video"),
    "MOV (ProRes 422 HQ)": (".mov", "video"),
    "PNG sequence": ("", "video"),
    "EXR sequence (half float, linear)": ("", "video"),
    "Curves (CSV)": (".csv", "curves"),
    "Curves (JSON)": (".json", "curves"),
    "ARKit curves (Live Link CSV)": (".csv", "livelink"),
    "ARKit curves (USD)": (".usda", "usd"),
    "Mouth cues (Rhubarb TSV)": (".tsv", "cues"),
    "Mouth cues (Rhubarb JSON)": (".json", "cues"),
    "Mouth cues (Rhubarb XML)": (".xml", "cues"),
    "Mouth cues (Moho switch .dat)": (".dat", "cues"),
    "Mouth cues (Papagayo project .pgo)": (".pgo", "cues"),
    "Mouth cues (Papagayo-NG project .pg2)": (".pg2", "cues"),
    "Captions (SubRip .srt)": (".srt", "captions"),
    "Captions (WebVTT .vtt)": (".vtt", "captions"),
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
    kind: str = "video"  # "video" | "curves" | "livelink" | "usd" | "cues" | "captions"
    size: int = 512
    device: str = "auto"
    renderer: str = "mesh_warp"
    protected: ProtectedFiles | None = None  # the project's own files, which no export may replace
    plate: bool = False         # the whole source photo at its own resolution (render --plate)
    alpha: bool = False         # plate with the performer's matte (MOV becomes ProRes 4444)
    image_format: str = "png"   # sequences: png or exr
    hold: int = 1               # mouth cues: each drawing held at least this many frames (2: on twos)

    @property
    def label(self) -> str:
        plate = " (plate, alpha)" if self.plate and self.alpha else " (plate)" if self.plate else ""
        return f"{self.take.name} [{self.start}-{self.stop - 1}] → {self.output.name}{plate}"


def _snapshot(spec: RenderSpec, cache: TakeCache | None, portrait: bool = True):
    from .renderable import build_snapshot

    snapshot, fit_json = build_snapshot(cache if cache is not None else TakeCache(), spec.take, spec.project_path,
                                        portrait=portrait)
    if fit_json is not None:
        spec.take.portrait_fit = fit_json  # the copy is the job's own; the window keeps the fit
    return snapshot


def run_spec(spec: RenderSpec, progress, cancel, cache: TakeCache | None = None) -> Path:
    """Run one queue entry; `cache` is the session's TakeCache (fits, performances) when shared."""
    if spec.protected is not None:
        if spec.kind == "cues":
            spec.protected.check(spec.output, "cue file")
        elif spec.kind == "captions":
            spec.protected.check(spec.output, "caption file")
        elif spec.kind == "curves" or spec.kind in RIG_KINDS:
            spec.protected.check(spec.output, "curve file")
        else:
            from talkface_studio.pipeline.render_output import check_output

            check_output(spec.protected, spec.output, spec.take.name, spec.start, spec.stop, spec.image_format)
    # A folder typed into the Export dialog is one the artist wants: make it (the file itself still
    # appears only when complete).
    spec.output.parent.mkdir(parents=True, exist_ok=True)
    if spec.kind == "curves":
        from talkface_studio.pipeline.export.curves import write_curves

        progress(0, 1)
        snapshot = _snapshot(spec, cache, portrait=False)  # the curves a render shows
        frames = np.arange(spec.start, spec.stop)
        final = {n: v[spec.start:spec.stop] for n, v in snapshot.channels.items()}
        cancel.check()
        write_curves(spec.output, frames, final, spec.take.rate)
        progress(1, 1)
        return spec.output
    if spec.kind in RIG_KINDS:
        return _write_rig_curves(spec, progress, cancel, cache)
    if spec.kind == "cues":
        return _write_mouth_cues(spec, progress, cancel, cache)
    if spec.kind == "captions":
        from talkface_studio.pipeline.export.captions import write_take_captions

        progress(0, 1)
        write_take_captions(spec.output, spec.take, spec.project_path, spec.start, spec.stop, cache, cancel)
        progress(1, 1)
        return spec.output
    from talkface_studio.pipeline.frame_cache import FrameCache
    from talkface_studio.pipeline.job import RenderJob
    from talkface_studio.pipeline.render_output import render_to

    progress(0, spec.stop - spec.start)
    if spec.plate:
        _check_plate(spec)
    snapshot = _snapshot(spec, cache)
    cancel.check()
    plate = _plate_framing(spec, snapshot) if spec.plate else None
    job = RenderJob(snapshot, spec.start, spec.stop, size=spec.size, device=spec.device, renderer=spec.renderer,
                    plate=plate)
    return render_to(job, spec.output, cache=FrameCache() if plate is None else None, cancel=cancel,
                     progress=progress, image_format=spec.image_format)


def _check_plate(spec: RenderSpec) -> None:
    """Before any work: the format holds what was asked, the photo is not too large, and it is the
    one the portrait was fitted to (a plate of a changed photo is refused, not refitted)."""
    from talkface_studio.core.media_paths import resolve_media
    from talkface_studio.pipeline.plate.framing import check_plate_renderer
    from talkface_studio.pipeline.plate.output import check_plate_request
    from talkface_studio.pipeline.plate.source import check_plate_photo

    check_plate_renderer(spec.renderer)
    check_plate_request(spec.output, spec.alpha, spec.image_format)
    photo = resolve_media(spec.take.portrait_path, spec.project_path)
    if photo is not None:
        check_plate_photo(photo, spec.take.portrait_fit)


def _plate_framing(spec: RenderSpec, snapshot):
    """The whole photo at its own resolution, as `render --plate` frames it (pipeline.plate)."""
    from talkface_studio.pipeline.plate.framing import PlateFraming
    from talkface_studio.pipeline.render_output import output_kind

    return PlateFraming.open(snapshot.portrait, alpha=spec.alpha, pad_even=output_kind(spec.output) == "video")


def _write_rig_curves(spec: RenderSpec, progress, cancel, cache: TakeCache | None) -> Path:
    """Live Link Face CSV or USD of the frame range, on the recording's clock (pipeline.rig_curves)."""
    from talkface_studio.pipeline.rig_curves import recording_start_seconds, snapshot_rig_curves

    progress(0, 1)
    curves = snapshot_rig_curves(_snapshot(spec, cache, portrait=False), spec.start, spec.stop)
    start_s = recording_start_seconds(spec.take, spec.project_path)
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


def _write_mouth_cues(spec: RenderSpec, progress, cancel, cache: TakeCache | None) -> Path:
    """The take's mouth as Rhubarb / Moho cues (pipeline.export.mouth_cues): what the lip sync hears
    in the recording, with the shapes set by hand over it."""
    from talkface_studio.pipeline.export.mouth_cues import write_take_cues

    progress(0, 1)
    write_take_cues(spec.output, spec.take, spec.project_path, spec.start, spec.stop, cache, cancel, spec.hold)
    progress(1, 1)
    return spec.output
