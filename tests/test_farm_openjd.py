"""OpenJD (Deadline Cloud) job: the template validates with openjd-model, its tasks are the chunks,
and openjd-cli runs the whole job locally: chunked renders, then the encode."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from openjd.model import ParameterValue, ParameterValueType, StepParameterSpaceIterator, create_job, decode_job_template

from talkface_studio.cli.main import main
from talkface_studio.core.errors import ValidationError
from talkface_studio.farm import openjd
from talkface_studio.farm.chunking import plan_job
from talkface_studio.pipeline.ffmpeg import probe

from farm_project import N_FRAMES, add_take, make_project

VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tfs = make_project(tmp_path_factory.mktemp("ojd"), generate=False)
    add_take(tfs, "take two", 12)
    return tfs


def _job(template: dict, plan):
    values = {"ProjectFile": ParameterValue(type=ParameterValueType.PATH, value=str(plan.project)),
              "OutputDir": ParameterValue(type=ParameterValueType.PATH, value=str(plan.output))}
    return create_job(job_template=decode_job_template(template=template), job_parameter_values=values)


def test_template_tasks_are_the_chunks_and_encode_waits_for_them(project, tmp_path):
    plan = plan_job(project, tmp_path / "out", chunk=8)
    job = _job(openjd.build_template(plan), plan)
    steps = {s.name: s for s in job.steps}
    assert list(steps) == ["Render t1", "Encode t1", "Render take two", "Encode take two"]
    tasks = [(int(t["FrameStart"].value), int(t["FrameEnd"].value))
             for t in StepParameterSpaceIterator(space=steps["Render t1"].parameterSpace)]
    assert tasks == [(0, 7), (8, 15), (16, 23), (24, 29)]
    assert [d.dependsOn for d in steps["Encode take two"].dependencies] == ["Render take two"]
    assert steps["Encode t1"].parameterSpace is None  # one task


def test_bundle_is_written_validated_and_names_paths_as_parameters(project, tmp_path):
    plan = plan_job(project, tmp_path / "out", chunk=8, command=["/opt/tf/talkface-studio"])
    path = openjd.write_bundle(plan)
    template = yaml.safe_load(path.read_text())
    render = template["steps"][0]["script"]["actions"]["onRun"]
    assert render["command"] == "{{Param.TalkfaceCommand}}"
    assert "{{Param.ProjectFile}}" in render["args"] and "{{Param.OutputDir}}/t1" in render["args"]
    assert str(project) not in path.read_text()  # paths come from parameters: farm path mapping applies
    values = yaml.safe_load((path.parent / "parameter_values.yaml").read_text())["parameterValues"]
    assert {v["name"]: v["value"] for v in values} == {
        "TalkfaceCommand": "/opt/tf/talkface-studio", "ProjectFile": str(project), "OutputDir": str(plan.output)}


def test_invalid_template_is_refused_with_the_reason(project, tmp_path):
    template = openjd.build_template(plan_job(project, tmp_path, chunk=8))
    template["steps"][1]["dependencies"] = [{"dependsOn": "Render nowhere"}]
    with pytest.raises(ValidationError, match="OpenJD template is invalid"):
        openjd.validate_template(template)


def test_submit_without_client_writes_the_bundle_and_says_how_to_run_it(project, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no `deadline` CLI
    assert main(["submit", str(project), "--farm", "openjd", "--chunk", "10", "--take", "t1",
                 "-o", str(tmp_path / "job")]) == 0
    out, err = capsys.readouterr()
    assert "4 tasks" in out and (tmp_path / "job" / "template.yaml").is_file()
    assert "not submitted" in err and "openjd run" in err


@pytest.mark.slow
def test_openjd_cli_runs_the_job_end_to_end(tmp_path):
    tfs = make_project(tmp_path)
    out = tmp_path / "farm"
    assert main(["submit", str(tfs), "--farm", "openjd", "--chunk", "12", "--size", "64", "--no-submit",
                 "-o", str(out), "--command", str(VENV_BIN / "talkface-studio")]) == 0
    cmd = openjd.local_run_command(out / "template.yaml", "t1")
    env = dict(os.environ, TALKFACE_CACHE_DIR=str(tmp_path / "cache"), OMP_NUM_THREADS="1",
               PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([str(VENV_BIN / cmd[0]), *cmd[1:]], capture_output=True, text=True, env=env, timeout=400)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Chunks run: 4" in done.stdout  # three render chunks (12, 12, 6 frames) + the encode
    pngs = sorted(p.name for p in (out / "t1").glob("*.png"))
    assert pngs == [f"t1.{f:06d}.png" for f in range(N_FRAMES)]
    info = probe(out / "t1.mp4")
    assert (info.video_codec, info.width, info.n_frames, info.audio_codec) == ("h264", 64, N_FRAMES, "aac")
    assert np.isclose(info.duration_s, N_FRAMES / 25, atol=0.05)
