"""A draft of a take's script from English audio (audio.draft_script) and `talkface-studio script`:
the words pocketsphinx hears, offline, for the artist to correct; a script shown, set, cleared."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from talkface_studio.audio.draft_script import MAX_PIECE_S, PAD_S, _pieces, draft_script
from talkface_studio.cli.main import main
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.project_file import load_project
from talkface_studio.pipeline.cancel import CancelToken, JobCancelled

SPEECH = Path(__file__).resolve().parent / "data" / "speech"
PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"


def test_the_words_of_a_clear_english_line_are_heard():
    seen = []
    text = draft_script(SPEECH / "en_m_goforward.wav", "en-US", progress=lambda d, t: seen.append((d, t)))
    assert text == "go forward ten meters"
    assert seen and seen[-1][0] == seen[-1][1] > 0          # progress ends at the whole


def test_a_longer_reading_is_mostly_right():
    text = draft_script(SPEECH / "en_m_librivox_sense_0890.wav")
    said = "unless to be rather cold hearted and rather selfish is to be ill disposed".split()
    heard = set(text.split())
    assert sum(w in heard for w in said) >= 0.6 * len(said)


def test_only_english_is_drafted_and_the_message_says_what_to_do():
    with pytest.raises(ValidationError, match="English speech only.*French script"):
        draft_script(SPEECH / "fr_f_asterisk_dir_intro.wav", "fr")


def test_silence_is_refused_by_name_and_a_cancel_stops(tmp_path):
    from talkface_studio.core.errors import MediaError

    quiet = tmp_path / "quiet.wav"
    sf.write(quiet, np.zeros(16000, np.float32), 16000)
    with pytest.raises(MediaError, match="quiet.wav: contains only silence"):
        draft_script(quiet)
    token = CancelToken()
    token.cancel()
    with pytest.raises(JobCancelled):
        draft_script(SPEECH / "en_m_goforward.wav", cancel=token)


def test_pieces_are_cut_at_pauses_and_never_too_long():
    sr = 16000
    rng = np.random.default_rng(0)
    parts = []
    for seconds in (4.0, 6.0, 9.0, 40.0):                    # speech-like noise between 0.5 s pauses
        parts += [0.3 * rng.standard_normal(int(seconds * sr)), np.zeros(sr // 2)]
    x = np.concatenate(parts).astype(np.float32)
    pieces = _pieces(x)
    lengths = [(b - a) / sr for a, b in pieces]
    assert max(lengths) <= MAX_PIECE_S + 2 * PAD_S + 1e-6
    assert len(pieces) >= 4                                  # 4 + 6 joined, 9 alone, 40 cut into three
    covered = np.zeros(len(x), bool)
    for a, b in pieces:
        covered[a:b] = True
    assert covered[np.abs(x) > 0].all()                      # no speech is left out


@pytest.fixture
def project(tmp_path):
    tfs = tmp_path / "p.tfs"
    shutil.copy(SPEECH / "en_m_goforward.wav", tmp_path / "line.wav")
    assert main(["new", str(tfs), "--audio", str(tmp_path / "line.wav"), "--portrait", str(PORTRAIT)]) == 0
    return tfs


def test_script_command_shows_sets_drafts_and_clears(project, capsys):
    assert main(["script", str(project)]) == 0
    assert "no script" in capsys.readouterr().out
    assert main(["script", str(project), "--text", "  Go forward ten metres.  "]) == 0
    assert load_project(project).takes[0].generation.transcript == "Go forward ten metres."
    assert main(["info", str(project)]) == 0
    assert "script: Go forward ten metres." in capsys.readouterr().out
    assert main(["script", str(project), "--draft"]) == 0
    assert load_project(project).takes[0].generation.transcript == "go forward ten meters"
    assert main(["script", str(project), "--clear"]) == 0
    assert load_project(project).takes[0].generation.transcript is None


def test_script_command_refuses_bad_input_and_leaves_the_project_alone(project, tmp_path, capsys):
    before = project.read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    from talkface_studio.core.json_reader import MAX_TEXT
    for args, said in ((["--text", "   "], "empty"), (["--file", str(bad)], "not UTF-8"),
                       (["--text", "x" * (MAX_TEXT + 1)], "at most"),
                       (["--file", str(tmp_path / "none.txt")], "none.txt"), (["--take", "nope"], "no take named")):
        assert main(["script", str(project), *args]) == 2
        assert said in capsys.readouterr().err
    from talkface_studio.core.commands import SetLanguage
    from talkface_studio.core.project_file import save_project
    p = load_project(project)
    SetLanguage(p.takes[0].name, "fr").do(p)
    save_project(p, backup=False)
    before = project.read_bytes()
    assert main(["script", str(project), "--draft"]) == 2
    assert "English speech only" in capsys.readouterr().err
    assert project.read_bytes() == before


def test_a_script_the_project_file_could_not_load_again_is_refused_everywhere(tmp_path):
    """A project file refuses strings over MAX_TEXT characters on load, so a longer script, once
    saved, locked the artist out of the project: every way in now refuses it."""
    from talkface_studio.core.commands import SetGeneration
    from talkface_studio.core.json_reader import MAX_TEXT
    from talkface_studio.pipeline.new_project import new_project

    tfs = tmp_path / "long.tfs"
    with pytest.raises(ValidationError, match="at most"):
        new_project(tfs, SPEECH / "en_m_goforward.wav", PORTRAIT, transcript="x" * (MAX_TEXT + 1))
    assert not tfs.exists()
    assert main(["new", str(tfs), "--audio", str(SPEECH / "en_m_goforward.wav"), "--portrait", str(PORTRAIT)]) == 0
    p = load_project(tfs)
    with pytest.raises(ValidationError, match="at most"):
        SetGeneration(p.takes[0].name, transcript="x" * (MAX_TEXT + 1)).do(p)
    assert p.takes[0].generation.transcript is None
    SetGeneration(p.takes[0].name, transcript="x" * MAX_TEXT).do(p)   # the longest the file keeps
