"""A take's script from a text or subtitle file (core.script_files): the dialogue only, the cues
of the take's recording, through `script --file` and the Script dialog's Load…."""

import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talkface_studio.cli.main import main
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.project_file import load_project
from talkface_studio.core.script_files import read_script_file

SRT = """1
00:00:00,500 --> 00:00:02,000
<i>Hello there.</i>

2
00:00:02,500 --> 00:00:04,000
- Who's there?
- It's me! [DOOR SLAMS]

3
00:00:04,200 --> 00:00:05,000
{\\an8}♪ La la la ♪

4
00:00:06,000 --> 00:00:07,500
(laughing) <font color="#ffff00">Bob &amp; Mary</font> made 3 pies.

5
00:01:10,000 --> 00:01:12,000
DR. JONES: Words of a later scene.
"""

VTT = """WEBVTT
Kind: captions

NOTE written by the transcription service

intro
00:00.500 --> 00:02.000 align:start position:10%
<v Anna>Hello &amp; welcome,</v>

00:00:02.500 --> 00:00:04.000
<v.loud Ben>Maybe <c.yellow>Bob</c> put <00:00:03.200>the map
by my pen.</v>
"""

ASS = """[Script Info]
ScriptType: v4.00+

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.50,0:00:02.00,Default,Anna,0,0,0,,{\\i1}Hello there.{\\i0}\\NHow are you?
Comment: 0,0:00:02.00,0:00:03.00,Default,,0,0,0,,not said
Dialogue: 0,0:00:02.50,0:00:04.00,Default,Ben,0,0,0,,Fine, thanks.
"""


def test_subtitles_give_their_dialogue_one_cue_a_line(tmp_path):
    (tmp_path / "a.srt").write_text(SRT)
    read = read_script_file(tmp_path / "a.srt")
    # no numbers, timecodes, tags or sounds; a second speaker's dash gone; the music cue says nothing
    assert read.text == "Hello there.\nWho's there? It's me!\nBob & Mary made 3 pies.\nWords of a later scene."
    assert (read.cues, read.outside) == (4, 0)
    (tmp_path / "a.vtt").write_text(VTT)
    assert read_script_file(tmp_path / "a.vtt").text == "Hello & welcome,\nMaybe Bob put the map by my pen."
    (tmp_path / "a.ass").write_text(ASS)
    assert read_script_file(tmp_path / "a.ass").text == "Hello there. How are you?\nFine, thanks."
    # as Windows Notepad saves "Unicode": UTF-16 with a byte-order mark
    (tmp_path / "u16.srt").write_bytes(SRT.encode("utf-16"))
    assert read_script_file(tmp_path / "u16.srt").text == read.text
    # plain text is the script as it is (a BOM and the edges' blank lines aside)
    (tmp_path / "a.txt").write_bytes("\ufeff\n  Go forward ten meters.\n".encode("utf-8"))
    assert read_script_file(tmp_path / "a.txt").text == "Go forward ten meters."


def test_cues_after_the_takes_recording_are_left_out(tmp_path):
    (tmp_path / "a.srt").write_text(SRT)
    read = read_script_file(tmp_path / "a.srt", duration_s=8.0)
    assert read.text.splitlines()[-1] == "Bob & Mary made 3 pies." and (read.cues, read.outside) == (3, 1)
    with pytest.raises(ValidationError, match=r"every cue starts after the take's recording ends \(0.3 s\)"):
        read_script_file(tmp_path / "a.srt", duration_s=0.3)


@pytest.mark.parametrize("name, data, problem", [
    ("a.srt", b"1\n00:00:01,000 --> 00:00:02,000\n[MUSIC]\n", "no spoken words in its SRT cues"),
    ("a.srt", b"just some words\n", "no spoken words in its SRT cues"),
    ("a.vtt", b"WEBVTT\n\n00:01.000 --> 00:02.000\n\xe9t\xe9\n", "not UTF-8 text (bad byte at offset 32): save it as"),
    ("a.srt", b"", "no spoken words"),
])
def test_a_bad_script_file_is_refused_in_one_line_naming_it(tmp_path, name, data, problem):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ValidationError) as err:
        read_script_file(path)
    assert problem in str(err.value) and str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_script_command_reads_subtitles(demo_dir, tmp_path, capsys):
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    (tmp_path / "line.srt").write_text(SRT)
    assert main(["script", str(path), "--file", str(tmp_path / "line.srt")]) == 0
    captured = capsys.readouterr()
    # the demo's 8 s recording: the fifth cue, a minute later, is left out and said so after saving
    assert load_project(path).takes[0].generation.transcript == \
        "Hello there.\nWho's there? It's me!\nBob & Mary made 3 pies."
    assert "note: take 'line': 3 subtitle cue(s) of line.srt used; 1 starting after the take's recording left out" \
        in captured.err
    before = path.read_bytes()
    (tmp_path / "music.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n♪ ♪\n")
    assert main(["script", str(path), "--file", str(tmp_path / "music.vtt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "music.vtt: no spoken words in its VTT cues" in err[0]
    assert path.read_bytes() == before


@pytest.mark.gui
def test_the_script_dialog_loads_a_file(qtbot, tmp_path):
    pytest.importorskip("PySide6")
    from talkface_studio.ui.window.script_dialog import ScriptDialog

    (tmp_path / "a.srt").write_text(SRT)
    dialog = ScriptDialog(None, "take1", "typed words", None, "en", synchronous=True, duration_s=8.0)
    qtbot.addWidget(dialog)
    assert dialog.load(tmp_path / "a.srt")
    assert dialog.text().startswith("Hello there.\nWho's there?")
    assert dialog.state.text() == "3 subtitle cue(s) loaded; 1 after the recording's end left out"
    (tmp_path / "bad.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\n[MUSIC]\n")
    assert not dialog.load(tmp_path / "bad.srt")
    assert dialog.text().startswith("Hello there.") and "bad.srt: no spoken words" in dialog.state.text()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_damaged_subtitle_file_is_read_or_refused_in_one_line(tmp_path, data):
    suffix, text = data.draw(st.sampled_from([(".srt", SRT), (".vtt", VTT), (".ass", ASS)]))
    lines = text.splitlines()
    i = data.draw(st.integers(0, len(lines) - 1))
    lines[i] = data.draw(st.text(max_size=20))
    lines = lines[:data.draw(st.integers(1, len(lines)))]
    path = tmp_path / f"damaged{suffix}"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        read = read_script_file(path, 8.0)
    except ValidationError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
    else:
        assert read.text.strip() and not re.search(r"\d\d:\d\d[.,:]\d\d\d? -->", read.text)  # never a timing line


def test_new_takes_its_script_from_subtitles(tmp_path, capsys):
    from talkface_studio.pipeline.demo_project import demo_media_dir

    media = demo_media_dir()
    (tmp_path / "line.srt").write_text(SRT)
    assert main(["new", str(tmp_path / "a.tfs"), "--audio", str(media / "line.wav"), "--portrait",
                 str(media / "portrait.png"), "--script-file", str(tmp_path / "line.srt")]) == 0
    # the demo's recording is 8 s long: the cue a minute in is left out, and said so
    assert load_project(tmp_path / "a.tfs").takes[0].generation.transcript == \
        "Hello there.\nWho's there? It's me!\nBob & Mary made 3 pies."
    assert "1 starting after the recording left out" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse: one or the other
        main(["new", str(tmp_path / "b.tfs"), "--audio", str(media / "line.wav"), "--portrait",
              str(media / "portrait.png"), "--script-file", str(tmp_path / "line.srt"), "--transcript", "Hi"])
    capsys.readouterr()
    (tmp_path / "music.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\n[MUSIC]\n")
    assert main(["new", str(tmp_path / "c.tfs"), "--audio", str(media / "line.wav"), "--portrait",
                 str(media / "portrait.png"), "--script-file", str(tmp_path / "music.srt")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "music.srt: no spoken words" in err[0] and not (tmp_path / "c.tfs").exists()
