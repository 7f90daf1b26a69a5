"""Farm job planning: chunks cover each take exactly once, in order; bad requests name the problem."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talkface_studio.core.errors import ValidationError
from talkface_studio.farm.chunking import chunk_ranges, plan_job

from farm_project import add_take, make_project


@given(first=st.integers(0, 500), length=st.integers(1, 700), chunk=st.integers(1, 120))
def test_chunks_cover_the_range_contiguously(first, length, chunk):
    last = first + length - 1
    chunks = chunk_ranges(first, last, chunk)
    frames = [f for a, b in chunks for f in range(a, b + 1)]
    assert frames == list(range(first, last + 1))
    assert all(b - a + 1 <= chunk for a, b in chunks)
    assert len(chunks) == -(-length // chunk)  # ceil: only the last chunk may be short


def test_chunk_must_be_positive():
    with pytest.raises(ValidationError, match="--chunk"):
        chunk_ranges(0, 10, 0)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tfs = make_project(tmp_path_factory.mktemp("plan"), generate=False)
    add_take(tfs, "t2", 7)
    return tfs


def test_plan_reads_take_lengths_and_uses_absolute_paths(project, tmp_path, monkeypatch):
    monkeypatch.chdir(project.parent)
    plan = plan_job("scene.tfs", "out", chunk=10)
    assert [t.name for t in plan.takes] == ["t1", "t2"]
    assert plan.takes[0].chunks == ((0, 9), (10, 19), (20, 29))
    assert plan.takes[1].chunks == ((0, 6),)
    assert plan.project.is_absolute() and plan.output == project.parent / "out"
    args = plan.render_args("t2", "0-6")
    assert args[:2] == ["render", str(project)] and args[args.index("--frames") + 1] == "0-6"
    assert plan.encode_args(plan.takes[1])[-1] == str(project.parent / "out" / "t2.mp4")


def test_plan_selects_takes_and_refuses_unknown_ones(project, tmp_path):
    assert [t.name for t in plan_job(project, tmp_path, takes=["t2"]).takes] == ["t2"]
    with pytest.raises(ValidationError, match="no take named 'nope'"):
        plan_job(project, tmp_path, takes=["nope"])
    with pytest.raises(ValidationError, match="named twice"):
        plan_job(project, tmp_path, takes=["t1", "t1"])


def test_shell_command_quotes_paths_with_spaces(project, tmp_path):
    plan = plan_job(project, tmp_path / "farm out", command=["/opt/talk face/talkface-studio"])
    line = plan.shell(plan.encode_args(plan.takes[0]))
    assert line.startswith("'/opt/talk face/talkface-studio' encode ")
    assert f"'{tmp_path}/farm out/t1.mp4'" in line
