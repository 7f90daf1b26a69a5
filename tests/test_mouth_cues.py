"""Mouth cues of 2D and game tools (Rhubarb Lip Sync's TSV, JSON and XML, Moho switch data from Papagayo
or Rhubarb): written from a take's mouth, read back into mouth shapes set by hand, the `mouth`
command's --import / --export and the render queue's export."""

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talkface_studio.cli.main import main
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.mouth_cues import FROM_RHUBARB, TO_RHUBARB, cues_text, declared_fps, read_cues
from talkface_studio.core.mouth_shapes import SHAPES, MouthShape
from talkface_studio.core.project import Project
from talkface_studio.core.project_file import load_project
from talkface_studio.core.take import Take
from talkface_studio.core.take_commands import ImportMouthShapes, SetMouthShape
from talkface_studio.core.timebase import FrameRate
from talkface_studio.pipeline.export.mouth_cues import mouth_track, write_mouth_cues

pytestmark = pytest.mark.usefixtures("private_cache")

TRACK = [(0, 5, "rest"), (5, 9, "MBP"), (9, 20, "AI"), (20, 24, "FV"), (24, 31, "E"), (31, 40, "rest")]


def test_rhubarb_letters_are_rhubarbs_own_preston_blair_names():
    # Rhubarb's README, --datUsePrestonBlair: A MBP, B etc, C E, D AI, E O, F U, G FV, H L, X rest
    assert FROM_RHUBARB == {"A": "MBP", "B": "etc", "C": "E", "D": "AI", "E": "O", "F": "U", "G": "FV", "H": "L",
                            "X": "rest"}
    assert set(TO_RHUBARB) == set(SHAPES) and TO_RHUBARB["WQ"] == "F"  # puckered; it comes back as U
    assert all(FROM_RHUBARB[TO_RHUBARB[s]] == s for s in SHAPES if s != "WQ")


@pytest.mark.parametrize("suffix", [".tsv", ".json", ".xml", ".dat"])
@pytest.mark.parametrize("fps", ["24", "29.97", "60"])
def test_every_format_comes_back_frame_for_frame(tmp_path, suffix, fps):
    rate = FrameRate.parse(fps)
    path = tmp_path / f"cues{suffix}"
    path.write_text(cues_text(TRACK, suffix, rate.fps, "line.wav"))
    cues = read_cues(path, rate.fps, 40)
    assert [s.to_json() for s in cues.shapes] == [list(r) for r in TRACK]
    assert cues.past_end == 0 and cues.names == ("names" if suffix == ".dat" else "letters")


def test_what_each_format_looks_like():
    tsv = cues_text(TRACK, ".tsv", 25.0).splitlines()
    assert tsv[:3] == ["0.000\tX", "0.200\tA", "0.360\tD"] and tsv[-1] == "1.600\tX"  # the last line: the end
    doc = json.loads(cues_text(TRACK, ".json", 25.0, "C:/dialog/line.wav"))
    assert doc["metadata"] == {"soundFile": "C:/dialog/line.wav", "duration": 1.6}
    assert doc["mouthCues"][1] == {"start": 0.2, "end": 0.36, "value": "A"}
    xml = cues_text(TRACK, ".xml", 25.0, "a&b.wav")
    assert "<soundFile>a&amp;b.wav</soundFile>" in xml and '<mouthCue start="0.200" end="0.360">A</mouthCue>' in xml
    dat = cues_text(TRACK, ".dat", 25.0).splitlines()
    assert dat == ["MohoSwitch1", "1 rest", "6 MBP", "10 AI", "21 FV", "25 E", "32 rest", "41 rest"]  # from 1


def test_files_from_other_tools(tmp_path):
    # Rhubarb's README example ("Hi."), TSV at 100 fps: the closing X at the end of the recording
    (tmp_path / "hi.tsv").write_text("0.00\tX\n0.05\tD\n0.27\tC\n0.31\tB\n0.43\tX\n0.47\tX\n")
    cues = read_cues(tmp_path / "hi.tsv", 100.0, 47)
    assert [s.to_json() for s in cues.shapes] == [[0, 5, "rest"], [5, 27, "AI"], [27, 31, "E"], [31, 43, "etc"],
                                                  [43, 47, "rest"]]
    assert cues.past_end == 0  # the closing line is the recording's end, not a cue past the take
    # Papagayo: chart names, frames from 1, an extra rest keyed at a pause's end
    (tmp_path / "p.dat").write_text("MohoSwitch1\n1 rest\n9 rest\n10 MBP\n12 AI\n16 etc\n20 rest\n")
    cues = read_cues(tmp_path / "p.dat", 24.0, 30)
    assert [s.to_json() for s in cues.shapes] == [[0, 9, "rest"], [9, 11, "MBP"], [11, 15, "AI"], [15, 19, "etc"]]
    # (the closing rest ends the file's cues: the frames after them stay the lip sync's); a last
    # shape that is not rest holds to the take's end, as in Moho
    (tmp_path / "q.dat").write_text("MohoSwitch1\n1 rest\n10 O\n")
    assert [s.to_json() for s in read_cues(tmp_path / "q.dat", 24.0, 30).shapes] == [[0, 9, "rest"], [9, 30, "O"]]
    # Rhubarb without the X shape closes on A: in a TSV the last line is always the end
    (tmp_path / "noX.tsv").write_text("0.00\tA\n0.10\tD\n0.20\tA\n")
    assert [s.to_json() for s in read_cues(tmp_path / "noX.tsv", 100.0, 50).shapes] == [[0, 10, "MBP"], [10, 20, "AI"]]
    (tmp_path / "noX.dat").write_text("MohoSwitch1\n1 A\n3 D\n5 A\n")
    assert [s.to_json() for s in read_cues(tmp_path / "noX.dat", 24.0, 50).shapes] == [[0, 2, "MBP"], [2, 4, "AI"]]
    # Rhubarb -f dat (letters) keyed at 24 fps, read into a 48 fps take; an FPS line (Synfig's variant) wins
    (tmp_path / "r.dat").write_text("MohoSwitch1\n1 X\n3 A\n5 D\n")
    assert [s.to_json() for s in read_cues(tmp_path / "r.dat", 48.0, 12, dat_fps=24.0).shapes] == \
        [[0, 4, "rest"], [4, 8, "MBP"], [8, 12, "AI"]]
    (tmp_path / "s.dat").write_text("MohoSwitch1\nFPS 12\npng\n1 X\n2 A\n4 X\n")
    assert declared_fps(tmp_path / "s.dat") == 12 and declared_fps(tmp_path / "r.dat") is None
    assert [s.to_json() for s in read_cues(tmp_path / "s.dat", 24.0, 6, dat_fps=30.0).shapes] == \
        [[0, 2, "rest"], [2, 6, "MBP"]]
    # JSON cues with a gap: the frames between them are left to the lip sync
    (tmp_path / "g.json").write_text(json.dumps({"mouthCues": [{"start": 0.0, "end": 0.2, "value": "A"},
                                                                {"start": 0.6, "end": 2.0, "value": "E"}]}))
    cues = read_cues(tmp_path / "g.json", 10.0, 10)
    assert [s.to_json() for s in cues.shapes] == [[0, 2, "MBP"], [6, 10, "O"]] and cues.past_end == 0
    # Rhubarb's README example as XML
    (tmp_path / "hi.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<rhubarbResult>\n  <metadata>\n'
        "    <soundFile>C:\\Users\\Daniel\\hi.wav</soundFile>\n    <duration>0.47</duration>\n  </metadata>\n"
        '  <mouthCues>\n    <mouthCue start="0.00" end="0.05">X</mouthCue>\n'
        '    <mouthCue start="0.05" end="0.27">D</mouthCue>\n    <mouthCue start="0.27" end="0.47">E</mouthCue>\n'
        "  </mouthCues>\n</rhubarbResult>\n")
    assert [s.to_json() for s in read_cues(tmp_path / "hi.xml", 100.0, 47).shapes] == \
        [[0, 5, "rest"], [5, 27, "AI"], [27, 47, "O"]]
    # a longer recording's cues: those past the take are counted
    (tmp_path / "long.tsv").write_text("0\tX\n0.5\tA\n2.0\tD\n2.5\tC\n3.0\tX\n")
    cues = read_cues(tmp_path / "long.tsv", 10.0, 10)
    assert [s.to_json() for s in cues.shapes] == [[0, 5, "rest"], [5, 10, "MBP"]] and cues.past_end == 2


@pytest.mark.parametrize("name, text, problem", [
    ("a.tsv", "0.0\tX\n0.1 A extra\n", "line 2: expected TIME<TAB>SHAPE"),
    ("a.tsv", "0.0\tX\n-1\tA\n", "line 2: the time must be a number >= 0"),
    ("a.tsv", "0.0\tX\n0.5\tA\n0.2\tD\n", "line 3: cues must be in time order"),
    ("a.tsv", "0.0\tQ\n", "line 1: unknown mouth shape 'Q'"),
    ("a.tsv", "0.0\tX\n0.2\tMBP\n", "mixes Rhubarb's letters (line 1) with the chart's names (line 2)"),
    ("a.tsv", "", "no mouth cues within the take"),
    ("a.dat", "1 rest\n", "the first line must be MohoSwitch1"),
    ("a.dat", "MohoSwitch1\nten rest\n", "line 2: the frame must be a whole number"),
    ("a.dat", "MohoSwitch1\nFPS 0\n1 rest\n", "line 2: a frame rate of 1-1000 fps"),
    ("a.json", '{"mouthCues": [{"start": 0, "end": "1", "value": "A"}]}', "mouthCues[0].end: must be a number"),
    ("a.json", '{"mouthCues": [{"start": 1, "end": 0.5, "value": "A"}]}', "ends (0.5 s) before it starts"),
    ("a.json", '{"cues": []}', "mouthCues: missing"),
    ("a.xml", "<rhubarbResult><mouthCues>", "not valid XML at line 1"),
    ("a.xml", "<rhubarbResult/>", "no <mouthCues> under <rhubarbResult>"),
    ("a.xml", '<r><mouthCues><mouthCue start="0" end="x">A</mouthCue></mouthCues></r>',
     "mouthCue 1: the end time must be a number"),
    ("a.xml", '<!DOCTYPE r [<!ENTITY a "aaaa">]><r><mouthCues/></r>', "declares a document type or entities"),
    ("a.txt", "0.0\tX\n", "Rhubarb Lip Sync's .tsv, .json or .xml, Moho switch data .dat or a Papagayo project .pgo / .pg2; "
               "not .txt"),
])
def test_a_bad_file_is_refused_in_one_line_naming_it(tmp_path, name, text, problem):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ValidationError) as err:
        read_cues(path, 24.0, 100)
    assert problem in str(err.value) and str(err.value).startswith(str(path))
    assert "\n" not in str(err.value)


def test_import_is_one_undo_step_over_the_files_frames():
    take = Take("t", None, None, FrameRate.parse("25"), 100)
    project = Project([take])
    for cmd in (SetMouthShape("t", 2, 6, "FV"), SetMouthShape("t", 20, 30, "MBP"), SetMouthShape("t", 60, 62, "O")):
        cmd.do(project)
    before = take.generation
    cmd = ImportMouthShapes("t", (MouthShape(10, 25, "AI"), MouthShape(25, 40, "rest")), "line.tsv")
    cmd.do(project)
    assert cmd.label == "Import mouth cues from line.tsv"
    # frames 10-39 are the file's; the hand-set shapes outside them stay
    assert take.generation.mouth_shapes == (MouthShape(2, 6, "FV"), MouthShape(10, 25, "AI"),
                                            MouthShape(25, 40, "rest"), MouthShape(60, 62, "O"))
    cmd.undo(project)
    assert take.generation == before
    with pytest.raises(ValidationError, match="frame 119 is past its end"):
        ImportMouthShapes("t", (MouthShape(90, 120, "AI"),), "x.tsv").do(project)


def test_the_exported_track_is_what_was_heard_with_the_hand_set_shapes_over_it():
    heard = [(3, 6, "MBP"), (6, 12, "AI"), (15, 18, "E")]  # silence left out, as heard_shapes gives it
    hand = (MouthShape(8, 10, "O"),)
    assert mouth_track(heard, hand, 20) == [(0, 3, "rest"), (3, 6, "MBP"), (6, 8, "AI"), (8, 10, "O"),
                                            (10, 12, "AI"), (12, 15, "rest"), (15, 18, "E"), (18, 20, "rest")]
    assert mouth_track(heard, hand, 20, 7, 11) == [(7, 8, "AI"), (8, 10, "O"), (10, 11, "AI")]


def test_mouth_command_exports_and_imports(demo_dir, tmp_path, capsys):
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    take = load_project(path).takes[0]
    out = tmp_path / "demo.tsv"
    assert main(["mouth", str(path), "--set", "10-14=MBP", "--export", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    cues = read_cues(out, take.rate.fps, take.n_frames)
    assert cues.shapes[0].start == 0 and cues.shapes[-1].end == take.n_frames  # the whole take, no gaps
    assert all(a.end == b.start for a, b in zip(cues.shapes, cues.shapes[1:]))
    assert MouthShape(10, 15, "MBP") in cues.shapes  # the hand-set shape is in it
    # the demo's script has p, b and m: the lip sync's closures are there too, and it speaks
    assert sum(s.shape == "MBP" for s in cues.shapes) > 2 and {"AI", "E", "O"} & {s.shape for s in cues.shapes}
    # a range, as Moho switch data: frames from 1 on the take's own count
    assert main(["mouth", str(path), "--export", str(tmp_path / "part.dat"), "--frames", "10-29"]) == 0
    lines = (tmp_path / "part.dat").read_text().splitlines()
    assert lines[:2] == ["MohoSwitch1", "11 MBP"]
    # the exported file comes back as the same shapes, set by hand over the whole take
    before_text = path.read_text()
    assert main(["mouth", str(path), "--clear-all", "--import", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{len(cues.shapes)} shape(s) from demo.tsv over frames 0-{take.n_frames - 1} (Rhubarb letters)" in err
    assert load_project(path).takes[0].generation.mouth_shapes == cues.shapes
    assert path.read_text() != before_text
    # refused in one line before anything changes
    before = path.read_bytes()
    (tmp_path / "bad.dat").write_text("MohoSwitch1\n1 rest\n5 MBQ\n")
    for argv, needle in ((["--import", str(tmp_path / "bad.dat")], "line 3: unknown mouth shape 'MBQ'"),
                         (["--import", str(out), "--cue-fps", "0"], "--cue-fps takes a frame rate of 1-1000"),
                         (["--cue-fps", "24"], "--cue-fps goes with --import"),
                         (["--frames", "1-2"], "--frames goes with --export"),
                         (["--set", "3=AI", "--export", str(tmp_path / "x.wav")], "not .wav"),
                         (["--set", "3=AI", "--export", str(out), "--frames", "0-99999"], "is past its end")):
        code = main(["mouth", str(path), *argv])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and needle in err[0]
        assert path.read_bytes() == before


def test_the_render_queue_writes_cues(demo_dir, tmp_path):
    from talkface_studio.pipeline.cancel import CancelToken
    from talkface_studio.pipeline.render_jobs import FORMATS, RenderSpec, run_spec
    from talkface_studio.pipeline.take_cache import TakeCache

    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    take = load_project(path).takes[0]
    assert [n for n, (_, kind) in FORMATS.items() if kind == "cues"] == [
        "Mouth cues (Rhubarb TSV)", "Mouth cues (Rhubarb JSON)", "Mouth cues (Rhubarb XML)",
        "Mouth cues (Moho switch .dat)", "Mouth cues (Papagayo project .pgo)",
        "Mouth cues (Papagayo-NG project .pg2)"]
    out = tmp_path / "out" / "take1_mouth.json"
    run_spec(RenderSpec(take.copy(), path, 20, 60, out, "cues"), lambda *a: None, CancelToken())
    doc = json.loads(out.read_text())
    assert doc["metadata"]["soundFile"].endswith(".wav")
    cues = doc["mouthCues"]
    assert cues[0]["start"] == pytest.approx(20 / take.rate.fps, abs=1e-3)
    assert cues[-1]["end"] == pytest.approx(60 / take.rate.fps, abs=1e-3)
    heard = TakeCache().heard(take, path)
    assert write_mouth_cues(tmp_path / "w.tsv", take, heard, 20, 60).read_text().splitlines()[0].split("\t")[0] \
        == cues[0]["start"].__format__(".3f")


def test_drawings_held_on_twos_and_threes_keep_every_closure():
    from talkface_studio.pipeline.export.mouth_cues import held

    runs = [(0, 5, "rest"), (5, 6, "MBP"), (6, 7, "AI"), (7, 12, "E"), (12, 13, "O"), (13, 14, "MBP"),
            (14, 20, "AI"), (20, 21, "U")]
    # a short drawing gives its frames to the next; before a closure, or last, the one before holds on;
    # a short closure is lengthened from what follows it
    assert held(runs, 2) == [(0, 5, "rest"), (5, 7, "MBP"), (7, 13, "E"), (13, 15, "MBP"), (15, 21, "AI")]
    assert held(runs, 3) == [(0, 5, "rest"), (5, 8, "MBP"), (8, 13, "E"), (13, 16, "MBP"), (16, 21, "AI")]
    assert held(runs, 1) == runs
    # between two closures the mouth still opens, however briefly
    assert held([(0, 4, "E"), (4, 5, "MBP"), (5, 6, "AI"), (6, 7, "MBP"), (7, 12, "E")], 3) == \
        [(0, 4, "E"), (4, 5, "MBP"), (5, 6, "AI"), (6, 9, "MBP"), (9, 12, "E")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.sampled_from(["MBP", "MBP", "AI", "E", "O", "etc", "rest"])),
                min_size=1, max_size=30),
       st.integers(2, 4))
def test_held_drawings_cover_the_same_frames_and_never_lose_a_closure(pieces, frames):
    from talkface_studio.pipeline.export.mouth_cues import held

    runs, t = [], 0
    for length, shape in pieces:
        if runs and runs[-1][2] == shape:
            continue
        runs.append((t, t + length, shape))
        t += length
    out = held(runs, frames)
    assert out[0][0] == 0 and out[-1][1] == t and all(a[1] == b[0] and a[2] != b[2] for a, b in zip(out, out[1:]))
    closed = {f for a, b, s in runs if s == "MBP" for f in range(a, b)}
    assert closed <= {f for a, b, s in out if s == "MBP" for f in range(a, b)}
    assert sum(s == "MBP" for *_, s in out) == sum(s == "MBP" for *_, s in runs)  # none merged away
    for k, (a, b, s) in enumerate(out):  # shorter only where nothing may give or take
        if b - a < frames and len(out) > 1:
            around = [out[j][2] for j in (k - 1, k + 1) if 0 <= j < len(out)]
            assert (s != "MBP" and set(around) == {"MBP"}) or (s == "MBP" and (
                k == len(out) - 1 or out[k + 1][1] - out[k + 1][0] == 1))


def test_mouth_command_exports_on_twos(demo_dir, tmp_path, capsys):
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    take = load_project(path).takes[0]
    ones, twos = tmp_path / "ones.tsv", tmp_path / "twos.tsv"
    assert main(["mouth", str(path), "--export", str(ones)]) == 0
    assert main(["mouth", str(path), "--export", str(twos), "--hold", "2"]) == 0
    assert "each drawing held 2 frames or more" in capsys.readouterr().err
    a, b = (read_cues(f, take.rate.fps, take.n_frames).shapes for f in (ones, twos))
    assert any(s.end - s.start == 1 for s in a) and all(s.end - s.start >= 2 for s in b[:-1])
    assert sum(s.shape == "MBP" for s in a) == sum(s.shape == "MBP" for s in b) > 2
    before = path.read_bytes()
    for argv, needle in ((["--hold", "2"], "--hold goes with --export"),
                         (["--export", str(twos), "--hold", "9"], "--hold takes 1-8 frames, got 9")):
        assert main(["mouth", str(path), *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and needle in err[0] and path.read_bytes() == before
