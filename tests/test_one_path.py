"""One path from a take to pixels: the app's preview, the app's Export, `render` and a farm task
render the same snapshot (pipeline.renderable) and give the same frames, byte for byte.

The reproduction of issue 12: on the demo with "sad" painted and no Generate, the app's export and
the command line differed by 16 px on average (head pitch -4.5 deg in one, -10.3 in the other),
because the command line regenerated the take while the app kept its curves. A stale take now
renders as its curves are stored, everywhere; stage 1 is not run to find out that it is stale.
"""

import shutil

import numpy as np
import pytest
from PIL import Image

from talkface_studio.cli.main import main
from talkface_studio.core.commands import AddKeys, PaintEmotion, UndoStack
from talkface_studio.core.key_commands import PlaceKeys
from talkface_studio.core.project_file import load_project, save_project
from talkface_studio.farm.chunking import plan_job
from talkface_studio.pipeline.cancel import CancelToken
from talkface_studio.pipeline.render_jobs import RenderSpec, run_spec
from talkface_studio.pipeline.renderable import NEVER_GENERATED, STALE, take_status
from talkface_studio.pipeline.take_compute import TakeCompute
from talkface_studio.pipeline.take_state import TakeState

pytestmark = pytest.mark.slow
SIZE = 128
FRAMES = (150, 165)  # inside the painted sad stretch, across a block boundary (160)


def _pngs(folder, take="line"):
    paths = sorted(folder.glob(f"{take}.*.png"))
    return {int(p.name.split(".")[1]): np.asarray(Image.open(p)) for p in paths}


def _export(tfs, out, start, stop, size=SIZE):
    """The app's Export code path: the render queue's entry for a take copy, in its worker function."""
    project = load_project(tfs)
    take = project.takes[0]
    spec = RenderSpec(take.copy(), tfs, start, stop, out, "video", size)
    run_spec(spec, lambda done, total: None, CancelToken())
    return _pngs(out)


def _cli(tfs, out, start, stop, size=SIZE, take="line"):
    assert main(["render", str(tfs), "--frames", f"{start}-{stop - 1}", "--size", str(size), "--no-cache",
                 "-o", str(out) + "/"]) == 0
    return _pngs(out, take)


@pytest.fixture(scope="module")
def sad(tmp_path_factory, demo_dir):
    """The demo with "sad" painted over its last sentence in the app's way (the expression curves
    follow in the same undo step) and saved without Generate."""
    folder = tmp_path_factory.mktemp("onepath")
    shutil.copytree(demo_dir, folder, dirs_exist_ok=True)
    project = load_project(folder / "demo.tfs")
    generated = project.takes[0].final_channels()
    UndoStack(project).edit(PaintEmotion("line", 130, 199, "sad", 3))
    save_project(project, folder / "sad.tfs")
    return folder / "sad.tfs", generated


def test_a_stale_take_renders_the_same_through_export_cli_and_a_farm_task(sad, tmp_path, monkeypatch):
    tfs, generated = sad
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    project = load_project(tfs)
    take = project.takes[0]
    assert take_status(take, tfs) == STALE
    # what the viewer shows: the sad expression curve moved at once, the head is still the generated one
    final = take.final_channels()
    assert final["emo_sad"][160] > generated["emo_sad"][160] + 0.5
    np.testing.assert_array_equal(final["head_pitch"], generated["head_pitch"])

    a, b = FRAMES
    exported = _export(tfs, tmp_path / "app", a, b)
    rendered = _cli(tfs, tmp_path / "cli", a, b)
    plan = plan_job(tfs, tmp_path / "farm", size=SIZE, chunk=5)
    assert main([*plan.render_args("line", f"{a}-{b - 1}")]) == 0
    farmed = _pngs(plan.sequence_dir("line"))
    assert sorted(exported) == sorted(rendered) == sorted(farmed) == list(range(a, b))
    for f in range(a, b):
        assert np.array_equal(exported[f], rendered[f]), f"frame {f}: app export != render"
        assert np.array_equal(exported[f], farmed[f]), f"frame {f}: app export != farm task"

    # and it is the take as stored, not a regenerated one: Generate moves the head (sad hangs it)
    state = TakeState(project)
    snapshot = state.snapshot(take)
    np.testing.assert_array_equal(snapshot.channels["head_pitch"], final["head_pitch"])
    state.generate(take)
    regenerated = take.final_channels()["head_pitch"]
    assert np.abs(regenerated[a:b] - final["head_pitch"][a:b]).max() > 2.0  # the test can tell them apart


def test_staleness_comes_from_the_stamp_without_running_stage_one(sad, tmp_path, monkeypatch):
    tfs, _ = sad
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))

    def no_stage_one(*args, **kwargs):
        raise AssertionError("stage 1 ran for a render of a generated take")

    monkeypatch.setattr("talkface_studio.perform.registry.get_performer", no_stage_one)
    monkeypatch.setattr("talkface_studio.audio.analysis.analyze", no_stage_one)
    frames = _cli(tfs, tmp_path / "cli", 150, 152)
    assert sorted(frames) == [150, 151]


def test_preview_frame_equals_export_frame(sad, tmp_path, monkeypatch):
    tfs, _ = sad
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    take = load_project(tfs).takes[0]
    exported = _export(tfs, tmp_path / "app", 158, 163, size=256)
    compute = TakeCompute()
    for f in (158, 160, 162):  # both sides of a block boundary, each asked for alone
        rgb, _ = compute.preview_frame(take.copy(), tfs, f, 256)
        assert np.array_equal(rgb, exported[f]), f"frame {f}: preview != export"


def test_a_key_drag_changes_the_frames_where_the_curve_changed_and_no_other(sad, tmp_path, monkeypatch):
    tfs, _ = sad
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    project = load_project(tfs)
    stack = UndoStack(project)
    stack.edit(AddKeys("line", "jaw_open", [(40, 0.1), (48, 0.2), (56, 0.1)], name="jaw"))
    save_project(project, tfs.parent / "keyed.tfs")
    take = project.takes[0]
    before = take.final_channels()["jaw_open"]
    layer = take.channel("jaw_open").layers[-1]
    middle = [k for k in layer.keys if k.frame == 48][0]
    stack.edit(PlaceKeys("line", "jaw_open", layer.id, {middle.id: (48, 0.9)}))  # what a drag pushes
    save_project(project, tfs.parent / "dragged.tfs")
    after = take.final_channels()["jaw_open"]
    changed = set(np.flatnonzero(before != after).tolist())
    assert changed and min(changed) > 30 and max(changed) < 66

    a, b = 28, 70
    old = _cli(tfs.parent / "keyed.tfs", tmp_path / "old", a, b)
    new = _cli(tfs.parent / "dragged.tfs", tmp_path / "new", a, b)
    for f in range(a, b):
        if f in changed:
            if abs(after[f] - before[f]) > 0.05:
                assert not np.array_equal(old[f], new[f]), f"frame {f}: the curve changed, the frame did not"
        else:
            assert np.array_equal(old[f], new[f]), f"frame {f}: outside the drag's influence, yet changed"


def test_a_take_never_generated_renders_what_generate_would_make(tmp_path, monkeypatch, capsys):
    from farm_project import make_project

    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    tfs = make_project(tmp_path, generate=False)
    assert take_status(load_project(tfs).takes[0], tfs) == NEVER_GENERATED
    capsys.readouterr()
    performed = _cli(tfs, tmp_path / "before", 0, 12, take="t1")
    assert "was never generated: performed in memory for this render" in capsys.readouterr().err
    assert main(["generate", str(tfs)]) == 0
    capsys.readouterr()
    generated = _cli(tfs, tmp_path / "after", 0, 12, take="t1")
    assert "note:" not in capsys.readouterr().err  # current now: nothing to say
    for f in range(12):
        assert np.array_equal(performed[f], generated[f])
