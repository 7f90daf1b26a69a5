"""The spoken language of a take: tags, the supported list, the project file (schema 2 and the
upgrade of schema 1), `new --language`, `info`, and the undoable SetLanguage command."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from talkface_studio.audio.languages import LANGUAGES, PINYIN, REGIONAL_VOICES, check_language, espeak_voice
from talkface_studio.cli.main import main
from talkface_studio.core import commands as C
from talkface_studio.core import project_file as pf
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.language_code import normalize_language
from talkface_studio.core.project import Project
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate
from audio_fixtures import write_tone

GOLDEN = Path(__file__).parent / "golden"
DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"


@pytest.mark.parametrize("tag, normal", [("en", "en"), ("EN_us", "en-US"), ("fr-ca", "fr-CA"),
                                         ("zh-hans-cn", "zh-Hans-CN"), ("es-419", "es-419"), (" ja ", "ja")])
def test_tags_are_normalised(tag, normal):
    assert normalize_language(tag) == normal


@pytest.mark.parametrize("bad", ["", "english!", "e", "en--", 3, None, "en" + "-abc" * 20])
def test_malformed_tags_are_refused(bad):
    with pytest.raises(ValidationError, match="BCP-47"):
        normalize_language(bad)


def test_voices_follow_language_and_region():
    assert espeak_voice("en") == "en-us" and espeak_voice("en-GB") == "en-gb"
    assert espeak_voice("fr-CA") == "fr-fr" and espeak_voice("it-IT") == "it"  # no regional voice: the language's
    assert espeak_voice("pt-br") == "pt-br" and espeak_voice("es-MX") == "es-419"
    assert espeak_voice("yue-HK") == "yue"


def test_unknown_language_is_refused_with_the_list():
    with pytest.raises(ValidationError) as err:
        check_language("xx")
    message = str(err.value)
    assert "'xx' is not supported" in message and "\n" not in message
    for code in ("en", "es", "de", "fr", "it", "ja"):
        assert f" {code}," in message or f" {code} " in message


def test_every_voice_exists_in_the_installed_espeak():
    listed = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, check=True).stdout
    installed = {line.split()[1].lower() for line in listed.splitlines()[1:] if line.split()}
    wanted = {v for _, v in LANGUAGES.values() if v != PINYIN} | set(REGIONAL_VOICES.values())
    assert wanted <= installed, wanted - installed


def test_language_round_trips_and_undoes(tmp_path):
    take = Take("t", None, None, FrameRate(25), 10, language="fr-ca")
    assert take.language == "fr-CA"
    project = Project([take], {})
    stack = C.UndoStack(project)
    stack.push(C.SetLanguage("t", "JA"))
    assert take.language == "ja"
    path = pf.save_project(project, tmp_path / "p.tfs")
    assert json.loads(path.read_text())["takes"][0]["language"] == "ja"
    assert pf.load_project(path).take("t").language == "ja"
    stack.undo()
    assert take.language == "fr-CA" and take.copy().language == "fr-CA"
    with pytest.raises(ValidationError):
        C.SetLanguage("t", "not a tag")


def test_golden_schema_2_file_reads():
    """The current schema, as written by this version (never edit it; add an upgrade instead)."""
    take = pf.load_project(GOLDEN / "project_v2.tfs").take("take1")
    assert take.language == "fr-CA" and take.n_frames == 120 and take.generation.transcript == "Hello there"


def test_schema_1_files_load_as_english(tmp_path):
    project = pf.load_project(GOLDEN / "project_v1.tfs")
    assert project.take("take1").language == "en"
    out = pf.save_project(project, tmp_path / "up.tfs")
    doc = json.loads(out.read_text())
    assert doc["schema_version"] == pf.CURRENT_VERSION == 2 and doc["takes"][0]["language"] == "en"


def test_a_bad_language_in_a_file_names_its_path(tmp_path):
    doc = json.loads((GOLDEN / "project_v2.tfs").read_text())
    doc["takes"][0]["language"] = "??"
    bad = tmp_path / "bad.tfs"
    bad.write_text(json.dumps(doc))
    with pytest.raises(pf.ProjectFileError, match=r"takes\[0\]\.language: language must be a BCP-47"):
        pf.load_project(bad)


@pytest.fixture
def media(tmp_path):
    audio = tmp_path / "line.wav"
    write_tone(audio)
    portrait = tmp_path / "face.png"
    shutil.copy(DEMO / "portrait.png", portrait)
    return audio, portrait


def test_new_language_is_saved_and_shown_by_info(tmp_path, media, capsys):
    audio, portrait = media
    out = tmp_path / "scene.tfs"
    assert main(["new", str(out), "--audio", str(audio), "--portrait", str(portrait), "--language", "fr-ca"]) == 0
    assert pf.load_project(out).takes[0].language == "fr-CA"
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    assert "take 'take1' (fr-CA)" in capsys.readouterr().out
    assert main(["info", "--json", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["takes"][0]["language"] == "fr-CA"


def test_new_refuses_an_unknown_language_in_one_line(tmp_path, media, capsys):
    audio, portrait = media
    out = tmp_path / "scene.tfs"
    rc = main(["new", str(out), "--audio", str(audio), "--portrait", str(portrait), "--language", "xx"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and not out.exists()
    assert err.count("\n") == 0 and "language 'xx' is not supported; supported:" in err and "ja" in err
