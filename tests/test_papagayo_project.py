"""Papagayo projects (.pgo) read as mouth cues: a voice's words and phonemes become mouth shapes set
by hand, as Papagayo shows and exports them (core.papagayo_project through core.mouth_cues)."""

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talkface_studio.cli.main import main
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.mouth_cues import papagayo_voices, read_cues
from talkface_studio.core.mouth_shapes import MouthShape
from talkface_studio.core.project_file import load_project

def _voice(name: str, phrases) -> str:
    """A voice as Papagayo 1.2 saves it: tabs before each level, frames from 0 at the file's rate, a
    word's last frame inclusive, the voice's lines joined by |. `phrases`: (text, [(word, first,
    last, [(frame, shape), ...]), ...])."""
    lines = [f"\t{name}", "\t" + "|".join(text for text, _ in phrases), f"\t{len(phrases)}"]
    for text, words in phrases:
        lines += [f"\t\t{text}", f"\t\t{words[0][1]}", f"\t\t{words[-1][2]}", f"\t\t{len(words)}"]
        for word, first, last, phonemes in words:
            lines.append(f"\t\t\t{word} {first} {last} {len(phonemes)}")
            lines += [f"\t\t\t\t{frame} {shape}" for frame, shape in phonemes]
    return "\n".join(lines) + "\n"


PGO = "lipsync version 1\nline.wav\n24\n120\n1\n" + _voice("Voice 1", [
    ("Hello there", [("Hello", 12, 22, [(12, "etc"), (14, "E"), (17, "L"), (19, "O")]),
                     ("there", 26, 40, [(26, "etc"), (30, "E"), (35, "etc")])]),
    ("Bye now", [("Bye", 60, 68, [(60, "MBP"), (63, "AI")]),
                 ("now", 70, 80, [(70, "etc"), (74, "O")])])])


def test_a_voice_reads_as_papagayo_shows_it(tmp_path):
    path = tmp_path / "line.pgo"
    path.write_text(PGO)
    cues = read_cues(path, 24.0, 200)
    # each phoneme holds to the next or to its word's last frame; rest between words and phrases;
    # nothing before the first word or after the last (the take's own lip sync keeps those frames)
    assert [s.to_json() for s in cues.shapes] == [
        [12, 14, "etc"], [14, 17, "E"], [17, 19, "L"], [19, 23, "O"], [23, 26, "rest"], [26, 30, "etc"],
        [30, 35, "E"], [35, 41, "etc"], [41, 60, "rest"], [60, 63, "MBP"], [63, 69, "AI"], [69, 70, "rest"],
        [70, 74, "etc"], [74, 81, "O"]]
    assert cues.names == "names" and cues.past_end == 0
    # the file's own rate, whatever the take's: at 30 fps frame 12 of 24 is frame 15
    assert read_cues(path, 30.0, 200).span == (15, 101)
    # Papagayo-NG's Rhubarb set: letters, and "rest" read as X
    ng = PGO.replace(" etc\n", " B\n").replace(" E\n", " C\n").replace(" L\n", " H\n").replace(" O\n", " E\n")
    ng = ng.replace(" MBP\n", " A\n").replace(" AI\n", " D\n")
    (tmp_path / "ng.pgo").write_text(ng)
    letters = read_cues(tmp_path / "ng.pgo", 24.0, 200)
    assert letters.names == "letters" and letters.shapes == cues.shapes


def test_phonemes_a_word_cannot_hold_and_words_without_phonemes(tmp_path):
    text = PGO.replace("\t\t\tHello 12 22 4\n\t\t\t\t12 etc\n\t\t\t\t14 E\n\t\t\t\t17 L\n\t\t\t\t19 O\n",
                       "\t\t\tHello 12 22 4\n\t\t\t\t10 etc\n\t\t\t\t14 E\n\t\t\t\t14 L\n\t\t\t\t30 O\n")
    text = text.replace("\t\t\tBye 60 68 2\n\t\t\t\t60 MBP\n\t\t\t\t63 AI\n", "\t\t\tBye 60 68 0\n")
    (tmp_path / "odd.pgo").write_text(text)
    shapes = read_cues(tmp_path / "odd.pgo", 24.0, 200).shapes
    # kept inside the word, each after the one before (Papagayo's own rule), the word's end the last
    assert shapes[:4] == (MouthShape(12, 14, "etc"), MouthShape(14, 15, "E"), MouthShape(15, 22, "L"),
                          MouthShape(22, 23, "O"))
    # a word Papagayo could not break down is at rest, as Papagayo shows it
    assert MouthShape(41, 70, "rest") in shapes


def test_several_voices_are_named_and_one_is_picked(tmp_path):
    narrator = _voice("Narrator", [("Mm", [("Mm", 90, 99, [(90, "MBP")])])])
    two = PGO.replace("\n1\n\tVoice 1\n", "\n2\n\tVoice 1\n") + narrator
    path = tmp_path / "two.pgo"
    path.write_text(two)
    assert papagayo_voices(path) == ["Voice 1", "Narrator"]
    with pytest.raises(ValidationError, match=r"has 2 voices \('Voice 1', 'Narrator'\): say which one"):
        read_cues(path, 24.0, 200)
    assert read_cues(path, 24.0, 200, voice="Narrator").shapes == (MouthShape(90, 100, "MBP"),)
    with pytest.raises(ValidationError, match="no voice 'Bob'; its voices: 'Voice 1', 'Narrator'"):
        read_cues(path, 24.0, 200, voice="Bob")


@pytest.mark.parametrize("change, problem", [
    (("lipsync version 1", "lipsync version 2"), "not a Papagayo project: the first line must be"),
    (("\n24\n", "\n0\n"), "line 3: the frame rate must be 1-1000, got 0"),
    (("\n24\n", "\nfast\n"), "line 3: the frame rate must be a whole number, got 'fast'"),
    (("Hello 12 22 4", "Hello 12 22"), "line 13: expected WORD FIRST LAST PHONEMES"),
    (("Hello 12 22 4", "Hello 22 12 4"), "line 13: word 'Hello' runs from frame 22 to 12"),
    (("Hello 12 22 4", "Hello 12 22 -4"), "line 13: word 'Hello' has -4 phonemes"),
    (("Hello 12 22 4", "Hello 1² 22 4"), "line 13: expected WORD FIRST LAST PHONEMES"),  # a digit int() refuses
    (("\t\t\t\t14 E\n", "\t\t\t\tE 14\n"), "line 15: expected FRAME SHAPE"),
    (("\t\t\t\t14 E\n", "\t\t\t\t14 Q\n"), "line 15: unknown mouth shape 'Q'"),
    (("there 26 40 3", "there 20 40 3"), "line 18: words must be in time order"),
    (("\t\t\t\t74 O\n", ""), "not a whole Papagayo project: it ends where a phoneme was expected (after line 30)"),
    (("\t\t\t\t60 MBP\n", "\t\t\t\t60 A\n"), "mixes Rhubarb's letters"),
])
def test_a_bad_project_is_refused_in_one_line_naming_it(tmp_path, change, problem):
    path = tmp_path / "bad.pgo"
    path.write_text(PGO.replace(*change))
    with pytest.raises(ValidationError) as err:
        read_cues(path, 24.0, 200)
    assert problem in str(err.value) and str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_mouth_command_imports_a_papagayo_voice(demo_dir, tmp_path, capsys):
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    pgo = tmp_path / "line.pgo"
    pgo.write_text(PGO)
    take = load_project(path).takes[0]
    expected = read_cues(pgo, take.rate.fps, take.n_frames).shapes
    assert main(["mouth", str(path), "--import", str(pgo)]) == 0
    assert f"{len(expected)} shape(s) from line.pgo" in capsys.readouterr().err
    assert load_project(path).takes[0].generation.mouth_shapes == expected
    before = path.read_bytes()
    for argv, needle in ((["--import", str(pgo), "--voice", "Bob"], "no voice 'Bob'; its voices: 'Voice 1'"),
                         (["--voice", "Voice 1"], "--voice goes with --import"),
                         (["--import", str(pgo), "--cue-fps", "24"], "a Papagayo project says its own frame rate"),
                         (["--import", str(tmp_path / "x.tsv"), "--voice", "V"],
                          "--voice picks a voice of a Papagayo")):
        (tmp_path / "x.tsv").write_text("0\tA\n1\tX\n")
        code = main(["mouth", str(path), *argv])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and needle in err[0]
        assert path.read_bytes() == before


def _take(fps: str, n: int):
    from talkface_studio.core.take import Take
    from talkface_studio.core.timebase import FrameRate

    return Take("line", None, None, FrameRate.parse(fps), n)


@pytest.mark.parametrize("fps", ["24", "29.97"])
def test_a_take_written_as_a_papagayo_project_comes_back(tmp_path, fps):
    from talkface_studio.perform.hand_shapes import heard_shapes
    from talkface_studio.audio.phones import PhoneSpan
    from talkface_studio.pipeline.export.mouth_cues import mouth_track, write_mouth_cues

    phones = [PhoneSpan(10, 13, "HH"), PhoneSpan(13, 18, "AH"), PhoneSpan(18, 21, "L"), PhoneSpan(21, 26, "OW"),
              PhoneSpan(60, 64, "M"), PhoneSpan(64, 72, "AY"), PhoneSpan(75, 77, "N"), PhoneSpan(77, 84, "AW")]
    words = [(10, 26, "Hello,"), (60, 72, "my"), (75, 84, "now")]  # a pause of 34 frames: two phrases
    heard = heard_shapes(phones, 100, words)
    take = _take(fps, 100)
    take.generation.mouth_shapes = (MouthShape(80, 84, "O"),)  # set by hand: it goes out too
    path = write_mouth_cues(tmp_path / "line.pgo", take, heard, sound_file="/media/line.wav")
    lines = path.read_text().splitlines()
    assert lines[:8] == ["lipsync version 1", "/media/line.wav", str(round(take.rate.fps)), "100", "1", "\tline",
                         "\tHello,|my now", "\t2"]
    assert "\t\t\tHello, 10 25 4" in lines  # the word as given, its last frame inclusive
    back = read_cues(path, take.rate.fps, 100).shapes
    track = mouth_track(heard, take.generation.mouth_shapes, 100)
    # inside each word the shapes are the take's, frame for frame; between words rest, as Papagayo has it
    for a, b, _ in words:
        assert [(max(x, a), min(y, b), s) for x, y, s in track if y > a and x < b] == \
            [(max(s.start, a), min(s.end, b), s.shape) for s in back if s.end > a and s.start < b]
    assert MouthShape(26, 60, "rest") in back and MouthShape(72, 75, "rest") in back
    assert back[0].start == 10 and back[-1] == MouthShape(80, 84, "O")


def test_a_take_without_words_cannot_be_a_papagayo_project(tmp_path):
    from talkface_studio.perform.hand_shapes import heard_shapes
    from talkface_studio.audio.phones import PhoneSpan
    from talkface_studio.pipeline.export.mouth_cues import write_mouth_cues

    heard = heard_shapes([PhoneSpan(3, 8, "AA")], 20)
    with pytest.raises(ValidationError, match="a Papagayo project needs the script's words"):
        write_mouth_cues(tmp_path / "x.pgo", _take("24", 20), heard)
    assert not (tmp_path / "x.pgo").exists()


def test_mouth_command_exports_a_papagayo_project(demo_dir, tmp_path, capsys):
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    out = tmp_path / "demo.pgo"
    assert main(["mouth", str(path), "--export", str(out)]) == 0
    lines = out.read_text().splitlines()
    take = load_project(path).takes[0]
    assert lines[1] == str(tmp_path / "p" / "media" / "line.wav") and lines[2] == "25"
    assert lines[6].startswith("\tHello there|I have been waiting")  # phrases at the script's pauses
    heard = [w for w in lines if w.startswith("\t\t\t") and not w.startswith("\t\t\t\t")]
    assert [w.split()[0] for w in heard][:4] == ["Hello", "there", "I", "have"]
    capsys.readouterr()
    assert main(["mouth", str(path), "--import", str(out)]) == 0  # and back, as shapes set by hand
    assert load_project(path).takes[0].generation.mouth_shapes == read_cues(out, take.rate.fps, take.n_frames).shapes


def test_a_file_made_for_another_recording_is_noted(demo_dir, tmp_path, capsys):
    from talkface_studio.core.mouth_cues import CueFile

    assert CueFile((), 0, "names", "C:\\Lipsync\\Line.WAV").other_sound("/media/line.wav") is None  # same file name
    assert CueFile((), 0, "names", "").other_sound("/media/line.wav") is None  # the file names none
    assert CueFile((), 0, "names", "../audio/other.wav").other_sound("/media/line.wav") == \
        "made for 'other.wav', not this take's recording 'line.wav'"
    (tmp_path / "a.pgo").write_text(PGO.replace("line.wav", "sounds/scene12_take3.wav"))
    (tmp_path / "a.json").write_text('{"metadata": {"soundFile": "D:\\\\vo\\\\bob.wav"}, "mouthCues": '
                                     '[{"start": 0.1, "end": 0.3, "value": "A"}]}')
    (tmp_path / "a.xml").write_text("<rhubarbResult><metadata><soundFile>/vo/line.wav</soundFile></metadata>"
                                    '<mouthCues><mouthCue start="0.1" end="0.3">A</mouthCue></mouthCues>'
                                    "</rhubarbResult>")
    assert [read_cues(tmp_path / f"a.{x}", 24.0, 200).sound for x in ("pgo", "json", "xml")] == \
        ["sounds/scene12_take3.wav", "D:\\vo\\bob.wav", "/vo/line.wav"]
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    assert main(["mouth", str(path), "--import", str(tmp_path / "a.pgo")]) == 0
    assert "note: take 'line': a.pgo was made for 'scene12_take3.wav', not this take's recording 'line.wav'" \
        in capsys.readouterr().err
    assert main(["mouth", str(path), "--import", str(tmp_path / "a.xml")]) == 0  # the demo's own line.wav
    assert "was made for" not in capsys.readouterr().err


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_damaged_project_is_read_or_refused_in_one_line(tmp_path, data):
    """A project cut short, a line changed or lines swapped: read, or one ValidationError naming the
    file, never another error."""
    lines = PGO.splitlines()
    kind = data.draw(st.sampled_from(["cut", "change", "swap"]))
    if kind == "cut":
        lines = lines[:data.draw(st.integers(0, len(lines)))]
    elif kind == "change":
        i = data.draw(st.integers(0, len(lines) - 1))
        lines[i] = data.draw(st.text(max_size=12))
    else:
        i, j = data.draw(st.integers(0, len(lines) - 1)), data.draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    path = tmp_path / "damaged.pgo"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        read_cues(path, 24.0, 200)
    except ValidationError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)


# -- Papagayo-NG's JSON projects (.pg2) ------------------------------------------------------------

PHRASES = [("Hello there", [("Hello", 12, 22, [(12, "etc"), (14, "E"), (17, "L"), (19, "O")]),
                            ("there", 26, 40, [(26, "etc"), (30, "E"), (35, "etc")])]),
           ("Bye now", [("Bye", 60, 68, [(60, "MBP"), (63, "AI")]),
                        ("now", 70, 80, [(70, "etc"), (74, "O")])])]  # the same voice as PGO's


def _pg2(voices, phoneme_set="preston_blair", fps=24) -> str:
    """A project as Papagayo-NG 1.6 saves it (LipsyncDoc.save2): ids, tags and counts included.
    `voices`: (name, phrases as for _voice)."""
    def voice(name, phrases):
        return {"name": name, "start_frame": phrases[0][1][0][1], "end_frame": phrases[-1][1][-1][2],
                "text": "\n".join(t for t, _ in phrases), "num_children": 0, "used_phonemes": [],
                "phrases": [{"id": i, "text": text, "start_frame": words[0][1], "end_frame": words[-1][2], "tags": [],
                             "words": [{"id": j, "text": w, "start_frame": a, "end_frame": b, "tags": [],
                                        "phonemes": [{"id": k, "text": s, "frame": f, "tags": []}
                                                     for k, (f, s) in enumerate(ph)]}
                                       for j, (w, a, b, ph) in enumerate(words)]}
                            for i, (text, words) in enumerate(phrases)]}
    return json.dumps({"version": 2, "sound_path": "line.wav", "fps": fps, "sound_duration": 120,
                       "num_voices": len(voices), "phoneme_set": phoneme_set,
                       "voices": [voice(n, p) for n, p in voices]}, indent=True)


def _in_set(table: dict) -> list:
    """PHRASES with each chart shape written as a phoneme of another set that shows it (`table`)."""
    back = {}
    for name, shape in table.items():
        back.setdefault(shape, name)
    return [(t, [(w, a, b, [(f, back[s]) for f, s in ph]) for w, a, b, ph in words]) for t, words in PHRASES]


def test_a_papagayo_ng_project_reads_as_its_pgo_does(tmp_path):
    (tmp_path / "line.pgo").write_text(PGO)
    (tmp_path / "line.pg2").write_text(_pg2([("Voice 1", PHRASES)]))
    pgo, pg2 = read_cues(tmp_path / "line.pgo", 24.0, 200), read_cues(tmp_path / "line.pg2", 24.0, 200)
    assert pg2.shapes == pgo.shapes and pg2.names == "names" and pg2.sound == "line.wav"
    assert papagayo_voices(tmp_path / "line.pg2") == ["Voice 1"]
    # its own rate, whatever the take's
    (tmp_path / "at30.pg2").write_text(_pg2([("Voice 1", PHRASES)], fps=30))
    assert read_cues(tmp_path / "at30.pg2", 30.0, 200).shapes == pgo.shapes


def test_papagayo_ng_phoneme_sets_show_as_the_chart(tmp_path):
    """Rhubarb's letters stay letters; Fleming-Dobbs and CMU-39 phonemes become the chart's shapes
    (Fleming-Dobbs as Papagayo-NG shows it in the Preston Blair set), in a .pg2 or a .pgo."""
    from talkface_studio.core.papagayo_project import CMU_39, FLEMING_DOBBS

    pgo = read_cues(_write(tmp_path / "line.pgo", PGO), 24.0, 200)
    rhubarb = {"A": "MBP", "B": "etc", "C": "E", "D": "AI", "E": "O", "H": "L", "rest": "rest"}
    letters = read_cues(_write(tmp_path / "r.pg2", _pg2([("V", _in_set(rhubarb))], "rhubarb")), 24.0, 200)
    assert letters.names == "letters" and letters.shapes == pgo.shapes
    cmu = read_cues(_write(tmp_path / "c.pg2", _pg2([("V", _in_set(CMU_39))], "CMU_39")), 24.0, 200)
    assert cmu.shapes == pgo.shapes
    assert {CMU_39[p] for p in ("P", "B", "M")} == {"MBP"} and CMU_39["UW"] == "U" and CMU_39["AA"] == "AI"
    # Fleming-Dobbs has no O-like etc of its own: its SH shows as etc, its NLTDR as L
    fd = [(t, [(w, a, b, [(f, {"etc": "SH", "E": "EHSZ", "L": "NLTDR", "O": "O", "MBP": "MBP", "AI": "AA"}[s])
                          for f, s in ph]) for w, a, b, ph in words]) for t, words in PHRASES]
    assert read_cues(_write(tmp_path / "f.pg2", _pg2([("V", fd)], "fleming_dobbs")), 24.0, 200).shapes == pgo.shapes
    assert FLEMING_DOBBS["SH"] == "etc" and FLEMING_DOBBS["NLTDR"] == "L"
    # a .pgo does not say its set: Papagayo-NG saves one in CMU-39 phones and it reads alike
    cmu_pgo = "lipsync version 1\nline.wav\n24\n120\n1\n" + _voice("Voice 1", _in_set(CMU_39))
    assert read_cues(_write(tmp_path / "c.pgo", cmu_pgo), 24.0, 200).shapes == pgo.shapes
    # a phoneme its set does not have is named with where it is
    bad = _pg2([("V", PHRASES)], "fleming_dobbs")
    with pytest.raises(ValidationError, match=r"voices\[0\]\.phrases\[0\]\.words\[0\]\.phonemes\[0\]: 'etc' is not a "
                                              r"phoneme of the Fleming-Dobbs set"):
        read_cues(_write(tmp_path / "bad.pg2", bad), 24.0, 200)


def _write(path, text):
    path.write_text(text)
    return path


def test_a_papagayo_ng_voice_is_picked_and_a_bad_project_refused(demo_dir, tmp_path, capsys):
    narrator = [("Mm", [("Mm", 90, 99, [(90, "MBP")])])]
    two = _write(tmp_path / "two.pg2", _pg2([("Voice 1", PHRASES), ("Narrator", narrator)]))
    assert papagayo_voices(two) == ["Voice 1", "Narrator"]
    with pytest.raises(ValidationError, match=r"has 2 voices \('Voice 1', 'Narrator'\): say which one"):
        read_cues(two, 24.0, 200)
    assert read_cues(two, 24.0, 200, voice="Narrator").shapes == (MouthShape(90, 100, "MBP"),)
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    assert main(["mouth", str(path), "--import", str(two), "--voice", "Narrator"]) == 0
    assert load_project(path).takes[0].generation.mouth_shapes == (MouthShape(94, 104, "MBP"),)  # 24 -> 25 fps
    capsys.readouterr()
    good = json.loads(_pg2([("Voice 1", PHRASES)]))
    for change, problem in (
            (lambda d: d.pop("voices"), 'not a Papagayo-NG project: no "voices" in it'),
            (lambda d: d.update(fps=0), "fps: must be a number from 1 to 1000, got 0"),
            (lambda d: d["voices"][0]["phrases"][1]["words"][0].update(start_frame=30),
             "voices[0].phrases[1].words[0]: words must be in time order"),
            (lambda d: d["voices"][0]["phrases"][0]["words"][1].update(end_frame=20),
             "voices[0].phrases[0].words[1]: the word runs from frame 26 to 20"),
            (lambda d: d["voices"][0]["phrases"][0]["words"][0]["phonemes"][1].pop("frame"),
             "voices[0].phrases[0].words[0].phonemes[1].frame: missing"),
            (lambda d: d["voices"][0]["phrases"][0]["words"][0]["phonemes"][1].update(text="Q"),
             "voices[0].phrases[0].words[0].phonemes[1]: unknown mouth shape 'Q'")):
        doc = json.loads(json.dumps(good))
        change(doc)
        bad = _write(tmp_path / "bad.pg2", json.dumps(doc))
        with pytest.raises(ValidationError) as err:
            read_cues(bad, 24.0, 200)
        assert problem in str(err.value) and str(err.value).startswith(str(bad)) and "\n" not in str(err.value)
    before = path.read_bytes()
    assert main(["mouth", str(path), "--import", str(bad)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1 and path.read_bytes() == before


def test_a_take_written_as_a_papagayo_ng_project_comes_back(demo_dir, tmp_path):
    """The .pg2 export holds what Papagayo-NG's reader takes (LipsyncDoc.open_json's keys) and reads
    back to the same shapes as the .pgo export of the same take."""
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    assert main(["mouth", str(path), "--export", str(tmp_path / "demo.pg2")]) == 0
    assert main(["mouth", str(path), "--export", str(tmp_path / "demo.pgo")]) == 0
    doc = json.loads((tmp_path / "demo.pg2").read_text())
    assert doc["version"] == 2 and doc["fps"] == 25 and doc["num_voices"] == 1 and doc["phoneme_set"] == "preston_blair"
    assert doc["sound_path"] == str(tmp_path / "p" / "media" / "line.wav")
    voice = doc["voices"][0]
    assert voice["name"] == "line" and voice["text"].startswith("Hello there\nI have been waiting")
    word = voice["phrases"][0]["words"][0]
    assert word["text"] == "Hello" and set(word) >= {"start_frame", "end_frame", "tags", "phonemes"}
    assert set(word["phonemes"][0]) >= {"text", "frame", "tags"}
    take = load_project(path).takes[0]
    assert read_cues(tmp_path / "demo.pg2", take.rate.fps, take.n_frames).shapes == \
        read_cues(tmp_path / "demo.pgo", take.rate.fps, take.n_frames).shapes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_damaged_papagayo_ng_project_is_read_or_refused_in_one_line(tmp_path, data):
    """A value anywhere in the tree replaced, or the text cut short: read, or one ValidationError
    naming the file, never another error."""
    text = _pg2([("Voice 1", PHRASES)])
    if data.draw(st.booleans()):
        text = text[:data.draw(st.integers(0, len(text)))]
    else:
        doc = json.loads(text)
        node, keys = doc, []
        while isinstance(node, (dict, list)) and node and (not keys or data.draw(st.booleans())):
            key = data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else list(range(len(node)))))
            keys.append((node, key))
            node = node[key]
        parent, key = keys[-1]
        parent[key] = data.draw(st.one_of(st.none(), st.integers(-5, 10**12), st.floats(allow_nan=False),
                                          st.text(max_size=8), st.lists(st.integers(), max_size=2), st.just({})))
        text = json.dumps(doc)
    path = tmp_path / "damaged.pg2"
    path.write_text(text)
    try:
        read_cues(path, 24.0, 200)
    except ValidationError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
