"""The CLI tells the user where lip sync fell back, and takes the per-take mouth settings."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import espeak_events
from audio_fixtures import write_speech_around_noise
from talkface_studio.cli.main import main
from talkface_studio.core.project_file import load_project

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
SCRIPT = "Maybe Bob put the bumpy map by my pen. Mom made a bubbly apple pie."


pytestmark = pytest.mark.usefixtures("private_cache")  # analyses cached in tmp_path


@pytest.fixture
def noisy_take(tmp_path):
    """Two espeak sentences with a second of loud noise between them (the noise matches no word)."""
    if not espeak_events.available():
        pytest.skip("libespeak-ng is not installed")
    audio = tmp_path / "line.wav"
    start, _ = write_speech_around_noise(audio, SCRIPT)
    portrait = tmp_path / "face.png"
    shutil.copy(DEMO / "portrait.png", portrait)
    return audio, portrait, start


def test_generate_prints_one_line_per_fallen_back_stretch_and_stores_mouth_settings(tmp_path, noisy_take, capsys):
    audio, portrait, noise_start = noisy_take
    project = tmp_path / "scene.tfs"
    assert main(["new", str(project), "--audio", str(audio), "--portrait", str(portrait), "--fps", "25",
                 "--transcript", SCRIPT, "--jaw-amount", "1.4"]) == 0
    capsys.readouterr()
    # render regenerates a take that was never generated, and says where lip sync fell back too
    assert main(["render", str(project), "-o", str(tmp_path / "frames") + "/", "--frames", "0-1", "--size", "64",
                 "--no-cache"]) == 0
    assert "matches no words of the script" in capsys.readouterr().err
    assert main(["generate", str(project), "--closure-strength", "0.8"]) == 0
    out, err = capsys.readouterr()
    assert "1 stretch fell back" in out
    warnings = [line for line in err.splitlines() if line.startswith("warning: take 'take1': ")]
    assert len(warnings) == 1
    first_frame = int(warnings[0].split("(frames ")[1].split("-")[0])
    # the stretch starts in the pause before the noise (stretches meet in the middle of pauses)
    assert (noise_start - 0.5) * 25 <= first_frame <= noise_start * 25 + 2
    assert "00:00:0" in warnings[0] and "matches no words of the script" in warnings[0]
    take = load_project(project).takes[0]
    assert take.generation.options == {"jaw_amount": 1.4, "closure_strength": 0.8}
    assert 0.75 < take.channel("lip_press").base.max() < 0.9  # a lazy seal: the lips never press fully


def test_bad_mouth_setting_is_one_line_and_changes_nothing(tmp_path, capsys):
    audio = tmp_path / "a.wav"
    sf.write(audio, np.zeros(16000, np.float32) + 0.1 * np.sin(np.arange(16000) / 5), 16000)
    shutil.copy(DEMO / "portrait.png", tmp_path / "f.png")
    project = tmp_path / "s.tfs"
    rc = main(["new", str(project), "--audio", str(audio), "--portrait", str(tmp_path / "f.png"),
               "--round-amount", "lots"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and not project.exists()
    assert err.count("\n") == 0 and "round_amount must be a number" in err
    assert main(["new", str(project), "--audio", str(audio), "--portrait", str(tmp_path / "f.png")]) == 0
    before = project.read_bytes()
    assert main(["generate", str(project), "--closure-strength", "3"]) == 2
    assert "closure_strength must be between 0 and 1.5" in capsys.readouterr().err
    assert project.read_bytes() == before


def _speech_take(tmp_path):
    audio = tmp_path / "voice.wav"
    shutil.copy(Path(__file__).parent / "data" / "speech" / "en_m_librivox_sense_0890.wav", audio)
    shutil.copy(DEMO / "portrait.png", tmp_path / "face.png")
    return audio, tmp_path / "face.png"


def test_closure_hearing_is_stored_shown_by_info_and_closes_the_lips_more(tmp_path, capsys):
    """A take without a script: `--closure-hearing 2` on `new` is kept in the project, `info` shows
    it, and Generate closes the lips on more frames than at 1 (`generate --closure-hearing 1`)."""
    audio, portrait = _speech_take(tmp_path)
    project = tmp_path / "s.tfs"
    assert main(["new", str(project), "--audio", str(audio), "--portrait", str(portrait), "--fps", "25",
                 "--closure-hearing", "2"]) == 0
    assert load_project(project).takes[0].generation.options == {"closure_hearing": 2.0}
    capsys.readouterr()
    assert main(["info", str(project)]) == 0
    assert "mouth: closure_hearing 2 (others 1)" in capsys.readouterr().out
    # a render of the take never generated says it too (the frames are performed for it)
    assert main(["render", str(project), "-o", str(tmp_path / "frames"), "--frames", "0-0", "--size", "64"]) == 0
    assert "no script, so the lip sync recognized the speech" in capsys.readouterr().err
    assert main(["generate", str(project)]) == 0
    # without a script, Generate says what a script would give and how to get one
    err = capsys.readouterr().err
    assert ("note: take 'take1': no script, so the lip sync recognized the speech and may miss a p, b or m; a "
            "script places every one (`script --draft` drafts one from the audio, to correct; `--file` reads a "
            "text or subtitle file)") in err
    pressed_2 = (load_project(project).takes[0].channel("lip_press").base > 0.5).sum()
    assert main(["generate", str(project), "--closure-hearing", "1"]) == 0
    take = load_project(project).takes[0]
    assert take.generation.options == {"closure_hearing": 1.0}
    assert (take.channel("lip_press").base > 0.5).sum() < pressed_2
    capsys.readouterr()
    assert main(["info", "--json", str(project)]) == 0
    assert json.loads(capsys.readouterr().out)["takes"][0]["mouth"]["closure_hearing"] == 1.0


@pytest.mark.parametrize("value, message", [(5, "closure_hearing must be between 0 and 2, got 5"),
                                            ("loud", "closure_hearing must be a number, got 'loud'")])
def test_a_project_without_closure_hearing_has_the_default_and_a_bad_hand_edit_is_one_line(
        tmp_path, capsys, value, message):
    audio, portrait = _speech_take(tmp_path)
    project = tmp_path / "s.tfs"
    assert main(["new", str(project), "--audio", str(audio), "--portrait", str(portrait), "--fps", "25"]) == 0
    assert "closure_hearing" not in project.read_text()  # as every project written before the setting
    capsys.readouterr()
    assert main(["info", "--json", str(project)]) == 0
    assert json.loads(capsys.readouterr().out)["takes"][0]["mouth"]["closure_hearing"] == 1.0
    doc = json.loads(project.read_text())
    doc["takes"][0]["generation"]["options"]["closure_hearing"] = value
    project.write_text(json.dumps(doc))
    before = project.read_bytes()
    assert main(["generate", str(project)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err and "take 'take1'" in err
    assert project.read_bytes() == before


def test_generate_says_when_the_fallbacks_come_from_a_script_in_another_language(tmp_path, capsys):
    """A French recording and its script in a take left at English: stretches fall back, and one
    note says why; with the take's language set, nothing falls back and no note is printed."""
    speech = Path(__file__).resolve().parent / "data" / "speech"
    script = json.loads((speech / "fr_f_asterisk_dir_intro.json").read_text(encoding="utf-8"))["text"]
    project = str(tmp_path / "scene.tfs")
    assert main(["new", project, "--audio", str(speech / "fr_f_asterisk_dir_intro.wav"), "--portrait",
                 str(DEMO / "portrait.png"), "--transcript", script, "--language", "en"]) == 0
    capsys.readouterr()
    assert main(["generate", project]) == 0
    err = capsys.readouterr().err
    assert "warning: take 'take1'" in err
    assert "note: take 'take1': the script looks French (fr) but the take's language is English (en)" in err
    assert main(["script", project, "--language", "fr-CA"]) == 0
    capsys.readouterr()
    assert main(["generate", project]) == 0
    err = capsys.readouterr().err
    assert "warning:" not in err and "note:" not in err
    # without its script a French take is told to type one (drafting is English only)
    assert main(["script", project, "--clear"]) == 0
    capsys.readouterr()
    assert main(["generate", project]) == 0
    assert "a script places every one (`script --text` or `--file` sets it, from text or subtitles)" in \
        capsys.readouterr().err
