"""Project files: round trips, relative media, atomic saves, backups, autosave, upgrades, bad files."""

import copy
import errno
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talkface_studio.core import commands as C
from talkface_studio.core import project_file as pf
from talkface_studio.core.errors import ProjectFileError
from talkface_studio.core.project import Project
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate

GOLDEN = Path(__file__).parent / "golden"


def edited_project(folder: Path) -> Project:
    media = folder / "media"
    media.mkdir(exist_ok=True)
    take = Take("take1", media / "line.wav", media / "face.png", FrameRate(30000, 1001), 120)
    project = Project([take], {"render_size": 512})
    stack = C.UndoStack(project)
    stack.push(C.PaintEmotion("take1", 10, 50, "happy", 3, transition=4))
    stack.push(C.PaintEmotion("take1", 60, 90, "sad", 1))
    stack.push(C.SetBase("take1", {"head_yaw": np.sin(np.arange(120) / 7) * 12, "blink": np.zeros(120)}))
    stack.push(C.AddKeys("take1", "head_yaw", [(20, 5.0), (30, -2.5, "step"), (40, 1.0, "linear")]))
    stack.push(C.ResetRangeToGenerated("take1", 25, 35))
    stack.push(C.SetGeneration("take1", seed=7, transcript="Hello there", options={"energy": 0.5}))
    project.take("take1").portrait_fit = {"schema": "talkface.portrait_fit", "version": 1, "crop_box": [0, 0, 9, 9]}
    return project


def as_json(project, folder):
    return json.dumps(pf.project_to_json(project, folder), sort_keys=True)


def test_save_load_round_trip_and_media_paths_are_relative(tmp_path):
    project = edited_project(tmp_path)
    path = pf.save_project(project, tmp_path / "scene.tfs")
    raw = json.loads(path.read_text("utf-8"))
    assert raw["schema"] == "talkface.project" and raw["schema_version"] == pf.CURRENT_VERSION
    assert raw["takes"][0]["audio"] == "media/line.wav" and raw["takes"][0]["rate"] == [30000, 1001]
    loaded = pf.load_project(path)
    assert as_json(loaded, tmp_path) == as_json(project, tmp_path)
    for name, values in project.take("take1").final_channels().items():
        assert np.array_equal(loaded.take("take1").final_channels()[name], values)
    # the whole folder moves: media still resolve next to the project
    moved = tmp_path.parent / (tmp_path.name + "_moved")
    shutil.copytree(tmp_path, moved)
    again = pf.load_project(moved / "scene.tfs")
    assert again.take("take1").audio_path == moved / "media" / "line.wav"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 59), st.integers(1, 30), st.sampled_from(["angry", "fear", "neutral"]),
                          st.integers(1, 3)), max_size=6),
       st.lists(st.tuples(st.integers(0, 59), st.floats(-1e6, 1e6, allow_subnormal=False)), max_size=5),
       st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=12))
def test_any_edited_project_round_trips(tmp_path, strokes, keys, name):
    take = Take(name, None, None, FrameRate(25), 60)  # any printable name, non-ASCII included
    project = Project([take])
    stack = C.UndoStack(project)
    for start, length, emotion, level in strokes:
        stack.push(C.PaintEmotion(take.name, start, min(60, start + length), emotion, level))
    if keys:
        stack.push(C.AddKeys(take.name, "gaze_pitch", list(dict(keys).items())))
    path = pf.save_project(project, tmp_path / "p.tfs")
    assert as_json(pf.load_project(path), tmp_path) == as_json(project, tmp_path)


def test_second_save_keeps_a_backup_and_loading_never_writes(tmp_path):
    project = edited_project(tmp_path)
    path = pf.save_project(project, tmp_path / "scene.tfs")
    first = path.read_bytes()
    C.UndoStack(project).push(C.PaintEmotion("take1", 0, 5, "fear"))
    pf.save_project(project)
    assert pf.backup_path(path).read_bytes() == first and path.read_bytes() != first
    stat = path.stat()
    pf.load_project(path)
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media", "scene.tfs", "scene.tfs.bak"]


def test_failed_save_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    project = edited_project(tmp_path)
    path = pf.save_project(project, tmp_path / "scene.tfs")
    before = path.read_bytes()
    C.UndoStack(project).push(C.PaintEmotion("take1", 0, 5, "fear"))

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pf.os, "fsync", disk_full)
    with pytest.raises(ProjectFileError, match="No space left on device.*unchanged") as info:
        pf.save_project(project)
    assert str(path) in str(info.value)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media", "scene.tfs"]


def test_unwritable_folder_is_a_clear_error(tmp_path, monkeypatch):
    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(ProjectFileError, match="could not save.*Permission denied"):
        pf.save_project(edited_project(tmp_path), tmp_path / "scene.tfs")
    assert not (tmp_path / "scene.tfs").exists()


def test_autosave_is_offered_only_while_newer(tmp_path):
    project = edited_project(tmp_path)
    path = pf.save_project(project, tmp_path / "scene.tfs")
    assert pf.find_recovery(path) is None
    C.UndoStack(project).push(C.PaintEmotion("take1", 0, 5, "angry"))
    auto = pf.autosave(project)
    os.utime(auto, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    assert pf.find_recovery(path) == auto
    recovered = pf.load_project(auto, as_path=path)
    assert recovered.path == path and recovered.take("take1").emotion_track.segment_at(2).emotion == "angry"
    assert recovered.take("take1").audio_path == tmp_path / "media" / "line.wav"
    pf.save_project(recovered)
    assert not auto.exists() and pf.find_recovery(path) is None


def test_golden_version_0_file_upgrades(tmp_path):
    golden = GOLDEN / "project_v0.tfs"
    before = golden.read_bytes()
    project = pf.load_project(golden)
    assert golden.read_bytes() == before
    t1, t2 = project.takes
    assert t1.rate == FrameRate(24) and t1.n_frames == 12 and t1.generation.seed == 7
    assert [(s.start, s.end, s.emotion, s.level) for s in t1.emotion_track.segments] == [
        (3, 6, "happy", 2), (6, 12, "sad", 3)]
    assert t1.emotion_track.default_transition == 6  # 0.25 s at 24 fps
    assert t1.audio_path == GOLDEN / "media" / "line.wav"
    assert np.allclose(t1.channel("blink").base, [0, 0, 0, .5, 1, .5, 0, 0, 0, 0, 0, 0])
    yaw = t1.final_channels()["head_yaw"]
    assert yaw[2] == -5 and yaw[3] == pytest.approx(-3) and yaw[4] == -1 and yaw[6] == 6
    assert t2.rate == FrameRate(30000, 1001) and str(t2.audio_path) == "/absolute/elsewhere/line2.wav"
    # and it saves as the current version
    out = pf.save_project(project, tmp_path / "up.tfs")
    assert json.loads(out.read_text())["schema_version"] == pf.CURRENT_VERSION


def _valid_doc(tmp_path):
    return pf.project_to_json(edited_project(tmp_path), tmp_path)


def _mutate(fn):
    def make(doc):
        doc = copy.deepcopy(doc)
        fn(doc)
        return json.dumps(doc).encode()
    return make


def _seg(doc, i=0):
    return doc["takes"][0]["emotion_track"]["segments"][i]


BAD_FILES = {
    "truncated": (lambda d: json.dumps(d).encode()[:200], "ends early"),
    "not_json": (lambda d: b"this is not json at all", "not valid JSON at line 1"),
    "binary_junk": (lambda d: bytes(range(256)) * 4, "not UTF-8"),
    "empty": (lambda d: b"", "the file is empty"),
    "top_level_list": (lambda d: b"[1, 2]", "top level is a list"),
    "other_json": (lambda d: b'{"name": "a package.json"}', "not a TalkFace Studio project"),
    "huge_version": (_mutate(lambda d: d.update(schema_version=7)),
                     "written by a newer TalkFace Studio (schema 7); this version reads up to 2"),
    "version_as_text": (_mutate(lambda d: d.update(schema_version="1")), "schema_version: must be an integer"),
    "level_5": (_mutate(lambda d: _seg(d, 1).update(level=5)),
                "takes[0].emotion_track.segments[1].level: must be 1-3, got 5"),
    "negative_frame": (_mutate(lambda d: _seg(d).update(start=-4)),
                       "takes[0].emotion_track.segments[0].start: must be >= 0, got -4"),
    "start_as_float": (_mutate(lambda d: _seg(d).update(start=1.5)), "segments[0].start: must be an integer"),
    "overlapping_segments": (_mutate(lambda d: _seg(d, 1).update(start=40)), "segments[1]: overlaps"),
    "unknown_emotion": (_mutate(lambda d: _seg(d).update(emotion="glee")), "segments[0].emotion: must be one of"),
    "missing_takes": (_mutate(lambda d: d.pop("takes")), "takes: missing"),
    "takes_not_list": (_mutate(lambda d: d.update(takes={"a": 1})), "takes: must be a list, got an object"),
    "bad_rate": (_mutate(lambda d: d["takes"][0].update(rate=[23, 1])), "takes[0].rate: unsupported frame rate"),
    "base_wrong_length": (_mutate(lambda d: d["takes"][0]["channels"]["head_yaw"]["base"].update(length=5)),
                          "channels.head_yaw.base.length: has 5 frames but the take has 120"),
    "base_bad_base64": (_mutate(lambda d: d["takes"][0]["channels"]["head_yaw"]["base"].update(data="@@@")),
                        "head_yaw.base.data: is not valid base64"),
    "unknown_channel": (_mutate(lambda d: d["takes"][0]["channels"].update(ear_wiggle={})), "channels.ear_wiggle"),
    "key_nan": (_mutate(lambda d: d["takes"][0]["channels"]["head_yaw"]["layers"][0]["keys"][0].__setitem__(1, None)),
                "layers[0].keys[0][1]: must be a number, got null"),
    "duplicate_take": (_mutate(lambda d: d["takes"].append(d["takes"][0])), "takes[1].name: take name 'take1' is used twice"),
    "layer_mode": (_mutate(lambda d: d["takes"][0]["channels"]["head_yaw"]["layers"][0].update(mode="multiply")),
                   "layers[0].mode: must be one of override, additive, reset"),
    "newer_nested": (_mutate(lambda d: d["takes"][0]["emotion_track"].update(version=3)), "emotion_track.version"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_with_a_clear_message_and_left_unchanged(tmp_path, case):
    make, expected = BAD_FILES[case]
    path = tmp_path / f"{case}.tfs"
    path.write_bytes(make(_valid_doc(tmp_path)))
    before = path.read_bytes()
    with pytest.raises(ProjectFileError) as info:
        pf.load_project(path)
    message = str(info.value)
    assert expected in message and message.startswith(str(path)) and "\n" not in message
    assert path.read_bytes() == before


def test_a_valid_file_with_key_order_shuffled_still_loads(tmp_path):
    doc = _valid_doc(tmp_path)
    path = tmp_path / "shuffled.tfs"
    path.write_text(json.dumps(dict(reversed(list(doc.items())))), "utf-8")
    assert pf.load_project(path).take("take1").emotion_track.segments[0].level == 3


def test_numpy_numbers_from_other_rooms_save_as_plain_json(tmp_path):
    take = Take("t", None, None, FrameRate(24), np.int64(40))
    take.emotion_track.paint(np.int64(2), np.int64(9), "happy", np.int64(3), np.int64(2))
    project = Project([take])
    C.UndoStack(project).push(C.AddLayer("t", "blink", keys=[(np.int64(4), np.float32(0.5))], blend_in=np.int64(2)))
    path = pf.save_project(project, tmp_path / "n.tfs")
    assert pf.load_project(path).take("t").emotion_track.segments[0].level == 3


def test_unsavable_values_are_a_clear_error_and_write_nothing(tmp_path):
    project = Project([Take("t", None, None, FrameRate(24), 10, portrait_fit={"box": float("nan")})])
    with pytest.raises(ProjectFileError, match="could not save"):
        pf.save_project(project, tmp_path / "x.tfs")
    assert list(tmp_path.iterdir()) == []


def test_golden_version_1_file_still_reads(tmp_path):
    """Written by 0.1.0: later versions must keep reading it (add an upgrade, never edit this file)."""
    golden = GOLDEN / "project_v1.tfs"
    take = pf.load_project(golden).take("take1")
    assert take.rate == FrameRate(30000, 1001) and take.n_frames == 120
    assert take.audio_path == GOLDEN / "media" / "line.wav"
    assert [(s.start, s.end, s.emotion, s.level, s.transition) for s in take.emotion_track.segments] == [
        (10, 50, "happy", 3, 4), (60, 90, "sad", 1, None)]
    assert (take.generation.seed, take.generation.transcript) == (7, "Hello there")
    t = np.arange(120)
    assert np.allclose(take.channel("head_yaw").base, np.sin(t / 7) * 12, atol=1e-5)
    yaw = take.final_channels()["head_yaw"]
    assert np.allclose(yaw[25:35], np.sin(t[25:35] / 7) * 12, atol=1e-5)  # the reset range
    assert yaw[40] == pytest.approx(1.0)  # the last key
    assert yaw[60] == pytest.approx(np.sin(60 / 7) * 12, abs=1e-5)  # past its blend-out: the base
    assert [x.mode for x in take.channel("head_yaw").layers] == ["override", "reset"]
