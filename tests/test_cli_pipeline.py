"""The headless commands end to end on the demo media: generate, curves in/out, landmarks, render.

One project is created and generated per module (portrait fit + performance, a few seconds); renders
are a handful of frames at 128 px so the module stays fast.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from talkface_studio.cli.main import main
from talkface_studio.core.commands import AddKeys
from talkface_studio.core.project_file import load_project, save_project
from talkface_studio.pipeline.ffmpeg import probe

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("proj")
    for name in ("line.wav", "portrait.png"):
        shutil.copy(DEMO / name, folder / name)
    tfs = folder / "scene.tfs"
    assert main(["new", str(tfs), "--audio", str(folder / "line.wav"), "--portrait", str(folder / "portrait.png"),
                 "--fps", "25", "--emotion", "happy:2@5.4-7.9", "--take", "t1", "--seed", "3"]) == 0
    assert main(["generate", str(tfs)]) == 0
    return tfs


@pytest.fixture
def project(generated, tmp_path, monkeypatch):
    """A fresh copy of the generated project for each test (media stay next to the original)."""
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    p = load_project(generated)
    return save_project(p, tmp_path / "scene.tfs", backup=False)


def _one_line_error(capsys, code, argv, needle):
    assert main(argv) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and "Traceback" not in err[0], err


def test_generate_fills_bases_fits_once_and_keeps_edits(project, capsys):
    p = load_project(project)
    take = p.take("t1")
    assert take.portrait_fit is not None  # stored: later commands do not run the face tracker
    assert np.ptp(take.channel("jaw_open").base) > 0.2  # lip sync moved the jaw
    AddKeys("t1", "head_yaw", [(50, 20.0), (60, 20.0)]).do(p)
    old_base = take.channel("jaw_open").base.copy()
    save_project(p)
    assert main(["generate", str(project), "--seed", "11"]) == 0
    again = load_project(project).take("t1")
    assert again.generation.seed == 11
    assert len(again.channel("head_yaw").layers) == 1
    assert again.channel("head_yaw").final()[55] == pytest.approx(20.0, abs=1e-3)
    assert again.portrait_fit == take.portrait_fit
    assert np.allclose(again.channel("jaw_open").base, old_base, atol=0.05)  # same speech, same lips


def test_curves_export_import_round_trip(project, tmp_path, capsys):
    csv_path, json_path, chan_path = tmp_path / "c.csv", tmp_path / "c.json", tmp_path / "h.chan"
    for out in (csv_path, json_path, chan_path):
        assert main(["export-curves", str(project), "-o", str(out)]) == 0
    take = load_project(project).take("t1")
    final = take.final_channels()
    doc = json.loads(json_path.read_text())
    assert doc["fps"] == [25, 1] and len(doc["frames"]) == take.n_frames
    assert np.allclose(doc["channels"]["jaw_open"], final["jaw_open"], atol=1e-5)
    chan = np.loadtxt(chan_path)
    assert chan.shape == (take.n_frames, 7)
    assert np.allclose(chan[:, 5], final["head_yaw"], atol=1e-5)

    lines = csv_path.read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("jaw_open")
    edited = [header[:1] + ["jaw_open"]]
    for row in lines[1:]:
        cells = row.split(",")
        frame = int(cells[0])
        edited.append([cells[0], "0.9" if 100 <= frame <= 120 else ""])
    (tmp_path / "jaw.csv").write_text("\n".join(",".join(r) for r in edited) + "\n")
    assert main(["import-curves", str(project), str(tmp_path / "jaw.csv")]) == 0
    after = load_project(project).take("t1").channel("jaw_open")
    assert len(after.layers) == 1 and after.layers[0].name == "Imported jaw.csv"
    assert after.final()[110] == pytest.approx(0.9, abs=1e-4)
    assert after.final()[20] == pytest.approx(float(lines[21].split(",")[col]), abs=1e-4)  # untouched


def test_export_landmarks(project, tmp_path):
    out = tmp_path / "lm.npz"
    assert main(["export-landmarks", str(project), "-o", str(out), "--size", "256"]) == 0
    with np.load(out, allow_pickle=False) as d:
        lm = d["landmarks"]
        assert lm.shape == (load_project(project).take("t1").n_frames, 478, 3) and lm.dtype == np.float32
        assert 0 < lm[..., 0].min() and lm[..., 0].max() < 256  # output-image pixels
        assert d["fps_rational"].tolist() == [25, 1]
        mouth_gap = lm[:, 14, 1] - lm[:, 13, 1]  # inner lips: the mouth follows the jaw channel
        jaw = load_project(project).take("t1").channel("jaw_open").final()
        assert np.corrcoef(mouth_gap, jaw)[0, 1] > 0.8


def test_render_range_to_mp4_and_sequence_with_cache(project, tmp_path, capsys):
    out = tmp_path / "r.mp4"
    assert main(["render", str(project), "-o", str(out), "--frames", "10-14", "--size", "128"]) == 0
    info = probe(out)
    assert (info.n_frames, info.width, info.audio_codec) == (5, 128, "aac")
    capsys.readouterr()
    assert main(["render", str(project), "-o", str(tmp_path / "seq"), "--frames", "10-14", "--size", "128"]) == 0
    assert "5 from cache" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "seq").iterdir()) == [f"t1.{f:06d}.png" for f in range(10, 15)]


def test_error_paths_print_one_line_and_exit_2(project, tmp_path, capsys):
    _one_line_error(capsys, 2, ["render", str(tmp_path / "missing.tfs"), "-o", str(tmp_path / "x.mp4")],
                    "missing.tfs")
    _one_line_error(capsys, 2, ["render", str(project), "-o", str(tmp_path / "x.mp4"), "--frames", "50-10"],
                    "--frames")
    _one_line_error(capsys, 2, ["render", str(project), "-o", str(tmp_path / "x.mp4"), "--frames", "0-99999"],
                    "outside the take")
    (tmp_path / "blocker").write_text("")
    _one_line_error(capsys, 2, ["render", str(project), "-o", str(tmp_path / "blocker" / "x.mp4")],
                    "blocker/x.mp4")
    _one_line_error(capsys, 2, ["export-curves", str(project), "-o", str(tmp_path / "c.txt")], "c.txt")
    _one_line_error(capsys, 2, ["render", str(project), "-o", str(tmp_path / "x.mp4"), "--take", "nope"], "nope")
    bad = tmp_path / "bad.csv"
    bad.write_text("frame,jaw_open\n0,lots\n")
    before = project.read_bytes()
    _one_line_error(capsys, 2, ["import-curves", str(project), str(bad)], "bad.csv: line 2")
    assert project.read_bytes() == before
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize("extra, message", [
    ([], "needs a checkpoint"),
    (["--checkpoint", "missing.safetensors"], "checkpoint not found"),
])
def test_neural_renderer_without_checkpoint_is_refused_before_any_work(project, tmp_path, capsys, extra, message):
    out = tmp_path / "n.mp4"
    assert main(["render", str(project), "-o", str(out), "--renderer", "neural", *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not out.exists()


def test_portrait_expression_is_neutralized_unless_kept(project, tmp_path):
    from talkface_studio.pipeline.take_state import TakeState

    def mouth_gap(path):
        p = load_project(path)
        snap = TakeState(p).snapshot(p.takes[0])
        lm = snap.landmarks(0, 1, 512)[0]
        return float(np.linalg.norm(lm[13, :2] - lm[14, :2]))  # inner lip midpoints

    neutral_gap = mouth_gap(project)  # frame 0 is silence: the mouth rests
    assert main(["generate", str(project), "--keep-portrait-expression"]) == 0
    assert load_project(project).takes[0].generation.options["neutralize_portrait"] is False
    kept_gap = mouth_gap(project)
    # the demo portrait smiles with parted lips: kept, the rest pose shows it; neutralized, lips close
    assert kept_gap > neutral_gap + 4


def test_outputs_into_a_new_folder_create_it(project, tmp_path):
    for out in (tmp_path / "new" / "a" / "shot.mp4", tmp_path / "new" / "b" / "curves.csv",
                tmp_path / "new" / "c" / "lm.npz"):
        command = {".mp4": ["render", str(project), "-o", str(out), "--frames", "0-1", "--size", "64"],
                   ".csv": ["export-curves", str(project), "-o", str(out)],
                   ".npz": ["export-landmarks", str(project), "-o", str(out)]}[out.suffix]
        assert main(command) == 0 and out.is_file(), out
