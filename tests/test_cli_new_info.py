"""`talkface-studio new` and `info`, run in-process: real audio and image files, one-line errors."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from talkface_studio.cli.main import main
from talkface_studio.core.project_file import load_project

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"


@pytest.fixture
def media(tmp_path):
    audio = tmp_path / "line.wav"
    t = np.arange(int(2.5 * 16000)) / 16000
    sf.write(audio, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    portrait = tmp_path / "face.png"
    shutil.copy(DEMO / "portrait.png", portrait)
    return audio, portrait


def new(tmp_path, media, *extra, name="scene.tfs"):
    audio, portrait = media
    return main(["new", str(tmp_path / name), "--audio", str(audio), "--portrait", str(portrait), *extra])


def test_new_writes_a_project_with_frames_and_segments(tmp_path, media, capsys):
    rc = new(tmp_path, media, "--fps", "25", "--emotion", "happy:3@0.2-1.0", "--emotion", "sad@0.8-2",
             "--take", "line 4", "--seed", "11", "--transcript", "hello world")
    assert rc == 0
    project = load_project(tmp_path / "scene.tfs")
    take = project.take("line 4")
    assert take.n_frames == 63 and str(take.rate) == "25"  # 2.5 s at 25 fps, rounded up
    assert [(s.start, s.end, s.emotion, s.level) for s in take.emotion_track.segments] == [
        (5, 20, "happy", 3), (20, 50, "sad", 2)]
    assert take.generation.seed == 11 and take.generation.transcript == "hello world"
    assert take.audio_path == media[0] and take.portrait_path == media[1]
    saved = json.loads((tmp_path / "scene.tfs").read_text())
    assert saved["takes"][0]["audio"] == "line.wav"
    assert "63 frames" in capsys.readouterr().out


def test_info_lists_takes_timecodes_segments_and_layers(tmp_path, media, capsys):
    assert new(tmp_path, media, "--fps", "24", "--emotion", "fear:1@0.5-1.5") == 0
    capsys.readouterr()
    assert main(["info", str(tmp_path / "scene.tfs")]) == 0
    out = capsys.readouterr().out
    assert "24 fps, 60 frames (00:00:02:12" in out
    assert "00:00:00:12 - 00:00:01:12  fear 1  (frames 12-36)" in out
    assert "edit layers: none" in out
    assert main(["info", "--json", str(tmp_path / "scene.tfs")]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["takes"][0]["segments"][0]["start"] == 12


def test_new_refuses_to_overwrite_without_force(tmp_path, media, capsys):
    assert new(tmp_path, media) == 0
    first = (tmp_path / "scene.tfs").read_bytes()
    capsys.readouterr()
    assert new(tmp_path, media, "--emotion", "angry@0-1") == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err and err.count("\n") == 1
    assert (tmp_path / "scene.tfs").read_bytes() == first
    assert new(tmp_path, media, "--emotion", "angry@0-1", "--force") == 0
    assert load_project(tmp_path / "scene.tfs").takes[0].emotion_track.segments[0].emotion == "angry"


@pytest.mark.parametrize("args, message", [
    (["--emotion", "glee@0-1"], "unknown emotion 'glee'"),
    (["--emotion", "happy:4@0-1"], "level must be 1-3"),
    (["--emotion", "happy@2-1"], "must end after it starts"),
    (["--emotion", "happy@1-9"], "only 2.50 s long"),
    (["--emotion", "happy 0-1"], "expected EMOTION[:LEVEL]@START-END"),
    (["--fps", "23"], "unsupported frame rate"),
    (["--take", " "], "take name"),
])
def test_bad_arguments_print_one_line_and_exit_2(tmp_path, media, capsys, args, message):
    assert new(tmp_path, media, *args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "scene.tfs").exists()


def test_bad_media_is_named(tmp_path, media, capsys):
    audio, portrait = media
    assert main(["new", str(tmp_path / "a.tfs"), "--audio", str(portrait), "--portrait", str(portrait)]) == 2
    assert str(portrait) in capsys.readouterr().err
    assert main(["new", str(tmp_path / "b.tfs"), "--audio", str(audio), "--portrait", str(audio)]) == 2
    err = capsys.readouterr().err
    assert str(audio) in err and err.count("\n") == 1
    assert main(["new", str(tmp_path / "c.tfs"), "--audio", str(tmp_path / "nope.wav"), "--portrait",
                 str(portrait)]) == 2
    assert "nope.wav" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.tfs"))


def test_info_on_a_broken_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "broken.tfs"
    bad.write_text('{"schema": "talkface.project", "schema_version": 9, "takes": []}')
    assert main(["info", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "newer TalkFace Studio (schema 9)" in err and err.count("\n") == 1


def test_version_and_a_subcommand_import_only_what_they_need():
    """`--version` answers without torch or numpy, and a subcommand loads only its own module."""
    import subprocess
    import sys

    code = ("import sys\nfrom talkface_studio.cli.main import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print('LOADED', 'torch' in sys.modules, 'numpy' in sys.modules,"
            " 'talkface_studio.cli.cmd_new' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "device:" in out
    assert out.strip().splitlines()[-1] == "LOADED False False False"
    from talkface_studio.cli.main import build_parser

    parser = build_parser("info")
    assert parser.parse_args(["info", "x.tfs"]).command == "info"


def test_new_says_when_a_small_face_will_render_soft(tmp_path, media, capsys):
    from PIL import Image

    audio, portrait = media
    canvas = Image.new("RGB", (1920, 1080), (30, 35, 40))  # the demo photo small in an HD frame
    canvas.paste(Image.open(portrait).convert("RGB").resize((256, 256)), (1500, 700))
    small = tmp_path / "wide.png"
    canvas.save(small)
    assert new(tmp_path, (audio, small)) == 0
    err = capsys.readouterr().err
    assert err.startswith("note: the face is small in wide.png") and "plate" in err
    assert new(tmp_path, media, name="other.tfs") == 0
    assert "note:" not in capsys.readouterr().err  # the demo photo's face is not small


def test_new_picks_a_face_of_several_and_says_so(tmp_path, media, capsys):
    pair = Path(__file__).resolve().parent / "data" / "portraits" / "more" / "turned_glasses_beard_pair.jpg"
    audio, _ = media
    assert new(tmp_path, (audio, pair), "--face", "1") == 0
    err = capsys.readouterr().err
    assert "note: 2 faces in turned_glasses_beard_pair.jpg: animating face 1 from the left" in err
    fit = load_project(tmp_path / "scene.tfs").takes[0].portrait_fit
    assert (fit["faces_found"], fit["face_number"]) == (2, 1)
    capsys.readouterr()
    assert main(["info", str(tmp_path / "scene.tfs")]) == 0
    assert "turned_glasses_beard_pair.jpg  (face 1 of 2, from the left)" in capsys.readouterr().out
    assert new(tmp_path, (audio, pair), "--face", "4", name="bad.tfs") != 0
    assert "there is no face 4" in capsys.readouterr().err and not (tmp_path / "bad.tfs").exists()


def test_a_changed_photo_of_several_people_is_fitted_again_on_the_same_face(tmp_path, media, capsys):
    from PIL import Image

    from talkface_studio.pipeline.take_cache import TakeCache

    pair = tmp_path / "pair.jpg"
    Image.open(Path(__file__).resolve().parent / "data" / "portraits" / "more" / "turned_glasses_beard_pair.jpg"
               ).save(pair, quality=95)
    assert new(tmp_path, (media[0], pair), "--face", "1") == 0
    Image.open(pair).save(pair, quality=80)  # retouched: the stored fit no longer matches it
    project = load_project(tmp_path / "scene.tfs")
    fit, stored = TakeCache().fit(project.takes[0], tmp_path / "scene.tfs")
    assert stored is not None and (fit.faces_found, fit.face_number) == (2, 1)


FRENCH = "Il y a du pain à la maison et nous sommes dans la cuisine pour le dîner."


def test_new_takes_the_language_a_script_is_clearly_written_in(tmp_path, media, capsys):
    assert new(tmp_path, media, "--transcript", FRENCH) == 0
    assert load_project(tmp_path / "scene.tfs").takes[0].language == "fr"
    assert "note: language fr, which the transcript is written in" in capsys.readouterr().err
    assert new(tmp_path, media, "--transcript", FRENCH, "--language", "en", name="en.tfs") == 0
    assert load_project(tmp_path / "en.tfs").takes[0].language == "en"  # said, not changed
    assert "the script looks French (fr) but the take's language is English (en)" in capsys.readouterr().err
    assert new(tmp_path, media, "--transcript", "Go forward ten meters", name="short.tfs") == 0
    assert load_project(tmp_path / "short.tfs").takes[0].language == "en"  # too short to tell: English


def test_new_reads_a_shared_writing_as_its_most_spoken_language_and_says_so(tmp_path, media, capsys):
    """Cyrillic with no letter that tells the language: Russian, never English (whose voice cannot
    read it), and the note names the languages it may be."""
    assert new(tmp_path, media, "--transcript", "Бях в парка с мама.") == 0
    assert load_project(tmp_path / "scene.tfs").takes[0].language == "ru"
    err = capsys.readouterr().err
    assert "note: language ru, the most spoken of the languages the transcript's writing may be (bg, kk, mk, ru, " in err
    assert new(tmp_path, media, "--transcript", "Бях в парка с мама.", "--language", "bg", name="bg.tfs") == 0
    assert "note:" not in capsys.readouterr().err  # a Bulgarian take: nothing odd


def test_script_sets_the_language_and_says_when_the_script_is_in_another(tmp_path, media, capsys):
    assert new(tmp_path, media) == 0
    capsys.readouterr()
    assert main(["script", str(tmp_path / "scene.tfs"), "--text", FRENCH]) == 0
    assert "note: take 'take1': the script looks French (fr)" in capsys.readouterr().err
    assert main(["script", str(tmp_path / "scene.tfs"), "--language", "fr-CA"]) == 0
    take = load_project(tmp_path / "scene.tfs").takes[0]
    assert (take.language, take.generation.transcript) == ("fr-CA", FRENCH)
    assert "note:" not in capsys.readouterr().err
    assert main(["script", str(tmp_path / "scene.tfs"), "--language", "xx"]) != 0
    assert load_project(tmp_path / "scene.tfs").takes[0].language == "fr-CA"


def test_script_is_another_name_for_transcript_and_abbreviations_are_refused(tmp_path, media, capsys):
    assert new(tmp_path, media, "--script", "Hello there.") == 0  # was read as --script-fallback
    assert load_project(tmp_path / "scene.tfs").takes[0].generation.transcript == "Hello there."
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        new(tmp_path, media, "--scr", "Hello there.", name="other.tfs")  # not guessed
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --scr" in err and err.strip().endswith("--help)")
    assert not (tmp_path / "other.tfs").exists()
