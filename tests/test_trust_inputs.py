"""The hostile-input corpus (issue 11, items 4 and 6): every file the program reads, damaged or
hostile, through the command line in-process. Each case asserts exit 2, one line naming the file,
no traceback, every file unchanged and nothing left that looks finished. Generated cases (hypothesis)
check that no mutation of a real project or curve file gets past the readers as anything but a
one-line error."""

from __future__ import annotations

import base64
import copy
import json
import os
import shutil
import signal
import socket
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from talkface_studio.core import project_file as pf
from talkface_studio.core.errors import ProjectFileError, TalkFaceError, ValidationError

from trust_helpers import DEMO, assert_nothing_half_done, assert_refused, make_project, run_cli, tree_state, write_tone


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    os.environ.setdefault("TALKFACE_CACHE_DIR", str(folder / "cache"))
    path = make_project(folder / "p")
    project = pf.load_project(path)
    from talkface_studio.core import commands as C

    stack = C.UndoStack(project)
    stack.push(C.PaintEmotion("take1", 2, 12, "happy", 3))
    stack.push(C.AddLayer("take1", "head_yaw", keys=[(1, 5.0), (20, -3.0)]))
    pf.save_project(project)
    return folder / "p"


@pytest.fixture
def work(base, tmp_path, monkeypatch):
    folder = tmp_path / "p"
    shutil.copytree(base, folder, symlinks=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("TALKFACE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TALKFACE_LOG_DIR", str(tmp_path / "logs"))
    return folder


@pytest.fixture(autouse=True)
def watchdog():
    """A hostile file must never hang the program: fail the case after 60 s instead."""
    def hung(*_):
        raise AssertionError("hung (a FIFO or endless file was read?)")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _doc(folder: Path) -> dict:
    return json.loads((folder / "scene.tfs").read_text())


def _take(d):
    return d["takes"][0]


def _seg(d):
    return _take(d)["emotion_track"]["segments"][0]


def _layer(d):
    return _take(d)["channels"]["head_yaw"]["layers"][0]


def _fit(d):
    return _take(d)["portrait_fit"]


def _set(getter, key, value):
    def mutate(d):
        getter(d)[key] = value
    return mutate


# -- project files: (case, mutation of the JSON document or raw text, words the message has) ------------------
PROJECT_CASES = [
    ("n_frames-1e12", _set(_take, "n_frames", 10**12), "n_frames"),
    ("n_frames-negative", _set(_take, "n_frames", -1), "n_frames"),
    ("n_frames-float", _set(_take, "n_frames", 25.5), "n_frames"),
    ("n_frames-string", _set(_take, "n_frames", "25"), "n_frames"),
    ("n_frames-bool", _set(_take, "n_frames", True), "n_frames"),
    ("seed-negative", _set(lambda d: _take(d)["generation"], "seed", -1), "seed"),
    ("seed-huge", _set(lambda d: _take(d)["generation"], "seed", 10**30), "seed"),
    ("seed-float", _set(lambda d: _take(d)["generation"], "seed", 1.5), "seed"),
    ("seed-string", _set(lambda d: _take(d)["generation"], "seed", "7"), "seed"),
    ("backend-list", _set(lambda d: _take(d)["generation"], "backend", ["x"]), "backend"),
    ("transcript-number", _set(lambda d: _take(d)["generation"], "transcript", 5), "transcript"),
    ("transcript-huge", _set(lambda d: _take(d)["generation"], "transcript", "a" * 1_000_001), "transcript"),
    ("options-list", _set(lambda d: _take(d)["generation"], "options", [1]), "options"),
    ("options-huge-number", _set(lambda d: _take(d)["generation"], "options", {"lip_amount": 1e300}), "lip_amount"),
    ("options-deep", _set(lambda d: _take(d)["generation"], "options", json.loads('{"a":' * 40 + "1" + "}" * 40)),
     "nested"),
    ("settings-deep", lambda d: d.update(settings=json.loads("[" * 30 + "]" * 30)), "settings"),
    ("crop-box-1e7", _set(_fit, "crop_box", [-10**7, -10**7, 10**7, 10**7]), "crop_box"),
    ("crop-box-not-square", _set(_fit, "crop_box", [0, 0, 100, 50]), "crop_box"),
    ("crop-box-inverted", _set(_fit, "crop_box", [100, 100, 0, 0]), "crop_box"),
    ("crop-box-three", _set(_fit, "crop_box", [0, 0, 100]), "crop_box"),
    ("crop-box-floats", _set(_fit, "crop_box", [0.5, 0, 100, 100]), "crop_box"),
    ("fit-size-huge", _set(_fit, "size", 10**6), "size"),
    ("fit-faces-zero", _set(_fit, "faces_found", 0), "faces_found"),
    ("fit-face-number-text", _set(_fit, "face_number", "2"), "face_number"),
    ("fit-landmarks-short", _set(_fit, "landmarks", [[0, 0, 0]] * 10), "landmarks"),
    ("fit-landmarks-huge", lambda d: _fit(d)["landmarks"][0].__setitem__(0, 1e300), "landmarks[0][0]"),
    ("fit-landmarks-text", lambda d: _fit(d)["landmarks"][5].__setitem__(2, "x"), "landmarks[5][2]"),
    ("fit-version-9", _set(_fit, "version", 9), "portrait_fit.version"),
    ("fit-not-object", _set(_take, "portrait_fit", [1, 2]), "portrait_fit"),
    ("fit-wrong-schema", _set(_fit, "schema", "x"), "portrait_fit"),
    ("audio-nul", _set(_take, "audio", "a\x00b.wav"), "audio"),
    ("audio-number", _set(_take, "audio", 12), "audio"),
    ("audio-huge-name", _set(_take, "audio", "a" * 5000), "audio"),
    ("portrait-empty-name", _set(_take, "portrait", "  "), "portrait"),
    ("take-name-empty", _set(_take, "name", ""), "name"),
    ("take-name-newline", _set(_take, "name", "a\nb"), "name"),
    ("take-name-number", _set(_take, "name", 1), "name"),
    ("rate-zero", _set(_take, "rate", [0, 1]), "rate"),
    ("rate-huge", _set(_take, "rate", [10**40, 1]), "rate"),
    ("rate-text", _set(_take, "rate", "25"), "rate"),
    ("rate-den-zero", _set(_take, "rate", [25, 0]), "rate"),
    ("segment-end-huge", _set(_seg, "end", 10**12), "end"),
    ("segment-level-0", _set(_seg, "level", 0), "level"),
    ("segment-transition-negative", _set(_seg, "transition", -3), "transition"),
    ("segment-id-number", _set(_seg, "id", 3), "id"),
    ("segment-emotion-neutral", _set(_seg, "emotion", "neutral"), "emotion"),
    ("segments-not-list", _set(lambda d: _take(d)["emotion_track"], "segments", {}), "segments"),
    ("default-transition-huge", _set(lambda d: _take(d)["emotion_track"], "default_transition", 10**9),
     "default_transition"),
    ("next-id-zero", _set(lambda d: _take(d)["emotion_track"], "next_id", 0), "next_id"),
    ("track-version-2", _set(lambda d: _take(d)["emotion_track"], "version", 2), "version"),
    ("take-version-text", _set(_take, "version", "1"), "version"),
    ("take-schema-wrong", _set(_take, "schema", "talkface.shot"), "schema"),
    ("key-value-1e300", lambda d: _layer(d)["keys"][0].__setitem__(1, 1e300), "keys[0][1]"),
    ("key-frame-huge", lambda d: _layer(d)["keys"][0].__setitem__(0, 10**12), "keys[0][0]"),
    ("key-interp-bad", lambda d: _layer(d)["keys"][0].__setitem__(2, "cubic"), "keys[0][2]"),
    ("key-too-short", lambda d: _layer(d)["keys"].__setitem__(0, [1, 2]), "keys[0]"),
    ("key-same-frame", lambda d: _layer(d)["keys"][1].__setitem__(0, _layer(d)["keys"][0][0]), "second key"),
    ("key-id-twice", lambda d: _layer(d)["keys"][1].__setitem__(3, _layer(d)["keys"][0][3]), "used twice"),
    ("layer-blend-huge", _set(_layer, "blend_in", 10**12), "blend_in"),
    ("layer-enabled-text", _set(_layer, "enabled", "yes"), "enabled"),
    ("layer-id-twice", lambda d: _take(d)["channels"]["head_yaw"]["layers"].append(copy.deepcopy(_layer(d))),
     "used twice"),
    ("layers-many", lambda d: _take(d)["channels"]["blink"].__setitem__("layers", [{}] * 1001), "layers"),
    ("base-constant-huge", _set(lambda d: _take(d)["channels"]["blink"], "base",
                                {"encoding": "constant", "value": 1e300, "length": 25}), "value"),
    ("base-nan-samples", _set(lambda d: _take(d)["channels"]["blink"], "base",
                              {"encoding": "f32le-base64", "length": 25,
                               "data": base64.b64encode(np.full(25, np.nan, "<f4").tobytes()).decode()}), "finite"),
    ("base-1e30-samples", _set(lambda d: _take(d)["channels"]["blink"], "base",
                               {"encoding": "f32le-base64", "length": 25,
                                "data": base64.b64encode(np.full(25, 1e30, "<f4").tobytes()).decode()}), "beyond"),
    ("base-encoding-unknown", _set(lambda d: _take(d)["channels"]["blink"], "base",
                                   {"encoding": "pickle", "length": 25}), "encoding"),
    ("channel-not-object", _set(lambda d: _take(d)["channels"], "blink", 5), "blink"),
    ("takes-many", lambda d: d.update(takes=[0] * 10_001), "takes"),
    ("schema-version-huge", lambda d: d.update(schema_version=10**300), "newer"),
    ("schema-version-negative", lambda d: d.update(schema_version=-1), "schema_version"),
    ("schema-version-float", lambda d: d.update(schema_version=1.0), "schema_version"),
    ("schema-wrong", lambda d: d.update(schema="talkface.other"), "schema"),
]

RAW_PROJECT_CASES = [
    ("nan-token", lambda text: text.replace('"n_frames": 25', '"n_frames": NaN'), "NaN"),
    ("infinity-token", lambda text: text.replace('"n_frames": 25', '"n_frames": Infinity'), "Infinity"),
    ("huge-literal", lambda text: text.replace('"n_frames": 25', '"n_frames": 1e999'), "n_frames"),
    ("5000-digit-integer", lambda text: text.replace('"n_frames": 25', '"n_frames": ' + "9" * 5000), "digits"),
    ("deep-nesting", lambda text: "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("truncated", lambda text: text[: len(text) // 2], "ends early"),
    ("utf16", lambda text: text.encode("utf-16").decode("latin-1"), "not"),
    ("nul-bytes", lambda text: "\x00" * 100, "JSON"),
    ("only-whitespace", lambda text: "   \n\t  ", "empty"),
    ("trailing-garbage", lambda text: text + "}}}", "JSON"),
    ("v0-fps-1e308", lambda text: json.dumps({"format": "talkface", "version": 0, "takes": [
        {"name": "t", "fps": 1e308, "frames": 10}]}), "fps"),
    ("v0-blend-huge", lambda text: json.dumps({"format": "talkface", "version": 0, "takes": [
        {"name": "t", "fps": 25, "frames": 10, "blend_seconds": 1e300}]}), "blend_seconds"),
    ("v0-emotion-time-huge", lambda text: json.dumps({"format": "talkface", "version": 0, "takes": [
        {"name": "t", "fps": 25, "frames": 10, "emotions": [{"start": 0, "end": 1e300, "emotion": "sad"}]}]}), "end"),
    ("v0-seed-text", lambda text: json.dumps({"format": "talkface", "version": 0, "takes": [
        {"name": "t", "fps": 25, "frames": 10, "seed": "x"}]}), "seed"),
    ("v0-curve-length", lambda text: json.dumps({"format": "talkface", "version": 0, "takes": [
        {"name": "t", "fps": 25, "frames": 10, "curves": {"blink": [0.5] * 3}}]}), "curves.blink"),
    ("v0-frames-1e12", lambda text: json.dumps({"format": "talkface", "version": 0, "takes": [
        {"name": "t", "fps": 25, "frames": 10**12}]}), "frames"),
    ("v0-version-1", lambda text: json.dumps({"format": "talkface", "version": 1, "takes": []}), "version"),
]


def _write_case(work: Path, name: str, mutate, raw: bool) -> Path:
    path = work / f"{name}.tfs"
    if raw:
        path.write_bytes(mutate((work / "scene.tfs").read_text()).encode("utf-8", "surrogatepass"))
    else:
        doc = _doc(work)
        mutate(doc)
        path.write_text(json.dumps(doc))
    return path


ALL_PROJECT_CASES = [(c, m, w, False) for c, m, w in PROJECT_CASES] + [(c, m, w, True) for c, m, w in RAW_PROJECT_CASES]


@pytest.mark.parametrize("case, mutate, words, raw", ALL_PROJECT_CASES, ids=[c[0] for c in ALL_PROJECT_CASES])
@pytest.mark.parametrize("command", ["info", "export-curves", "render"])
def test_a_damaged_project_is_one_line_naming_it(work, capsys, case, mutate, words, raw, command):
    path = _write_case(work, case, mutate, raw)
    before = tree_state(work)
    argv = {"info": ["info", path.name], "export-curves": ["export-curves", path.name, "-o", "out.csv"],
            "render": ["render", path.name, "-o", "out.mp4", "--size", "64"]}[command]
    line = assert_refused(run_cli(argv, capsys), path.name)
    assert words.lower() in line.lower(), line
    assert tree_state(work) == before
    assert_nothing_half_done(work)


# -- special files wherever a file is read --------------------------------------------------------------------
def _special(work: Path, kind: str, name: str) -> str:
    path = work / name
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "dangling-link":
        path.symlink_to("nowhere-at-all")
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "dev-null":
        path.symlink_to("/dev/null")
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    return name


SPECIAL_KINDS = ["fifo", "folder", "dangling-link", "dev-zero", "dev-null", "socket"]
EXPECTED_WORDS = {"fifo": "named pipe", "folder": "folder", "dangling-link": "does not exist",
                  "dev-zero": "character device", "dev-null": "character device", "socket": "socket"}
READERS = [  # (what is special, argv with X where the special file goes)
    ("project", ["info", "X.tfs"]),
    ("project", ["render", "X.tfs", "-o", "o.mp4"]),
    ("project", ["generate", "X.tfs"]),
    ("project", ["import-curves", "X.tfs", "fix.csv"]),
    ("project", ["export-landmarks", "X.tfs", "-o", "l.npz"]),
    ("project", ["submit", "X.tfs", "--farm", "openjd", "--no-submit"]),
    ("curves", ["import-curves", "scene.tfs", "X.csv"]),
    ("curves", ["import-curves", "scene.tfs", "X.json"]),
    ("audio", ["new", "n.tfs", "--audio", "X.wav", "--portrait", "face.png"]),
    ("portrait", ["new", "n.tfs", "--audio", "line.wav", "--portrait", "X.png"]),
    ("checkpoint", ["generate", "scene.tfs", "--backend", "neural", "--checkpoint", "X.safetensors"]),
    ("config", ["train", "--data", "nowhere", "--out", "o", "--config", "X.json"]),
]


@pytest.mark.parametrize("kind", SPECIAL_KINDS)
@pytest.mark.parametrize("what, argv", READERS, ids=[f"{w}-{a[0]}-{i}" for i, (w, a) in enumerate(READERS)])
def test_special_files_are_refused_by_type_before_reading(work, capsys, kind, what, argv):
    (work / "fix.csv").write_text("frame,head_yaw\n0,1\n")
    special = next(a for a in argv if a.startswith("X."))
    name = _special(work, kind, f"special-{kind}{Path(special).suffix}")
    argv = [name if a == special else a for a in argv]
    before = tree_state(work)
    line = assert_refused(run_cli(argv, capsys), name)
    if kind != "dangling-link" or what != "checkpoint":
        assert EXPECTED_WORDS[kind] in line or (kind == "dangling-link" and "not found" in line), line
    assert "moved or deleted" not in line
    assert tree_state(work) == before


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_special_files_as_the_takes_audio_say_what_they_are(work, capsys, kind):
    """The reported case: /dev/zero or a FIFO as audio was 'missing (moved or deleted?)'."""
    (work / "line.wav").unlink()
    _special(work, kind, "line.wav")
    before = tree_state(work)
    line = assert_refused(run_cli(["render", "scene.tfs", "-o", "o.mp4", "--size", "64"], capsys), "line.wav")
    assert EXPECTED_WORDS[kind] in line and "moved or deleted" not in line
    assert tree_state(work) == before


# -- curve files ---------------------------------------------------------------------------------------------
CSV_CASES = [
    ("empty", "", "empty"),
    ("header-only-blank", "\n\n\n", "empty"),
    ("no-frame-column", "time,head_yaw\n0,1\n", "frame"),
    ("duplicate-column", "frame,head_yaw,head_yaw\n0,1,2\n", "twice"),
    ("unknown-channel", "frame,ear_wiggle\n0,1\n", "ear_wiggle"),
    ("not-a-number", "frame,head_yaw\n0,abc\n", "line 2"),
    ("inf", "frame,head_yaw\n0,inf\n", "line 2"),
    ("nan", "frame,head_yaw\n0,nan\n", "line 2"),
    ("1e400", "frame,head_yaw\n0,1e400\n", "line 2"),
    ("1e7", "frame,head_yaw\n0,1e7\n", "line 2"),
    ("huge-cell", "frame,head_yaw\n0," + "1" * 200_000 + "\n", "line 2"),
    ("many-columns", "frame," + ",".join(f"c{i}" for i in range(400)) + "\n", "columns"),
    ("frame-fraction", "frame,head_yaw\n0.5,1\n", "frame"),
    ("frame-1e300", "frame,head_yaw\n1e300,1\n", "frame"),
    ("frame-text", "frame,head_yaw\nfirst,1\n", "frame"),
    ("frame-empty", "frame,head_yaw\n,1\n", "frame"),
    ("frame-negative", "frame,head_yaw\n-1,1\n", "outside"),
    ("frame-outside", "frame,head_yaw\n99,1\n", "outside"),
    ("frame-twice", "frame,head_yaw\n3,1\n3,2\n", "twice"),
    ("ragged-row", "frame,head_yaw\n0,1,2\n", "line 2"),
    ("short-row", "frame,head_yaw,blink\n0,1\n", "line 2"),
    ("quote-unclosed", 'frame,head_yaw\n0,"1\n', "line"),
    ("binary", "\x00\x01\x02\xff", "not"),
    ("30fps-time-column", "frame,time,head_yaw\n0,0.000000,1\n15,0.500000,2\n24,0.800000,3\n", "30 fps"),
    ("29.97-time-column", "frame,time,head_yaw\n0,0.0,1\n24," + f"{24 * 1001 / 30000:.6f}" + ",3\n", "29.97"),
    ("50fps-time-column", "frame,time,head_yaw\n0,0.00,1\n20,0.40,2\n", "50 fps"),
    ("time-negative", "frame,time,head_yaw\n0,-1,1\n", "time"),
    ("time-text", "frame,time,head_yaw\n0,noon,1\n", "time"),
]
JSON_CASES = [
    ("bad-version-text", {"schema": "talkface-curves", "version": "abc", "frames": [0], "channels": {}}, "version"),
    ("newer-version", {"schema": "talkface-curves", "version": 9, "frames": [0], "channels": {}}, "newer"),
    ("version-float", {"schema": "talkface-curves", "version": 1.5, "frames": [0], "channels": {}}, "version"),
    ("wrong-schema", {"schema": "other", "frames": [0], "channels": {}}, "schema"),
    ("top-level-list", [1, 2, 3], "object"),
    ("frames-object", {"schema": "talkface-curves", "frames": {}, "channels": {}}, "frames"),
    ("frames-floats", {"schema": "talkface-curves", "frames": [0.5], "channels": {}}, "frames[0]"),
    ("frames-huge", {"schema": "talkface-curves", "frames": [10**30], "channels": {}}, "frames[0]"),
    ("channels-list", {"schema": "talkface-curves", "frames": [0], "channels": []}, "channels"),
    ("values-short", {"schema": "talkface-curves", "frames": [0, 1], "channels": {"blink": [0.5]}}, "blink"),
    ("value-text", {"schema": "talkface-curves", "frames": [0], "channels": {"blink": ["x"]}}, "blink[0]"),
    ("value-huge", {"schema": "talkface-curves", "frames": [0], "channels": {"blink": [1e300]}}, "blink[0]"),
    ("value-object", {"schema": "talkface-curves", "frames": [0], "channels": {"blink": [{}]}}, "blink[0]"),
    ("fps-bad", {"schema": "talkface-curves", "fps": [7, 0], "frames": [0], "channels": {"blink": [0.1]}}, "fps"),
    ("fps-other-rate", {"schema": "talkface-curves", "fps": [30, 1], "frames": [0], "channels": {"blink": [0.1]}},
     "30 fps"),
    ("unknown-channel", {"schema": "talkface-curves", "frames": [0], "channels": {"ear": [0.1]}}, "ear"),
]
RAW_JSON_CASES = [
    ("deep", "[" * 100_000 + "]" * 100_000, "nested"),
    ("deep-but-parsable", '{"schema": "talkface-curves", "x": ' + "[" * 50 + "]" * 50 + "}", "nested"),
    ("nan-token", '{"schema": "talkface-curves", "frames": [0], "channels": {"blink": [NaN]}}', "NaN"),
    ("huge-integer", '{"schema": "talkface-curves", "frames": [' + "9" * 6000 + '], "channels": {}}', "digits"),
    ("truncated", '{"schema": "talkface-curves", "frames": [0, 1', "ends early"),
    ("empty", "", "empty"),
]


@pytest.mark.parametrize("case, text, words", CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_hostile_csv_curves(work, capsys, case, text, words):
    curves = work / f"{case}.csv"
    curves.write_bytes(text.encode("utf-8", "surrogateescape") if not case == "binary" else text.encode("latin-1"))
    before = tree_state(work)
    line = assert_refused(run_cli(["import-curves", "scene.tfs", curves.name], capsys), curves.name)
    assert words.lower() in line.lower(), line
    assert tree_state(work) == before


ALL_JSON = [(c, json.dumps(d), w) for c, d, w in JSON_CASES] + RAW_JSON_CASES


@pytest.mark.parametrize("case, text, words", ALL_JSON, ids=[c[0] for c in ALL_JSON])
def test_hostile_json_curves(work, capsys, case, text, words):
    curves = work / f"{case}.json"
    curves.write_text(text)
    before = tree_state(work)
    line = assert_refused(run_cli(["import-curves", "scene.tfs", curves.name], capsys), curves.name)
    assert words.lower() in line.lower(), line
    assert tree_state(work) == before


def test_a_csv_at_the_takes_rate_with_an_offset_time_column_imports(work, capsys):
    """Other tools count time from the first exported frame: an offset is fine, a rate is not."""
    (work / "ok.csv").write_text("frame,time,head_yaw\n10,0.000000,1\n20,0.400000,2\n")
    assert run_cli(["import-curves", "scene.tfs", "ok.csv"], capsys).code == 0


# -- audio and images ------------------------------------------------------------------------------------------
def _bomb_png(path: Path) -> Path:
    """A tiny file that decodes to 30000 x 30000 pixels (Pillow's decompression-bomb limit)."""
    import struct
    import zlib

    width = height = 30_000

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 64)  # only the first rows: the header is what matters
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
           + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    path.write_bytes(png)
    return path


def _sequence(work: Path, n: int = 3) -> Path:
    seq = work / "seq"
    seq.mkdir(exist_ok=True)
    for i in range(n):
        Image.fromarray(np.full((64, 64, 3), 40 * i, np.uint8)).save(seq / f"take1.{i:06d}.png")
    return seq


SEQUENCE_CASES = [
    ("decompression-bomb", lambda p: _bomb_png(p), "too large"),
    ("truncated", lambda p: p.write_bytes(p.read_bytes()[:60]), "truncated"),
    ("not-an-image", lambda p: p.write_text("hello"), "not an image"),
    ("empty", lambda p: p.write_bytes(b""), "not an image"),
    ("too-wide", lambda p: Image.new("RGB", (9000, 2)).save(p), "9000x2"),
    ("other-size", lambda p: Image.new("RGB", (32, 32)).save(p), "32x32"),
    ("fifo", lambda p: (p.unlink(), os.mkfifo(p)), "missing"),
]


@pytest.mark.parametrize("case, damage, words", SEQUENCE_CASES, ids=[c[0] for c in SEQUENCE_CASES])
def test_a_damaged_frame_given_to_encode_names_the_frame(work, capsys, case, damage, words):
    seq = _sequence(work)
    damage(seq / "take1.000001.png")
    before = tree_state(work)
    result = run_cli(["encode", "scene.tfs", "--sequence", "seq", "--frames", "0-2", "-o", "out.mp4"], capsys)
    line = assert_refused(result, "take1.000001.png")
    assert words in line, line
    assert tree_state(work) == before
    assert_nothing_half_done(work)


AUDIO_CASES = [
    ("one-sample", lambda p: write_tone(p, 1 / 16000), "too short"),
    ("zero-length", lambda p: write_tone(p, 0.0), "no audio samples"),
    ("empty-file", lambda p: p.write_bytes(b""), "empty"),
    ("png-renamed", lambda p: shutil.copy(DEMO / "portrait.png", p), "PNG"),
    ("truncated-wav", lambda p: (write_tone(p, 1.0), p.write_bytes(p.read_bytes()[:2000])), "truncated"),
    ("text", lambda p: p.write_text("not audio at all " * 10), "audio"),
    ("silence", lambda p: __import__("soundfile").write(p, np.zeros(16000, np.float32), 16000, format="WAV"),
     "silence"),
]


@pytest.mark.parametrize("case, make, words", AUDIO_CASES, ids=[c[0] for c in AUDIO_CASES])
@pytest.mark.parametrize("where", ["new", "generate"])
def test_hostile_audio(work, capsys, case, make, words, where):
    if where == "new":
        make(work / "bad.wav")
        argv = ["new", "n.tfs", "--audio", "bad.wav", "--portrait", "face.png"]
        name = "bad.wav"
    else:
        (work / "line.wav").unlink()
        make(work / "line.wav")
        argv = ["generate", "scene.tfs"]
        name = "line.wav"
    before = tree_state(work)
    line = assert_refused(run_cli(argv, capsys), name)
    assert words.lower() in line.lower(), line
    assert tree_state(work) == before


PORTRAIT_CASES = [
    ("decompression-bomb", _bomb_png, "too large"),
    ("truncated", lambda p: p.write_bytes((DEMO / "portrait.png").read_bytes()[:5000]), "truncated"),
    ("text", lambda p: p.write_text("hello"), "not an image"),
    ("no-face", lambda p: Image.new("RGB", (300, 300), (90, 120, 150)).save(p), "no face"),
    ("tiny-face", lambda p: Image.open(DEMO / "portrait.png").resize((40, 40)).save(p), "face"),
]


@pytest.mark.parametrize("case, make, words", PORTRAIT_CASES, ids=[c[0] for c in PORTRAIT_CASES])
def test_hostile_portraits_at_new(work, capsys, case, make, words):
    make(work / "bad.png")
    before = tree_state(work)
    line = assert_refused(run_cli(["new", "n.tfs", "--audio", "line.wav", "--portrait", "bad.png"], capsys), "bad.png")
    assert words in line, line
    assert tree_state(work) == before


# -- checkpoints and their configs -----------------------------------------------------------------------------
CONFIG_CASES = [
    ("n_mels-1e13", {"n_mels": 10**13}, "n_mels"),
    ("dim-zero", {"dim": 0}, "dim"),
    ("dim-huge", {"dim": 10**9}, "dim"),
    ("heads-do-not-divide", {"dim": 30, "heads": 4}, "heads"),
    ("dropout-2", {"dropout": 2.0}, "dropout"),
    ("layers-text", {"encoder_layers": "3"}, "encoder_layers"),
    ("layers-bool", {"decoder_layers": True}, "decoder_layers"),
    ("layers-float", {"decoder_layers": 2.5}, "decoder_layers"),
    ("n_pca-list", {"n_pca": [64]}, "n_pca"),
    ("loss-weights-nested", {"loss_weights": {"landmark": {"a": 1}}}, "loss_weights.landmark"),
    ("loss-weights-list", {"loss_weights": [1]}, "loss_weights"),
    ("unknown-key", {"wings": 2}, "wings"),
    ("wrong-kind", {"kind": "talkface.keypoint_generator"}, "kind"),
    ("version-2", {"version": 2}, "version"),
    ("gaze-bins-huge", {"gaze_yaw_bins": 10**6}, "gaze_yaw_bins"),
]


def _config(work: Path, change: dict) -> Path:
    from talkface_studio.perform.neural.config import DEFAULT_CONFIG_PATH

    cfg = json.loads(DEFAULT_CONFIG_PATH.read_text())
    cfg.update(change)
    path = work / "cfg.json"
    path.write_text(json.dumps(cfg))
    return path


@pytest.mark.parametrize("case, change, words", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_hostile_model_configs(work, capsys, case, change, words):
    _config(work, change)
    before = tree_state(work)
    line = assert_refused(run_cli(["train", "--data", "nowhere", "--out", "o", "--config", "cfg.json"], capsys),
                          "cfg.json")
    assert words in line, line
    assert tree_state(work) == before


RAW_CONFIG_CASES = [("not-json", "{kind"), ("nan", '{"dropout": NaN}'), ("list", "[1]"), ("empty", ""),
                    ("deep", "[" * 10_000 + "]" * 10_000), ("binary", "\udcff\udcfe")]


@pytest.mark.parametrize("case, text", RAW_CONFIG_CASES, ids=[c[0] for c in RAW_CONFIG_CASES])
def test_unreadable_model_configs(work, capsys, case, text):
    (work / "cfg.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    assert_refused(run_cli(["train", "--data", "nowhere", "--out", "o", "--config", "cfg.json"], capsys), "cfg.json")


class Payload:
    """A pickled object besides tensors in a .pt: what torch.load(weights_only=True) refuses."""


def _checkpoint(work: Path, kind: str) -> str:
    import torch
    from safetensors.torch import save_file

    from talkface_studio.perform.neural.config import SpeechToCuesConfig
    from talkface_studio.perform.neural.speech_to_cues import SpeechToCues

    tiny = SpeechToCuesConfig(dim=32, heads=2, ff_mult=2, encoder_layers=1, decoder_layers=1, n_pca=8)
    if kind == "pickle":
        torch.save({"state_dict": {"w": torch.zeros(2)}, "config": tiny.to_json(), "x": Payload()}, work / "c.pt")
        return "c.pt"
    if kind == "garbage":
        (work / "c.safetensors").write_bytes(os.urandom(3000))
        return "c.safetensors"
    if kind == "empty":
        (work / "c.safetensors").write_bytes(b"")
        return "c.safetensors"
    state = {k: v.contiguous() for k, v in SpeechToCues(tiny).state_dict().items()}
    config = tiny.to_json()
    if kind == "shape-mismatch":
        name = next(iter(state))
        state[name] = torch.zeros(3, 3)
    elif kind == "config-n_mels-1e13":
        config["n_mels"] = 10**13
    elif kind == "config-not-json":
        save_file(state, str(work / "c.safetensors"), metadata={"config": "{not json"})
        return "c.safetensors"
    elif kind == "config-list":
        save_file(state, str(work / "c.safetensors"), metadata={"config": "[1, 2]"})
        return "c.safetensors"
    elif kind == "no-config":
        save_file(state, str(work / "c.safetensors"))
        return "c.safetensors"
    elif kind == "sidecar-damaged":
        save_file(state, str(work / "c.safetensors"))
        (work / "c.json").write_text('{"n_mels": ')
        return "c.safetensors"
    save_file(state, str(work / "c.safetensors"), metadata={"config": json.dumps(config)})
    return "c.safetensors"


CHECKPOINT_CASES = [("pickle", "pickled Python objects"), ("garbage", "cannot read"), ("empty", "cannot read"),
                    ("shape-mismatch", "does not match"), ("config-n_mels-1e13", "n_mels"),
                    ("config-not-json", "JSON"), ("config-list", "object"), ("no-config", "no config"),
                    ("sidecar-damaged", "c.json")]


@pytest.mark.parametrize("kind, words", CHECKPOINT_CASES, ids=[c[0] for c in CHECKPOINT_CASES])
def test_hostile_checkpoints(work, capsys, kind, words):
    name = _checkpoint(work, kind)
    before = tree_state(work)
    line = assert_refused(run_cli(["generate", "scene.tfs", "--backend", "neural", "--checkpoint", name], capsys),
                          "c.")
    assert words in line, line
    assert "weights_only" not in line  # torch's advice to load the pickle anyway is never repeated
    assert tree_state(work) == before


# -- generated cases -------------------------------------------------------------------------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**20, max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            yield from _paths(v, prefix + (i,))


@pytest.fixture(scope="module")
def valid_doc(base):
    doc = json.loads((base / "scene.tfs").read_text())
    doc["takes"][0]["portrait_fit"]["landmarks"] = doc["takes"][0]["portrait_fit"]["landmarks"][:3]  # keep it small
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_no_mutation_of_a_project_gets_past_the_reader_as_anything_but_one_line(valid_doc, tmp_path, data):
    doc = copy.deepcopy(valid_doc)
    paths = [p for p in _paths(doc) if p]
    where = data.draw(st.sampled_from(paths))
    target = doc
    for key in where[:-1]:
        target = target[key]
    if data.draw(st.booleans()):
        target[where[-1]] = data.draw(JSON_VALUES)
    elif isinstance(target, dict):
        del target[where[-1]]
    else:
        target[where[-1]] = data.draw(JSON_VALUES)
    path = tmp_path / "m.tfs"
    path.write_text(json.dumps(doc))
    try:
        pf.load_project(path)
    except ProjectFileError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("frame,time,head_yaw,blink\n0123456789.-e\" ")), max_size=300))
def test_no_csv_gets_past_the_reader_as_anything_but_one_line(tmp_path, text):
    from talkface_studio.pipeline.export.curve_reader import read_curves

    path = tmp_path / "c.csv"
    path.write_text(text)
    try:
        read_curves(path, known={"head_yaw", "blink"})
    except ValidationError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400))
def test_no_bytes_as_a_project_get_past_the_reader_as_anything_but_one_line(tmp_path, raw):
    path = tmp_path / "b.tfs"
    path.write_bytes(raw)
    try:
        pf.load_project(path)
    except ProjectFileError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(change=st.dictionaries(st.sampled_from(["n_mels", "dim", "heads", "dropout", "n_pca", "history",
                                                 "loss_weights", "kind", "version", "gaze_yaw_max"]),
                              JSON_VALUES, min_size=1, max_size=3))
@example(change={"n_mels": "\n"})  # a text with a line break once came back as two lines
@example(change={"loss_weights": {"\n": None}})  # ... and a key with one, inside an object
@example(change={"version": "\n"})
def test_no_model_config_gets_past_the_reader_as_anything_but_one_line(change):
    from talkface_studio.perform.neural.config import DEFAULT_CONFIG_PATH, SpeechToCuesConfig

    cfg = json.loads(DEFAULT_CONFIG_PATH.read_text())
    cfg.update(change)
    try:
        loaded = SpeechToCuesConfig.from_json(cfg, "cfg.json")
    except TalkFaceError as exc:
        assert "\n" not in str(exc)
    else:
        assert loaded.dim % loaded.heads == 0 and 1 <= loaded.n_mels <= 512
