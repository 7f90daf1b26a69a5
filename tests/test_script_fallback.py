"""A take's "Script fallback" (script_fallback): how readily words of a script that do not match the
audio fall back to recognition. 0 keeps the script wherever it can be placed (an artist's exact
script the recognizer mishears), 1 is the shipped behaviour, 2 gives words up more readily; a
change is never served the old phones from the cache, and a take without a script is unaffected."""

import json
from pathlib import Path

import pytest

from audio_fixtures import needs_espeak
from talkface_studio.audio.analysis import analyze
from talkface_studio.cli.main import main
from talkface_studio.core.project_file import load_project
from talkface_studio.pipeline.generation_stamp import lipsync_digest

pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("private_cache")
SPEECH = Path(__file__).parent / "data" / "speech"
PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"
FRENCH = SPEECH / "fr_f_asterisk_dir_intro.wav"
OTHER_FRENCH_TEXT = ("Le chat noir dort sur le canapé rouge pendant que les enfants jouent dehors sous la pluie "
                     "fine du matin. Mon oncle achète du pain frais chaque jour à la boulangerie du village "
                     "voisin, puis il rentre à pied.")


def recognized(features) -> list:
    return [s for s in features.report.stretches if s.path == "recognized"]


@needs_espeak
def test_at_zero_a_script_that_does_not_match_is_followed_and_not_reported():
    """The viseme aligner (French): another text over the recording falls back at 1 and says so;
    at 0 every word stays aligned, the phones follow the script, and nothing is reported."""
    shipped = analyze(FRENCH, 25, transcript=OTHER_FRENCH_TEXT, language="fr-CA")
    kept = analyze(FRENCH, 25, transcript=OTHER_FRENCH_TEXT, language="fr-CA", script_fallback=0.0)
    assert recognized(shipped) and shipped.report.fallbacks
    assert recognized(kept) == [] and kept.report.fallbacks == ()
    assert {s.path for s in kept.report.stretches} == {"aligned"}
    a, b = recognized(shipped)[0].start_frame, recognized(shipped)[0].end_frame
    assert list(kept.phone_at()[a:b]) != list(shipped.phone_at()[a:b])  # not the cached fallback phones


@needs_espeak
def test_two_gives_words_up_at_least_as_readily_as_one():
    meta = json.loads((SPEECH / "fr_f_asterisk_dir_intro.json").read_text())
    own = [analyze(FRENCH, 25, transcript=meta["text"], language="fr-CA", script_fallback=v) for v in (1.0, 2.0)]
    wrong = [analyze(FRENCH, 25, transcript=OTHER_FRENCH_TEXT, language="fr-CA", script_fallback=v)
             for v in (1.0, 2.0)]
    assert own[0].report.fallbacks == ()
    fell_back = [sum(s.end_frame - s.start_frame for s in recognized(f)) for f in wrong]
    assert fell_back[1] >= fell_back[0] > 0


def test_english_wrong_words_are_kept_at_zero():
    """pocketsphinx's path: a substituted word ("ten" -> "mop") is recognized and reported at 1;
    at 0 the wrong-word check is off and "mop" keeps its closure."""
    text = json.loads((SPEECH / "en_m_goforward.json").read_text())["text"].replace("ten", "mop", 1)
    shipped = analyze(SPEECH / "en_m_goforward.wav", 25, transcript=text)
    kept = analyze(SPEECH / "en_m_goforward.wav", 25, transcript=text, script_fallback=0.0)
    assert any("does not sound like the script" in s.reason for s in shipped.report.fallbacks)
    assert not any("does not sound like the script" in s.reason for s in kept.report.fallbacks)
    assert (kept.phone_at() == "M").sum() > (shipped.phone_at() == "M").sum()


def test_without_a_script_the_setting_changes_nothing():
    voice = SPEECH / "en_m_praatio_bobby.wav"
    assert list(analyze(voice, 25, script_fallback=0.0).phone_at()) == list(analyze(voice, 25).phone_at())


def test_the_lipsync_stamp_is_unchanged_at_one_and_moves_with_the_setting(tmp_path):

    project = tmp_path / "s.tfs"
    assert main(["new", str(project), "--audio", str(SPEECH / "en_m_goforward.wav"), "--portrait", str(PORTRAIT),
                 "--fps", "25"]) == 0
    take = load_project(project).takes[0]
    before = lipsync_digest(take, "audio-digest")
    take.generation.options["script_fallback"] = 1.0
    assert lipsync_digest(take, "audio-digest") == before  # every stamp made before the setting holds
    take.generation.options["script_fallback"] = 0.0
    assert lipsync_digest(take, "audio-digest") != before


def test_the_cli_stores_it_and_info_shows_it(tmp_path, capsys):
    project = tmp_path / "s.tfs"
    assert main(["new", str(project), "--audio", str(SPEECH / "en_m_goforward.wav"), "--portrait", str(PORTRAIT),
                 "--fps", "25", "--script-fallback", "0"]) == 0
    assert load_project(project).takes[0].generation.options == {"script_fallback": 0.0}
    capsys.readouterr()
    assert main(["info", str(project)]) == 0
    assert "mouth: script_fallback 0 (others 1)" in capsys.readouterr().out
    assert main(["generate", str(project), "--script-fallback", "3"]) == 2
    assert "script_fallback must be between 0 and 2, got '3'" in capsys.readouterr().err


@needs_espeak
def test_generate_at_zero_no_longer_reports_the_stretches_it_reported_at_one(tmp_path, capsys):
    """Through the project: the take's setting reaches the analysis Generate runs."""
    project = tmp_path / "s.tfs"
    assert main(["new", str(project), "--audio", str(FRENCH), "--portrait", str(PORTRAIT), "--fps", "25",
                 "--language", "fr-CA", "--transcript", OTHER_FRENCH_TEXT]) == 0
    capsys.readouterr()
    assert main(["generate", str(project)]) == 0
    assert "fell back" in capsys.readouterr().out
    assert main(["generate", str(project), "--script-fallback", "0"]) == 0
    out = capsys.readouterr().out
    assert "aligned to the script" in out and "fell back" not in out
