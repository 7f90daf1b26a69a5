"""Captions of a take's script timed by its lip sync (core.captions, pipeline.export.captions):
the script as written, cut where the speaker pauses or a sentence ends, at most two lines a cue."""

import shutil

import pytest

from talkface_studio.audio.g2p import g2p, tokenize
from talkface_studio.cli.main import main
from talkface_studio.core.captions import MAX_LINE, caption_cues
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.project_file import load_project
from talkface_studio.core.script_files import read_script_file
from talkface_studio.pipeline.render_jobs import FORMATS

pytestmark = pytest.mark.usefixtures("private_cache")


def _cues(script, words, fps=25.0, language="en"):
    return caption_cues(words, tokenize(script, language), script, fps)


def test_cues_keep_the_scripts_punctuation_and_break_at_sentences_and_pauses():
    script = "“Hello,” she said. Then, after a while: ¿qué? Fine"
    words = [(0, 10, "Hello"), (11, 16, "she"), (16, 22, "said"), (30, 34, "Then"), (35, 38, "after"),
             (38, 40, "a"), (40, 44, "while"), (60, 66, "qué"), (67, 75, "Fine")]
    cues = _cues(script, words)
    # the quotes, commas and colon as written; a sentence end and a 0.6 s pause start new cues
    assert [c[2] for c in cues] == ["“Hello,” she said.", "Then, after a while:", "¿qué?", "Fine"]
    # each cue from its first word, held 0.3 s (8 frames) and at least 1 s, 2 frames clear of the next
    # where there is room (never cutting its own last word short: "qué" ends on frame 66)
    assert cues[0][:2] == (0, 28) and cues[1][:2] == (30, 55) and cues[2][:2] == (60, 66)
    assert cues[3] == (67, 92, "Fine")
    assert caption_cues(words, tokenize(script, "en"), script, 25.0, stop=80)[-1] == (67, 80, "Fine")  # a range


def test_long_cues_take_two_lines_and_words_not_placed_are_still_written():
    script = ("This sentence goes on and on without a single stop because the speaker never takes a breath "
              "while talking")
    tokens = tokenize(script, "en")
    words = [(2 * i, 2 * i + 2, w) for i, (w, _, _) in enumerate(tokens) if w != "single"]  # "single" fell out
    cues = caption_cues(words, tokens, script, 25.0)
    assert len(cues) == 2 and " ".join(c[2].replace("\n", " ") for c in cues) == script
    assert all(len(line) <= MAX_LINE for c in cues for line in c[2].split("\n"))
    assert "\n" in cues[0][2]
    # Japanese: no spaces, one line, the script's own punctuation
    ja = "北京で、パンを買いました。"
    assert [c[2] for c in _cues(ja, [(0, 5, "北京"), (5, 7, "で"), (9, 12, "パン"), (12, 13, "を"),
                                     (13, 16, "買い"), (16, 18, "まし"), (18, 20, "た")], language="ja")] == [ja]
    # Mandarin in the words the lip sync reads it in (g2p's, not tokenize's runs of hanzi)
    zh = "我们明天去北京买面包，好吗？"
    words = [w for w in g2p(zh, "zh")]
    cues = caption_cues([(2 * i, 2 * i + 2, w.text) for i, w in enumerate(words)],
                        [(w.text, w.start, w.pause_after) for w in words], zh, 25.0)
    assert [c[2] for c in cues] == [zh]
    with pytest.raises(ValidationError, match="captions need the script's words"):
        _cues("Hello", [])


def test_script_command_writes_captions_that_read_back_as_the_script(demo_dir, tmp_path, capsys):
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    take = load_project(path).takes[0]
    out = tmp_path / "demo.srt"
    assert main(["script", str(path), "--captions", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    # the demo's four sentences, one cue each, in order and apart; read back, they are the script
    text = out.read_text()
    assert text.startswith("1\n00:00:00,") and text.count(" --> ") == 4
    assert read_script_file(out).text.split() == take.generation.transcript.split()
    assert main(["script", str(path), "--captions", str(tmp_path / "demo.vtt")]) == 0
    assert (tmp_path / "demo.vtt").read_text().startswith("WEBVTT")
    capsys.readouterr()
    before = path.read_bytes()
    for argv, needle in ((["--captions", str(tmp_path / "c.txt")], "captions are SubRip .srt or WebVTT .vtt"),
                         (["--clear", "--captions", str(tmp_path / "c.srt")], "would have no script: captions")):
        assert main(["script", str(path), *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and needle in err[0]
        assert path.read_bytes() == before  # refused before anything changed
    assert not (tmp_path / "c.srt").exists()


def test_the_render_queue_writes_captions(demo_dir, tmp_path):
    from talkface_studio.pipeline.cancel import CancelToken
    from talkface_studio.pipeline.render_jobs import RenderSpec, run_spec

    assert FORMATS["Captions (SubRip .srt)"] == (".srt", "captions")
    shutil.copytree(demo_dir, tmp_path / "p")
    path = tmp_path / "p" / "demo.tfs"
    take = load_project(path).takes[0]
    out = tmp_path / "out" / "line.vtt"
    run_spec(RenderSpec(take, path, 0, take.n_frames, out, "captions"), lambda *a: None, CancelToken())
    assert out.read_text().count(" --> ") == 4
