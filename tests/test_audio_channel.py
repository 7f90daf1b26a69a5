"""A take can name the channel of its recording the character speaks on (a field recorder's poly
WAV keeps each actor's lavalier on its own track): analysis, drafting, the waveform and scrubbing
use that channel alone; the project file, the CLI and the inspector keep and change it."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import espeak_events
from talkface_studio.audio.analysis import analyze
from talkface_studio.core.commands import SetAudioChannel, UndoStack
from talkface_studio.core.errors import MediaError, ProjectFileError, ValidationError
from talkface_studio.core.project import Project
from talkface_studio.core.project_file import load_project, save_project
from talkface_studio.core.take import Take
from talkface_studio.core.timebase import FrameRate
from trust_helpers import run_cli

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
LIPS = "Maybe Bob put the map by my pen."  # four p/b/m
TONGUE = "Tell the tall lady that it is late."  # none


def _take(channel=None) -> Take:
    return Take("t", None, None, FrameRate.parse(24), 10, audio_channel=channel)


@pytest.mark.parametrize("bad", [0, 65, -1, True, 1.5, "2"])
def test_a_channel_is_a_whole_number_from_one(bad):
    with pytest.raises(ValidationError, match="audio channel"):
        _take(bad)
    assert _take(None).audio_channel is None and _take(2).audio_channel == 2


def test_setting_the_channel_is_one_undo_step():
    project = Project([_take()])
    stack = UndoStack(project)
    stack.push(SetAudioChannel("t", 2))
    assert project.take("t").audio_channel == 2
    stack.push(SetAudioChannel("t", None))
    assert project.take("t").audio_channel is None
    stack.undo()
    assert project.take("t").audio_channel == 2
    stack.undo()
    assert project.take("t").audio_channel is None


def test_the_project_file_keeps_the_channel_and_refuses_a_bad_one(tmp_path):
    path = tmp_path / "p.tfs"
    save_project(Project([_take(3)]), path)
    saved = json.loads(path.read_text())["takes"][0]
    assert saved["audio_channel"] == 3 and saved["version"] == 3
    assert load_project(path).take("t").audio_channel == 3
    save_project(Project([_take()]), path)
    saved = json.loads(path.read_text())["takes"][0]
    assert "audio_channel" not in saved and saved["version"] == 1  # older releases still open it
    assert load_project(path).take("t").audio_channel is None
    for bad in (0, "two", 99):
        doc = json.loads(path.read_text())
        doc["takes"][0].update(audio_channel=bad, version=3)
        path.write_text(json.dumps(doc))
        with pytest.raises(ProjectFileError, match="audio_channel"):
            load_project(path)


@pytest.fixture(scope="module")
def two_actors(tmp_path_factory) -> Path:
    """A poly WAV: one actor's line on channel 1, another's on channel 2, spoken at the same time."""
    if not espeak_events.available():
        pytest.skip("libespeak-ng missing")
    a = espeak_events.speak(LIPS).samples
    b = espeak_events.speak(TONGUE, "en-us", 150, 70).samples
    n = max(len(a), len(b)) + 8000
    poly = np.zeros((n, 2), np.float32)
    poly[4000:4000 + len(a), 0] = a
    poly[4000:4000 + len(b), 1] = b
    path = tmp_path_factory.mktemp("poly") / "poly.wav"
    sf.write(path, poly, espeak_events.SAMPLE_RATE)
    return path


def _closures(features) -> int:
    return sum(p.phone in ("M", "P", "B") for p in features.phones)


def test_analysis_hears_only_the_chosen_channel(two_actors):
    first = analyze(two_actors, 25, transcript=LIPS, use_cache=False, channel=1)
    second = analyze(two_actors, 25, transcript=TONGUE, use_cache=False, channel=2)
    assert _closures(first) >= 4 and first.report.fallbacks == ()
    assert _closures(second) == 0 and second.report.fallbacks == ()  # the other actor is not on this track
    with pytest.raises(MediaError, match=r"poly\.wav.*2 channels.*no channel 3"):
        analyze(two_actors, 25, use_cache=False, channel=3)


@pytest.mark.usefixtures("private_cache")
def test_the_analysis_cache_keeps_channels_apart(two_actors, monkeypatch):
    first = analyze(two_actors, 25, transcript=LIPS, channel=1)
    second = analyze(two_actors, 25, transcript=LIPS, channel=2)  # same file, script and settings
    assert _closures(first) >= 4 and second.report.fallbacks  # LIPS is not said on channel 2
    from talkface_studio.audio import analysis

    decoded = []
    monkeypatch.setattr(analysis, "load_audio", lambda path: decoded.append(path))
    again = analyze(two_actors, 25, transcript=LIPS, channel=1)  # a take's report asks this often
    assert decoded == [] and again.phones == first.phones  # a hit decodes nothing


def test_cli_new_generate_and_info_carry_the_channel(tmp_path, two_actors, capsys):
    audio, portrait = tmp_path / "poly.wav", tmp_path / "face.png"
    shutil.copy(two_actors, audio)
    shutil.copy(DEMO / "portrait.png", portrait)
    tfs = tmp_path / "scene.tfs"
    bad = run_cli(["new", tmp_path / "bad.tfs", "--audio", audio, "--portrait", portrait, "--channel", "3"], capsys)
    assert bad.code == 2 and "no channel 3" in bad.err and "poly.wav" in bad.err and not (tmp_path / "bad.tfs").exists()
    assert run_cli(["new", tfs, "--audio", audio, "--portrait", portrait, "--channel", "two"], capsys).code == 2
    made = run_cli(["new", tfs, "--audio", audio, "--portrait", portrait, "--channel", "2"], capsys)
    assert made.code == 0 and "channel 2 of the recording" in made.out
    assert load_project(tfs).takes[0].audio_channel == 2
    info = run_cli(["info", "--json", tfs], capsys)
    assert json.loads(info.out)["takes"][0]["audio_channel"] == 2
    assert run_cli(["generate", tfs, "--channel", "mix"], capsys).code == 0
    assert load_project(tfs).takes[0].audio_channel is None
    assert run_cli(["generate", tfs, "--channel", "1"], capsys).code == 0
    assert load_project(tfs).takes[0].audio_channel == 1
    assert "(channel 1 alone)" in run_cli(["info", tfs], capsys).out


@pytest.mark.gui
def test_inspector_lists_the_recordings_channels_and_the_waveform_follows(window_with_line, two_actors):
    pytest.importorskip("pytestqt")
    w = window_with_line(two_actors)
    combo = w.inspector.channel
    assert combo.isEnabled() and [combo.itemText(i) for i in range(combo.count())] == [
        "Mix of all channels", "Channel 1", "Channel 2"]
    mix_peaks = w.timeline.waveform.peaks.levels[0][2].copy()
    combo.setCurrentIndex(2)
    combo.activated.emit(2)
    take = w.document.take
    assert take.audio_channel == 2 and w.take_status.stale  # the lip sync must be redone
    second = sf.read(two_actors, dtype="float32")[0][:, 1]
    peaks = w.timeline.waveform.peaks.levels[0][2]
    assert not np.allclose(peaks, mix_peaks)
    assert abs(peaks.max() - np.abs(second).max()) < 0.02  # channel 2's own level, not the mean's
    played, rate = sf.read(w.playback.media_path, dtype="float32")  # playback plays what lip sync hears
    assert played.ndim == 1 and rate == espeak_events.SAMPLE_RATE
    np.testing.assert_allclose(played, second, atol=1 / 16000)
    w.document.undo_stack.undo()
    assert take.audio_channel is None and combo.currentIndex() == 0
    assert Path(w.playback.media_path).name == "line.wav"  # the recording as it is


@pytest.mark.gui
def test_a_channel_the_recording_lacks_draws_the_mix_and_says_why(make_window, tmp_path):
    pytest.importorskip("pytestqt")
    from audio_fixtures import write_tone

    audio = write_tone(tmp_path / "line.wav")  # mono
    take = Take("t", audio, None, FrameRate.parse(24), 24, audio_channel=2)
    save_project(Project([take]), tmp_path / "p.tfs")
    w = make_window(size=None)
    assert w.files.open_project(tmp_path / "p.tfs")
    combo = w.inspector.channel
    assert combo.isEnabled() and combo.currentText() == "Channel 2 (not in the recording)"
    assert w.timeline.waveform.peaks is not None  # the mix is drawn, not an empty lane
    assert "no channel 2" in w.statusBar().currentMessage() and "line.wav" in w.statusBar().currentMessage()
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    assert w.document.take.audio_channel is None and combo.currentText() == "Mono" and not combo.isEnabled()
