"""The CLI tells the user where lip sync fell back, and takes the per-take mouth settings."""

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
