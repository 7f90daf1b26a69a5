"""A farm job plan, independent of any farm: takes, their frame chunks, and the commands tasks run.

Rendering a frame range is the unit of work (frames carry no state between them, so a chunk renders
the same pixels as a single-machine render). For each take a farm runs one task per contiguous
chunk, `talkface-studio render PROJECT --take T --frames A-B -o OUT/T/` (a PNG sequence; with
`plate`, `--plate` frames of the whole photo), then one dependent task `talkface-studio encode ...`
that muxes the sequence with the take's audio.
The OpenJD and OpenCue writers only translate this plan into their formats.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from talkface_studio.core.errors import ValidationError

DEFAULT_CHUNK = 25  # ~1 s of frames per task: long enough to amortize process start-up and model load
DEFAULT_COMMAND = "talkface-studio"


def chunk_ranges(first: int, last: int, chunk: int) -> list[tuple[int, int]]:
    """Inclusive `(a, b)` ranges of at most `chunk` frames covering first..last in order."""
    if chunk < 1:
        raise ValidationError(f"--chunk must be at least 1 frame, got {chunk}")
    if last < first:
        return []
    return [(a, min(a + chunk - 1, last)) for a in range(first, last + 1, chunk)]


def frames_arg(a: int, b: int) -> str:
    return f"{a}-{b}"


@dataclass(frozen=True)
class TakePlan:
    name: str
    first: int  # first take frame
    last: int  # last take frame (inclusive)
    chunks: tuple[tuple[int, int], ...]

    @property
    def frame_range(self) -> str:
        return frames_arg(self.first, self.last)


@dataclass(frozen=True)
class FarmPlan:
    """Everything a farm job needs. Paths are absolute: tasks run in other working directories."""

    project: Path
    output: Path  # job folder: OUT/<take>/ frames, OUT/<take>.<ext> videos, the job files
    takes: tuple[TakePlan, ...]
    chunk: int = DEFAULT_CHUNK
    size: int = 512
    renderer: str = "mesh_warp"
    device: str = "auto"
    video_ext: str = ".mp4"
    command: tuple[str, ...] = (DEFAULT_COMMAND,)  # how farm workers start talkface-studio
    name: str = field(default="")
    plate: bool = False  # render into the whole source photo (render --plate); `size` unused
    alpha: bool = False  # plate with the performer's matte: RGBA frames, ProRes 4444 video

    @property
    def job_name(self) -> str:
        return self.name or f"talkface-{self.project.stem}"

    def sequence_dir(self, take: str) -> Path:
        return self.output / take

    def video_path(self, take: str) -> Path:
        return self.output / f"{take}{self.video_ext}"

    def render_args(self, take: str, frames: str) -> list[str]:
        """Arguments after the command. `frames` may be a farm token such as #FRAME_START#-#FRAME_END#."""
        framing = (["--plate"] + (["--alpha"] if self.alpha else [])) if self.plate else ["--size", str(self.size)]
        return ["render", str(self.project), "--take", take, "--frames", frames, *framing,
                "--renderer", self.renderer, "--device", self.device,
                "--no-cache", "-o", str(self.sequence_dir(take))]

    def encode_args(self, take: TakePlan) -> list[str]:
        framing = (["--plate"] + (["--alpha"] if self.alpha else [])) if self.plate else []
        return ["encode", str(self.project), "--take", take.name, "--frames", take.frame_range, *framing,
                "--sequence", str(self.sequence_dir(take.name)), "-o", str(self.video_path(take.name))]

    def shell(self, args: list[str]) -> str:
        """One shell command line (OpenCue runs `cmd` through a shell)."""
        return shlex.join([*self.command, *args])


def plan_job(project_path: str | os.PathLike, output: str | os.PathLike, *, takes: list[str] | None = None,
             chunk: int = DEFAULT_CHUNK, size: int = 512, renderer: str = "mesh_warp", device: str = "auto",
             video_ext: str = ".mp4", command: list[str] | None = None, name: str = "", plate: bool = False,
             alpha: bool = False) -> FarmPlan:
    """Read the project (core only: no torch, no analysis) and cut each chosen take into chunks."""
    from talkface_studio.core.project_file import load_project

    project_path = Path(project_path).absolute()
    project = load_project(project_path)
    names = list(takes) if takes else project.take_names()
    if not names:
        raise ValidationError("the project has no takes", project_path)
    if len(set(names)) != len(names):
        raise ValidationError(f"a take is named twice in --take: {', '.join(names)}", project_path)
    if video_ext not in (".mp4", ".mov"):
        raise ValidationError(f"video format must be .mp4 or .mov, got {video_ext!r}")
    if alpha and not plate:
        raise ValidationError("--alpha needs --plate")
    if alpha and video_ext != ".mov":
        raise ValidationError("--alpha needs --format mov (ProRes 4444): MP4 (H.264) has no alpha channel",
                              project_path)
    plans = []
    for take_name in names:
        if take_name not in project.take_names():
            raise ValidationError(f"no take named {take_name!r} (takes: {', '.join(project.take_names())})",
                                  project_path)
        if "/" in take_name or os.sep in take_name:
            raise ValidationError(f"take name {take_name!r} contains a path separator; rename it to "
                                  "render it to files", project_path)
        take = project.take(take_name)
        if take.n_frames == 0:
            raise ValidationError(f"take {take_name!r} is empty", project_path)
        first, last = 0, take.n_frames - 1
        plans.append(TakePlan(take_name, first, last, tuple(chunk_ranges(first, last, chunk))))
    plan = FarmPlan(project=project_path, output=Path(output).absolute(), takes=tuple(plans), chunk=chunk,
                    size=size, renderer=renderer, device=device, video_ext=video_ext,
                    command=tuple(command or (DEFAULT_COMMAND,)), name=name, plate=plate, alpha=alpha)
    check_outputs(plan, project)
    return plan


JOB_FILES = ("template.yaml", "parameter_values.yaml", "openjd_parameters.yaml", "opencue_job.xml")


def check_outputs(plan: FarmPlan, project) -> None:
    """Nothing the job writes (job files now, frames and videos on the farm) may replace a file of the
    project: refused here, before the job is written or submitted."""
    from talkface_studio.core.protected_files import ProtectedFiles
    from talkface_studio.pipeline.export.image_sequence import frame_name

    guard = ProtectedFiles.of_project(project, plan.project)
    for name in JOB_FILES:
        guard.check(plan.output / name, "job file")
    for take in plan.takes:
        guard.check(plan.video_path(take.name), "video")
        guard.check_sequence(plan.sequence_dir(take.name),
                             [frame_name(take.name, f) for f in range(take.first, take.last + 1)])
