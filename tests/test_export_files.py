import json
import os

import numpy as np
import pytest

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate
from talkface_studio.pipeline.export.atomic import ExportError, atomic_file
from talkface_studio.pipeline.export.chan import chan_rows, translation_from_landmarks, write_chan
from talkface_studio.pipeline.export.curves import read_curves, write_curves
from talkface_studio.pipeline.export.landmarks import write_landmarks_npz


def _rot(axis, deg):
    t = np.radians(deg)
    c, s = np.cos(t), np.sin(t)
    i, j = {"x": (1, 2), "y": (2, 0), "z": (0, 1)}[axis]
    m = np.eye(3)
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def test_chan_lines_and_axis_mapping(tmp_path):
    from talkface_studio.face.geometry import rotation_from_angles

    ch = {"head_yaw": np.array([0.0, 12.5]), "head_pitch": np.array([0.0, 7.0]), "head_roll": np.array([0.0, -3.0])}
    path = write_chan(tmp_path / "head.chan", [1001, 1002], ch)
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    values = [float(v) for v in lines[1].split()]
    assert values[0] == 1002 and values[1:4] == [0, 0, 0]
    rx, ry, rz = values[4:]
    # Nuke/Maya: Y up, camera on +Z. Our rotation in MediaPipe axes (y down, z away) must equal the
    # .chan rotation applied in YXZ order once the axes are flipped.
    flip = np.diag([1.0, -1.0, -1.0])
    ours = flip @ rotation_from_angles(12.5, 7.0, -3.0) @ flip
    theirs = _rot("z", rz) @ _rot("x", rx) @ _rot("y", ry)
    assert np.allclose(ours, theirs, atol=1e-5)


def test_chan_translation_follows_the_head():
    lm = np.zeros((2, 478, 3), np.float32)
    lm[:, :, 0] = np.linspace(100, 300, 478)  # face 200 px wide
    lm[1, :, 0] += 50  # moves right by a quarter face width
    lm[1, :, 1] -= 20  # and up
    t = translation_from_landmarks(lm)
    assert np.allclose(t[1], [0.25, 0.1, 0.0])
    rows = chan_rows([0, 1], {"head_yaw": [0, 0], "head_pitch": [0, 0], "head_roll": [0, 0]}, t)
    assert np.allclose(rows[1, 1:4], [0.25, 0.1, 0.0])


def test_npz_contents(tmp_path):
    lm = np.random.default_rng(0).random((5, 478, 3)) * 512
    path = write_landmarks_npz(tmp_path / "lm.npz", lm, range(10, 15), FrameRate(24000, 1001), (512, 512))
    with np.load(path, allow_pickle=False) as data:
        assert data["landmarks"].dtype == np.float32 and data["landmarks"].shape == (5, 478, 3)
        assert np.allclose(data["landmarks"], lm, atol=1e-3)
        assert float(data["fps"]) == pytest.approx(23.976, abs=1e-3)
        assert data["fps_rational"].tolist() == [24000, 1001]
        assert data["frames"].tolist() == [10, 11, 12, 13, 14]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_curves_round_trip(tmp_path, suffix):
    ch = {"jaw_open": np.array([0.0, 0.25, 0.5]), "head_yaw": np.array([-3.5, 0.0, 12.125])}
    path = write_curves(tmp_path / f"c{suffix}", [100, 101, 102], ch, FrameRate(25))
    table = read_curves(path, known={"jaw_open", "head_yaw"})
    assert table.frames.tolist() == [100, 101, 102]
    assert set(table.channels) == {"jaw_open", "head_yaw"}
    assert np.allclose(table.channels["head_yaw"], ch["head_yaw"])
    if suffix == ".csv":
        lines = path.read_text().splitlines()
        assert lines[0] == "frame,time,jaw_open,head_yaw"
        assert lines[2].startswith("101,4.040000,0.25,")
    else:
        assert json.loads(path.read_text())["fps"] == [25, 1]


def test_csv_blank_cells_are_gaps_and_errors_name_the_line(tmp_path):
    good = tmp_path / "g.csv"
    good.write_text("frame,jaw_open\n0,0.5\n1,\n2,1\n")
    assert np.isnan(read_curves(good).channels["jaw_open"][1])
    bad = tmp_path / "b.csv"
    bad.write_text("frame,time,jaw_open\n0,0,0.1\n1,0.04,wide\n")
    with pytest.raises(ValidationError, match=r"b.csv: line 3, jaw_open: not a number"):
        read_curves(bad)
    with pytest.raises(ValidationError, match="unknown channel"):
        read_curves(good, known={"blink"})
    with pytest.raises(ValidationError, match="not found"):
        read_curves(tmp_path / "missing.csv")


def test_failed_write_leaves_previous_file(tmp_path):
    target = tmp_path / "curves.csv"
    target.write_text("old")
    with pytest.raises(ZeroDivisionError):
        with atomic_file(target) as temp:
            temp.write_text("half")
            1 / 0
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["curves.csv"]
    (tmp_path / "blocker").write_text("")
    with pytest.raises(ExportError, match="blocker/c.csv"):
        write_curves(tmp_path / "blocker" / "c.csv", [0], {"blink": [0.0]}, FrameRate(25))


def test_output_kind_reads_a_trailing_slash_as_a_folder(tmp_path):
    from talkface_studio.pipeline.render_output import output_kind

    assert output_kind(str(tmp_path / "take1.v2") + "/") == "sequence"  # dotted folder name
    assert output_kind(tmp_path / "plates") == "sequence"
    assert output_kind(tmp_path / "shot.MOV") == "video"
    (tmp_path / "existing.dir").mkdir()
    assert output_kind(tmp_path / "existing.dir") == "sequence"
    with pytest.raises(ValidationError):
        output_kind(tmp_path / "shot.avi")
