"""Film and game deliverables end to end through the command line, on the demo recording stamped
with a BWF time of day (01:00:00:00): Live Link Face CSV and USD out, an iPhone-style capture in,
OTIO out and back in, and every bad input refused in one line with the project untouched.

The take is generated once per module without a portrait fit (curves need none): a few seconds."""

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from talkface_studio.audio.bwf import with_bext
from talkface_studio.cli.main import main
from talkface_studio.core.project_file import load_project, save_project
from talkface_studio.perform.arkit.names import LIVE_LINK_VALUES
from talkface_studio.pipeline.export.livelink import livelink_timecode, parse_livelink_timecode

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
HOUR = 3600.0
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from talkface_studio.pipeline.take_state import TakeState, load_take

    folder = tmp_path_factory.mktemp("deliver")
    with_bext(DEMO / "line.wav", folder / "line.wav", int(HOUR * 22050))  # the demo line is 22.05 kHz
    shutil.copy(DEMO / "portrait.png", folder / "portrait.png")
    tfs = folder / "scene.tfs"
    assert main(["new", str(tfs), "--audio", str(folder / "line.wav"), "--portrait", str(folder / "portrait.png"),
                 "--fps", "25", "--emotion", "sad:1@1.2-3.3", "--emotion", "happy:2@5.4-7.9", "--take", "t1"]) == 0
    project, take = load_take(tfs)
    TakeState(project).generate(take)
    save_project(project, backup=False)
    return tfs


@pytest.fixture
def project(generated, tmp_path):
    return save_project(load_project(generated), tmp_path / "scene.tfs", backup=False)


def _rows(path):
    return list(csv.reader(Path(path).read_text().splitlines()))


def _refused(capsys, argv, needle, unchanged):
    before = Path(unchanged).read_bytes()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and "Traceback" not in err[0], err
    assert Path(unchanged).read_bytes() == before


def test_live_link_export_layout_clock_and_content(project, tmp_path):
    out = tmp_path / "take.csv"
    assert main(["export-curves", str(project), "-o", str(out), "--format", "livelink"]) == 0
    rows = _rows(out)
    take = load_project(project).take("t1")
    assert rows[0][:2] == ["Timecode", "BlendShapeCount"] and rows[0][2:] == list(LIVE_LINK_VALUES)
    assert len(rows) == take.n_frames + 1 and all(len(r) == 63 and r[1] == "61" for r in rows[1:])
    assert rows[1][0] == "01:00:00:00.000" and rows[2][0] == "01:00:00:02.400"  # the recording's clock
    assert rows[-1][0] == livelink_timecode(HOUR + (take.n_frames - 1) / 25)
    values = np.array([r[2:] for r in rows[1:]], float)
    assert values[:, :52].min() >= 0 and values[:, :52].max() <= 1
    jaw = values[:, LIVE_LINK_VALUES.index("JawOpen")]
    assert np.corrcoef(jaw, take.final_channels()["jaw_open"])[0, 1] > 0.9
    smile = values[:, LIVE_LINK_VALUES.index("MouthSmileLeft")]
    assert smile[150:190].mean() > smile[:20].mean() + 0.2  # the painted happy smiles
    head = -np.degrees(values[:, LIVE_LINK_VALUES.index("HeadYaw")])
    assert np.allclose(head, take.final_channels()["head_yaw"], atol=1e-5)


def test_export_import_round_trip_keeps_head_and_gaze(project, tmp_path, capsys):
    out = tmp_path / "take.csv"
    assert main(["export-curves", str(project), "-o", str(out), "--format", "livelink"]) == 0
    original = load_project(project).take("t1").final_channels()
    copy = save_project(load_project(project), tmp_path / "copy.tfs", backup=False)
    assert main(["import-curves", str(copy), str(out)]) == 0  # recognised as Live Link by its header
    assert "placed by timecode" in capsys.readouterr().out
    take = load_project(copy).take("t1")
    final = take.final_channels()
    for name in ("head_yaw", "head_pitch", "head_roll", "gaze_yaw", "gaze_pitch"):
        assert np.abs(final[name] - original[name]).max() < 0.01, name
        assert [layer.name for layer in take.channel(name).layers] == ["Live Link take.csv"]
    assert np.abs(final["jaw_open"] - original["jaw_open"]).max() < 0.02
    again = save_project(load_project(project), tmp_path / "gaze.tfs", backup=False)
    assert main(["import-curves", str(again), str(out), "--format", "livelink", "--channels", "gaze"]) == 0
    layered = {n for n, ch in load_project(again).take("t1").channels.items() if ch.layers}
    assert layered == {"gaze_yaw", "gaze_pitch"}


def _iphone_capture(csv_path, out, seed=0):
    """Our export as an iPhone would record it: 60 fps timing with jitter, sensor noise, ten decimals."""
    rows = _rows(csv_path)
    times = np.array([parse_livelink_timecode(r[0]) for r in rows[1:]])
    values = np.array([r[2:] for r in rows[1:]], float)
    rng = np.random.default_rng(seed)
    t60 = np.arange(times[0], times[-1], 1 / 60)
    t60 = np.sort(np.clip(t60 + rng.uniform(-0.0015, 0.0015, len(t60)), times[0], times[-1]))
    noisy = np.stack([np.interp(t60, times, values[:, k]) for k in range(61)], axis=1)
    noisy[:, :52] = np.clip(noisy[:, :52] + rng.normal(0, 0.01, (len(t60), 52)), 0, 1)
    noisy[:, 52:] += rng.normal(0, 0.002, (len(t60), 9))
    lines = [",".join(rows[0])] + [f"{livelink_timecode(t)},61," + ",".join(f"{v:.10f}" for v in row)
                                   for t, row in zip(t60, noisy)]
    Path(out).write_text("\n".join(lines) + "\n")
    return out


def test_iphone_capture_at_60fps_needs_retime_then_steers_head_and_gaze(project, tmp_path, capsys):
    ours = tmp_path / "take.csv"
    assert main(["export-curves", str(project), "-o", str(ours), "--format", "livelink"]) == 0
    capture = _iphone_capture(ours, tmp_path / "MySlate_3_iPhone.csv")
    _refused(capsys, ["import-curves", str(project), str(capture)], "pass --retime", project)
    original = load_project(project).take("t1").final_channels()
    assert main(["import-curves", str(project), str(capture), "--retime"]) == 0
    assert "resampled by timecode" in capsys.readouterr().out
    final = load_project(project).take("t1").final_channels()
    inner = slice(2, -2)
    # sensor noise is ~0.1 deg; a saccade (a step between two frames) resampled through 60 fps with
    # jittered timing can land up to a couple of degrees off on its one frame
    for name, worst in (("head_yaw", 0.6), ("head_pitch", 0.6), ("gaze_yaw", 2.5), ("gaze_pitch", 2.5)):
        err = np.abs(final[name] - original[name])[inner]
        assert err.max() < worst and err.mean() < 0.2, (name, err.max(), err.mean())


def test_usd_export_matches_the_csv(project, tmp_path):
    pxr = pytest.importorskip("pxr")
    from pxr import Usd, UsdSkel

    assert main(["export-curves", str(project), "-o", str(tmp_path / "take.csv"), "--format", "livelink"]) == 0
    assert main(["export-curves", str(project), "-o", str(tmp_path / "take.usdc")]) == 0
    rows = _rows(tmp_path / "take.csv")
    stage = Usd.Stage.Open(str(tmp_path / "take.usdc"))
    assert stage.GetTimeCodesPerSecond() == 25 and stage.GetEndTimeCode() == len(rows) - 2
    root = stage.GetDefaultPrim()
    assert root.GetCustomData()["talkface"]["start_timecode"] == "01:00:00:00" and pxr is not None
    anim = UsdSkel.Animation(stage.GetPrimAtPath(root.GetPath().AppendChild("Animation")))
    for frame in (0, 60, 170):
        got = np.array(anim.GetBlendShapeWeightsAttr().Get(frame))
        assert np.allclose(got, np.array(rows[frame + 1][2:54], float), atol=1e-6)


def test_editorial_round_trip_markers_to_emotion_lane(project, tmp_path, capsys):
    otio = pytest.importorskip("opentimelineio")
    render = tmp_path / "t1.mov"
    render.write_bytes(b"")
    edit = tmp_path / "edit.otio"
    assert main(["export-editorial", str(project), "-o", str(edit), "--media", str(render)]) == 0
    timeline = otio.adapters.read_from_file(str(edit))
    clip = timeline.find_clips()[0]
    assert clip.source_range.start_time.value == 90000 and clip.source_range.start_time.rate == 25
    assert [m.name for m in clip.markers] == ["sad 1", "happy 2"]
    assert clip.media_reference.target_url == render.absolute().as_uri()
    segments = [(s.start, s.end, s.emotion, s.level) for s in load_project(project).take("t1").emotion_track.segments]
    # the edit changes a note; the lane follows
    clip.markers[1].name = "surprised 3"
    clip.markers[1].metadata["talkface"] = {}
    otio.adapters.write_to_file(timeline, str(edit))
    assert main(["import-editorial", str(project), str(edit), "--replace"]) == 0
    assert "painted 2 emotion segment(s)" in capsys.readouterr().out
    now = [(s.start, s.end, s.emotion, s.level) for s in load_project(project).take("t1").emotion_track.segments]
    assert now == [segments[0], (segments[1][0], segments[1][1], "surprised", 3)]


def test_audio_only_otio_and_edl_with_the_render(project, tmp_path):
    pytest.importorskip("otio_cmx3600_adapter")
    assert main(["export-editorial", str(project), "-o", str(tmp_path / "a.otio"), "--relative-media"]) == 0
    assert '"target_url": "line.wav"' not in (tmp_path / "a.otio").read_text()  # relative to the .otio's folder
    render = tmp_path / "t1.mov"
    render.write_bytes(b"")
    assert main(["export-editorial", str(project), "-o", str(tmp_path / "e.edl"), "--media", f"t1={render}"]) == 0
    assert "* LOC: 01:00:05:10 YELLOW  HAPPY 2" in (tmp_path / "e.edl").read_text()


def test_bad_input_is_one_line_and_nothing_is_written(project, tmp_path, capsys):
    otio = pytest.importorskip("opentimelineio")
    good = Path(__file__).parent / "data" / "livelink" / "MySlate_7_iPhone.csv"
    lines = good.read_text().splitlines()
    header = lines[0].split(",")
    keep = [i for i, h in enumerate(header) if h not in ("MouthClose", "TongueOut")]
    (tmp_path / "missing.csv").write_text("\n".join(",".join(r.split(",")[i] for i in keep) for r in lines))
    _refused(capsys, ["import-curves", str(project), str(tmp_path / "missing.csv"), "--format", "livelink"],
             "missing column(s) MouthClose, TongueOut", project)
    (tmp_path / "text.csv").write_text("\n".join([lines[0], lines[1].replace(",61,0.0731000000", ",61,blink")]))
    _refused(capsys, ["import-curves", str(project), str(tmp_path / "text.csv")],
             "line 2, EyeBlinkLeft: not a number: 'blink'", project)
    _refused(capsys, ["import-curves", str(project), str(good)], "at 60.06 fps but take 't1' is at 25 fps", project)
    _refused(capsys, ["import-curves", str(project), str(good), "--retime", "--channels", "face"],
             "unknown channel group(s) face", project)
    _refused(capsys, ["export-curves", str(project), "-o", str(tmp_path / "x.json"), "--format", "livelink"],
             "a Live Link Face file is a .csv", project)
    _refused(capsys, ["export-curves", str(project), "-o", str(tmp_path / "x.csv"), "--format", "usd"],
             "USD is written as .usda, .usdc, .usd", project)
    _refused(capsys, ["export-curves", str(project), "-o", str(tmp_path / "x.usda"), "--format", "channels"],
             ".usda is USD", project)
    assert not any(tmp_path.glob("x.*"))
    timeline = otio.schema.Timeline(tracks=[otio.schema.Track(children=[otio.schema.Clip(
        name="t1", source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 25),
                                                       otio.opentime.RationalTime(50, 25)))])])
    otio.adapters.write_to_file(timeline, str(tmp_path / "bare.otio"))
    _refused(capsys, ["import-editorial", str(project), str(tmp_path / "bare.otio")],
             "no markers on clip 't1'", project)
    clip = timeline.tracks[0][0]
    clip.name = "t7"
    clip.markers.append(otio.schema.Marker(name="elated 2", marked_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(5, 25))))
    clip.metadata["talkface"] = {"take": "t7"}
    otio.adapters.write_to_file(timeline, str(tmp_path / "other.otio"))
    _refused(capsys, ["import-editorial", str(project), str(tmp_path / "other.otio")],
             "no clip for take 't1' in the timeline (clips: t7)", project)
    clip.name = "t1"
    clip.metadata["talkface"] = {"take": "t1"}
    otio.adapters.write_to_file(timeline, str(tmp_path / "unknown.otio"))
    _refused(capsys, ["import-editorial", str(project), str(tmp_path / "unknown.otio")],
             "unknown emotion 'elated'", project)
    _refused(capsys, ["export-editorial", str(project), "-o", str(tmp_path / "e.edl")],
             "an EDL lists video events", project)
    assert not (tmp_path / "e.edl").exists()


def test_a_take_never_generated_exports_what_a_render_would_show(generated, tmp_path, capsys):
    folder = Path(generated).parent
    fresh = tmp_path / "fresh.tfs"
    assert main(["new", str(fresh), "--audio", str(folder / "line.wav"), "--portrait",
                 str(folder / "portrait.png"), "--fps", "25"]) == 0
    before = fresh.read_bytes()
    capsys.readouterr()
    assert main(["export-curves", str(fresh), "-o", str(tmp_path / "f.csv"), "--format", "livelink"]) == 0
    assert "was never generated: performed in memory for this export" in capsys.readouterr().err
    values = np.array([r[2:] for r in _rows(tmp_path / "f.csv")[1:]], float)
    assert values[:, LIVE_LINK_VALUES.index("JawOpen")].max() > 0.3  # the lip sync, not a still face
    assert fresh.read_bytes() == before  # exporting never edits the project
