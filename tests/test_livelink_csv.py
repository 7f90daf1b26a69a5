"""Live Link Face CSV: the exact layout, the 60 fps clock at every take rate, strict reading of
captures, and their placement and retiming onto a take (no project or audio needed here)."""

import csv
from pathlib import Path

import numpy as np
import pytest

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import STANDARD_RATES, FrameRate
from talkface_studio.perform.arkit.names import LIVE_LINK_VALUES
from talkface_studio.perform.arkit.solver import RigCurves
from talkface_studio.pipeline.export.livelink import livelink_timecode, parse_livelink_timecode, write_livelink_csv
from talkface_studio.pipeline.livelink_capture import read_capture
from talkface_studio.pipeline.livelink_import import plan_capture

HAND = Path(__file__).parent / "data" / "livelink" / "MySlate_7_iPhone.csv"
HEADER = ("Timecode,BlendShapeCount,EyeBlinkLeft,EyeLookDownLeft,EyeLookInLeft,EyeLookOutLeft,EyeLookUpLeft,"
          "EyeSquintLeft,EyeWideLeft,EyeBlinkRight,EyeLookDownRight,EyeLookInRight,EyeLookOutRight,EyeLookUpRight,"
          "EyeSquintRight,EyeWideRight,JawForward,JawRight,JawLeft,JawOpen,MouthClose,MouthFunnel,MouthPucker,"
          "MouthRight,MouthLeft,MouthSmileLeft,MouthSmileRight,MouthFrownLeft,MouthFrownRight,MouthDimpleLeft,"
          "MouthDimpleRight,MouthStretchLeft,MouthStretchRight,MouthRollLower,MouthRollUpper,MouthShrugLower,"
          "MouthShrugUpper,MouthPressLeft,MouthPressRight,MouthLowerDownLeft,MouthLowerDownRight,MouthUpperUpLeft,"
          "MouthUpperUpRight,BrowDownLeft,BrowDownRight,BrowInnerUp,BrowOuterUpLeft,BrowOuterUpRight,CheekPuff,"
          "CheekSquintLeft,CheekSquintRight,NoseSneerLeft,NoseSneerRight,TongueOut,HeadYaw,HeadPitch,HeadRoll,"
          "LeftEyeYaw,LeftEyePitch,LeftEyeRoll,RightEyeYaw,RightEyePitch,RightEyeRoll")


def _curves(n, seed=0):
    rng = np.random.default_rng(seed)
    head = np.stack([np.sin(np.arange(n) / 9) * 12, np.cos(np.arange(n) / 7) * 6, np.full(n, 3.0)], axis=1)
    eye = np.stack([np.full(n, 10.0), np.full(n, -5.0), np.zeros(n)], axis=1)
    return RigCurves(rng.random((n, 52)).astype(np.float32), head.astype(np.float32),
                     np.stack([eye, eye], axis=1).astype(np.float32))


def test_header_61_values_and_angles_in_live_link_convention(tmp_path):
    curves = _curves(3)
    path = write_livelink_csv(tmp_path / "take.csv", curves, FrameRate(25), 0, 3600.0)
    rows = list(csv.reader(path.read_text().splitlines()))
    assert ",".join(rows[0]) == HEADER
    assert all(len(r) == 63 and r[1] == "61" for r in rows[1:])
    assert [r[0] for r in rows[1:]] == ["01:00:00:00.000", "01:00:00:02.400", "01:00:00:04.800"]
    v = np.array(rows[1][2:], float)
    assert np.allclose(v[:52], curves.weights[0], atol=1e-9)
    # yaw > 0 (toward the image's right = the performer's left) is negative in Live Link, in radians
    assert v[52] == pytest.approx(-np.radians(curves.head[0, 0]), abs=1e-9)
    assert v[55] == pytest.approx(-np.radians(10.0)) and v[56] == pytest.approx(np.radians(5.0))
    assert v[57] == 0 and v[58] == v[55]


@pytest.mark.parametrize("rate", STANDARD_RATES, ids=str)
def test_clock_timecode_is_exact_at_every_rate_including_ntsc(rate):
    # ten minutes past a drop-frame hour: the column is a clock of 60 frames per second with the
    # fraction of a frame after the dot, as Epic's importer reads it (h*3600+m*60+s+FF.fff/60)
    start = FrameRate(30000, 1001).frame_to_seconds(107892)  # 01:00:00;00 DF
    frames = np.arange(0, int(rate.fps * 600), 7)
    for f in frames:
        t = start + rate.frame_to_seconds(int(f))
        text = livelink_timecode(t)
        assert len(text) == 15 and text[11] == "." and text[2] == text[5] == text[8] == ":"
        assert abs(parse_livelink_timecode(text) - t) <= 0.5 / 60000 + 1e-9
    assert livelink_timecode(start) == "00:59:59:59.784"  # a DF hour label is 3.6 ms before the clock's hour


def test_timecode_parse_refuses_malformed():
    for bad in ("10:00:00", "10:00:00:60.000", "aa:00:00:00.000", "10:61:00:00.000"):
        with pytest.raises(ValueError):
            parse_livelink_timecode(bad)
    assert parse_livelink_timecode("00:00:01:30") == pytest.approx(1.5)  # no fraction is fine too


def test_reads_the_hand_written_capture():
    cap = read_capture(HAND)
    assert cap.values.shape == (6, 61) and cap.rate == pytest.approx(60, rel=2e-3)
    assert cap.times[0] == pytest.approx(10 * 3600 + 22 * 60 + 5 + 12.483 / 60)
    assert cap.weights[3, LIVE_LINK_VALUES.index("JawOpen")] == pytest.approx(0.4521)
    assert cap.rotations[0, 0] == pytest.approx(-0.1)


def _take(fps="30", n=100):
    return Take("t1", None, None, FrameRate.parse(fps), n)


def test_another_rate_is_refused_unless_retimed_then_sampled_by_timecode():
    cap = read_capture(HAND)
    with pytest.raises(ValidationError, match="at 60.06 fps but take .t1. is at 30 fps; pass --retime"):
        plan_capture(cap, _take())
    plan = plan_capture(cap, _take(), retime=True, at=10)
    assert plan.retimed and plan.frames.tolist() == [10, 11, 12]  # 5 sixtieths of a second = 2.5 frames
    t = cap.times[0] + (plan.frames - 10) / 30
    expected = -np.degrees(np.interp(t, cap.times, cap.rotations[:, 0]))
    assert np.allclose(plan.channels["head_yaw"], expected)
    assert plan.channels["gaze_yaw"] == pytest.approx([-np.degrees(0.0501), -np.degrees(0.0502),
                                                       -np.degrees(0.0499)], abs=1e-3)


def test_capture_at_the_takes_rate_lands_sample_per_frame_and_by_timecode(tmp_path):
    rate = FrameRate(24000, 1001)
    start = 3600.0
    path = write_livelink_csv(tmp_path / "c.csv", _curves(240), rate, 0, start)
    cap = read_capture(path)
    take = _take("23.976", 200)
    by_tc = plan_capture(cap, take, take_start_s=start + rate.frame_to_seconds(40))
    assert by_tc.placement == "placed by timecode" and by_tc.frames[0] == 0 and by_tc.frames[-1] == 199
    assert by_tc.dropped == 40  # 40 samples before the take's own start, none after its end
    assert np.allclose(by_tc.channels["head_yaw"], _curves(240).head[40:240, 0], atol=1e-4)
    at_zero = plan_capture(cap, take)
    assert at_zero.placement == "first sample at frame 0" and at_zero.frames.tolist() == list(range(200))


def _bad(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValidationError) as info:
        read_capture(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    return message


def test_bad_files_are_one_line_naming_the_file_and_problem(tmp_path):
    good = HAND.read_text().splitlines()
    header = good[0].split(",")
    dropped = ",".join(h for h in header if h != "HeadRoll")
    rows = [",".join(c for i, c in enumerate(r.split(",")) if header[i] != "HeadRoll") for r in good[1:]]
    assert "missing column(s) HeadRoll" in _bad(tmp_path, "\n".join([dropped, *rows]))
    assert "line 3, JawOpen: not a number: 'n/a'" in _bad(
        tmp_path, "\n".join([good[0], good[1], good[2].replace(",0.1490000000,", ",n/a,"), *good[3:]]))
    assert "line 2, JawOpen: value must be finite" in _bad(
        tmp_path, "\n".join([good[0], good[1].replace(",0.0512000000,", ",nan,")]))
    assert "header must start with Timecode,BlendShapeCount" in _bad(tmp_path, "frame,time,jaw_open\n0,0,0.1\n")
    assert "earlier than the line before" in _bad(tmp_path, "\n".join([good[0], good[2], good[1]]))
    broken_tc = "0" + good[1][2:].replace(":", ";", 1)
    assert "line 2: not a Live Link timecode" in _bad(tmp_path, "\n".join([good[0], broken_tc]))
    assert "line 2: 62 cells" in _bad(tmp_path, "\n".join([good[0], good[1].rsplit(",", 1)[0]]))
    assert "no rows after the header" in _bad(tmp_path, good[0] + "\n")
    assert "the file is empty" in _bad(tmp_path, "")
