"""OpenCue job for a FarmPlan, built with pyoutline (opencue-pyoutline).

Per take: a `render-<take>` Shell layer over the take's frame range with the plan's chunk size, whose
command uses OpenCue's frame tokens (`--frames #FRAME_START#-#FRAME_END#`: Cuebot substitutes the
first and last frame of each chunk, clipping the last chunk to the range), then an `encode-<take>`
single-frame layer with a layer-on-layer dependency on it. Serialized without the pycuerun wrapper
(`serialize_simple`), so the spec's commands are exactly the talkface-studio command lines and a
farm needs nothing but talkface-studio on its render nodes.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from talkface_studio.core.errors import TalkFaceError
from talkface_studio.pipeline.export.atomic import write_text_atomic

from .chunking import FarmPlan

FARM_EXTRA_HINT = "install the farm extras: pip install 'talkface-studio[farm]'"
FRAME_TOKENS = "#FRAME_START#-#FRAME_END#"
RENDER_SERVICE = "shell"


def _outline_modules():
    try:
        import outline
        import outline.cuerun
        import outline.depend
        from outline.modules.shell import Shell, ShellCommand
    except ImportError:
        raise TalkFaceError(f"cannot build an OpenCue job: pyoutline is missing; {FARM_EXTRA_HINT}") from None
    return outline, Shell, ShellCommand


def layer_name(kind: str, take: str) -> str:
    # OpenCue layer names end up in log paths; keep them to safe characters.
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in take)
    return f"{kind}-{safe}"


def build_outline(plan: FarmPlan, show: str = "talkface", shot: str | None = None, user: str | None = None):
    """The pyoutline Outline of the job (not launched)."""
    outline, Shell, ShellCommand = _outline_modules()
    ol = outline.Outline(plan.job_name, show=show, shot=shot or plan.project.stem,
                         user=user or getpass.getuser())
    for take in plan.takes:
        render = Shell(layer_name("render", take.name), command=plan.shell(plan.render_args(take.name, FRAME_TOKENS)),
                       range=take.frame_range, chunk=plan.chunk, service=RENDER_SERVICE)
        encode = ShellCommand(layer_name("encode", take.name), command=plan.shell(plan.encode_args(take)),
                              service=RENDER_SERVICE)
        encode.depend_on(render, outline.depend.DependType.LayerOnLayer)
        ol.add_layer(render)
        ol.add_layer(encode)
    return ol


def serialize(plan: FarmPlan, **outline_options) -> str:
    """The OpenCue job spec (XML) that Cuebot receives."""
    outline, _, _ = _outline_modules()
    launcher = outline.cuerun.OutlineLauncher(build_outline(plan, **outline_options), nomail=True)
    return launcher.serialize(use_pycuerun=False)


def write_spec(plan: FarmPlan, path: str | Path | None = None, **outline_options) -> Path:
    path = Path(path) if path is not None else plan.output / "opencue_job.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, serialize(plan, **outline_options))
    return path


def cuebot_configured() -> bool:
    """A Cuebot to talk to: CUEBOT_HOSTS, or an opencue.yaml config naming one."""
    if os.environ.get("CUEBOT_HOSTS"):
        return True
    return bool(os.environ.get("OPENCUE_CONFIG_FILE")) and Path(os.environ["OPENCUE_CONFIG_FILE"]).is_file()


def submit(plan: FarmPlan, **outline_options) -> list[str]:
    """Launch on the configured Cuebot; returns the job names."""
    outline, _, _ = _outline_modules()
    import opencue

    spec = serialize(plan, **outline_options)
    try:
        jobs = opencue.api.launchSpecAndWait(spec)
    except Exception as exc:  # grpc/opencue raise many types; the user needs one line, not a trace
        raise TalkFaceError(f"OpenCue submission failed: {exc}") from None
    return [job.name() for job in jobs]
