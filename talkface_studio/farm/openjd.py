"""Open Job Description (AWS Deadline Cloud's job format) template for a FarmPlan.

One job; per take a `Render <take>` step whose tasks are the plan's chunks, then an `Encode <take>`
step that depends on it. Chunks are two INT task parameters combined pairwise
(`combination: "(FrameStart, FrameEnd)"`), plain 2023-09 syntax that every OpenJD runtime accepts
(no TASK_CHUNKING extension needed). Paths are job parameters of type PATH so a farm's path mapping
can rewrite them for workers that mount storage elsewhere. Validated with openjd-model.

Written as a Deadline Cloud job bundle: OUT/template.yaml + OUT/parameter_values.yaml, submitted
with `deadline bundle submit OUT` where the Deadline client is configured, run locally with
`openjd run OUT/template.yaml -p file://OUT/openjd_parameters.yaml --step "Encode <take>"
--run-dependencies` (see `local_run_command`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from talkface_studio.core.errors import TalkFaceError, ValidationError
from talkface_studio.pipeline.export.atomic import write_text_atomic

from .chunking import FarmPlan

SPEC_VERSION = "jobtemplate-2023-09"
LOCAL_PARAMS = "openjd_parameters.yaml"
FARM_EXTRA_HINT = "install the farm extras: pip install 'talkface-studio[farm]'"


def render_step_name(take: str) -> str:
    return f"Render {take}"


def encode_step_name(take: str) -> str:
    return f"Encode {take}"


def _action(plan: FarmPlan, args: list[str]) -> dict:
    # The executable is a job parameter (each farm installs talkface-studio somewhere else); any extra
    # words of the plan's command (e.g. `python -m talkface_studio`) lead the arguments.
    return {"actions": {"onRun": {"command": "{{Param.TalkfaceCommand}}", "args": [*plan.command[1:], *args]}}}


def _with_params(plan: FarmPlan, args: list[str]) -> list[str]:
    """Swap the plan's absolute paths for the PATH job parameters (so path mapping applies)."""
    project, output = str(plan.project), str(plan.output)
    out = []
    for arg in args:
        if arg == project:
            out.append("{{Param.ProjectFile}}")
        elif arg == output or arg.startswith(output + "/"):
            out.append("{{Param.OutputDir}}" + arg[len(output):])
        else:
            out.append(arg)
    return out


def build_template(plan: FarmPlan, bundle_dir: str | Path | None = None) -> dict:
    """The job template as plain data (JSON/YAML-ready), to be saved in `bundle_dir` (default plan.output).

    OpenJD joins PATH parameter defaults to the template's folder and refuses absolute ones, so the
    defaults are relative to the bundle: a bundle written inside the job folder moves with it.
    """
    bundle_dir = Path(bundle_dir if bundle_dir is not None else plan.output).absolute()

    def path_default(path: Path) -> dict:
        # OpenJD also refuses defaults that walk up out of the template's folder: those paths come
        # from parameter_values.yaml (or `openjd run -p Name=...`) instead.
        rel = os.path.relpath(path, bundle_dir)
        return {} if rel.startswith("..") else {"default": rel}
    steps = []
    for take in plan.takes:
        if "{{" in take.name or "}}" in take.name:
            raise ValidationError(f"take name {take.name!r} cannot be used in a job template")
        starts = [a for a, _ in take.chunks]
        ends = [b for _, b in take.chunks]
        render_args = _with_params(plan, plan.render_args(take.name, "{{Task.Param.FrameStart}}-{{Task.Param.FrameEnd}}"))
        steps.append({
            "name": render_step_name(take.name),
            "description": f"Render frames {take.frame_range} of take {take.name} as a PNG sequence, "
                           f"{plan.chunk} frames per task",
            "parameterSpace": {
                "taskParameterDefinitions": [
                    {"name": "FrameStart", "type": "INT", "range": starts},
                    {"name": "FrameEnd", "type": "INT", "range": ends},
                ],
                "combination": "(FrameStart, FrameEnd)",
            },
            "script": _action(plan, render_args),
        })
        steps.append({
            "name": encode_step_name(take.name),
            "description": f"Encode take {take.name} with its audio into {plan.video_path(take.name).name}",
            "dependencies": [{"dependsOn": render_step_name(take.name)}],
            "script": _action(plan, _with_params(plan, plan.encode_args(take))),
        })
    return {
        "specificationVersion": SPEC_VERSION,
        "name": plan.job_name,
        "description": f"TalkFace Studio: render {len(plan.takes)} take(s) of {plan.project.name}",
        "parameterDefinitions": [
            {"name": "TalkfaceCommand", "type": "STRING", "default": plan.command[0],
             "description": "The talkface-studio executable on the workers"},
            {"name": "ProjectFile", "type": "PATH", "objectType": "FILE", "dataFlow": "IN",
             **path_default(plan.project), "description": "The .tfs project (its media beside it)"},
            {"name": "OutputDir", "type": "PATH", "objectType": "DIRECTORY", "dataFlow": "OUT",
             **path_default(plan.output), "description": "PNG sequences and videos are written here"},
        ],
        "steps": steps,
    }


def validate_template(template: dict) -> None:
    """Raise ValidationError unless openjd-model accepts the template (and can instantiate the job)."""
    try:
        from openjd.model import DecodeValidationError, create_job, decode_job_template
    except ImportError:
        raise TalkFaceError(f"cannot validate the OpenJD template: openjd-model is missing; {FARM_EXTRA_HINT}") from None
    try:
        job_template = decode_job_template(template=template)
        create_job(job_template=job_template, job_parameter_values=_dummy_values(template))
    except (DecodeValidationError, ValueError) as exc:
        raise ValidationError(f"OpenJD template is invalid: {exc}") from None


def _dummy_values(template: dict) -> dict:
    """Values for parameters without a default, so create_job can check the rest of the template."""
    from openjd.model import ParameterValue, ParameterValueType

    values = {}
    for p in template["parameterDefinitions"]:
        if "default" not in p:
            values[p["name"]] = ParameterValue(type=ParameterValueType(p["type"]), value="/farm/placeholder")
    return values


def write_bundle(plan: FarmPlan, folder: str | Path | None = None) -> Path:
    """Validate and write a Deadline Cloud job bundle; returns the template path."""
    import yaml  # PyYAML comes with openjd-model

    folder = Path(folder).absolute() if folder is not None else plan.output
    template = build_template(plan, folder)
    validate_template(template)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "template.yaml"
    write_text_atomic(path, yaml.safe_dump(template, sort_keys=False, width=120))
    # Deadline Cloud's bundle format; absolute values, as the submitter resolved them
    values = {"parameterValues": [{"name": "TalkfaceCommand", "value": plan.command[0]},
                                  {"name": "ProjectFile", "value": str(plan.project)},
                                  {"name": "OutputDir", "value": str(plan.output)}]}
    write_text_atomic(folder / "parameter_values.yaml", yaml.safe_dump(values, sort_keys=False))
    # the same as a plain mapping, the form `openjd run -p file://...` reads
    plain = {v["name"]: v["value"] for v in values["parameterValues"]}
    write_text_atomic(folder / LOCAL_PARAMS, yaml.safe_dump(plain, sort_keys=False))
    return path


def local_run_command(template: Path, take: str) -> list[str]:
    """`openjd run` of a take's encode step and, before it, every render chunk (openjd-cli)."""
    return ["openjd", "run", str(template), "-p", f"file://{template.parent / LOCAL_PARAMS}",
            "--step", encode_step_name(take), "--run-dependencies"]


def deadline_client() -> str | None:
    """The `deadline` CLI when it is installed and has a default farm and queue, else None."""
    exe = shutil.which("deadline")
    if exe is None:
        return None
    for key in ("defaults.farm_id", "defaults.queue_id"):
        got = subprocess.run([exe, "config", "get", key], capture_output=True, text=True)
        if got.returncode != 0 or not got.stdout.strip():
            return None
    return exe


def submit_bundle(folder: str | Path, exe: str) -> str:
    """Submit with the Deadline Cloud CLI; returns its output (the job id)."""
    done = subprocess.run([exe, "bundle", "submit", "--yes", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise TalkFaceError(f"deadline bundle submit failed: {lines[-1] if lines else 'no output'}", folder)
    return done.stdout.strip()
