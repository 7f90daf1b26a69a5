"""Stage 1 training end to end on a tiny MEAD-layout dataset the test builds (2 subjects x 2 emotions,
1 s clips of the demo portrait drifting, tone-and-noise audio)."""

import argparse
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from talkface_studio.perform.neural import SpeechToCuesConfig, load_speech_to_cues
from talkface_studio.training.train_landmarks import TrainOptions, load_items, train_landmarks

torch.set_num_threads(1)
PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"
TINY = SpeechToCuesConfig(dim=32, heads=2, ff_mult=2, encoder_layers=1, decoder_layers=1, dropout=0.0,
                          encoder_band=3, cross_band=2, history=4, audio_margin=4, n_pca=6,
                          gaze_yaw_bins=3, gaze_pitch_bins=3, classifier_dim=16)


@pytest.fixture(scope="module")
def mead(tmp_path_factory):
    from talkface_studio.training.synthetic_mead import make_synthetic_mead

    return make_synthetic_mead(tmp_path_factory.mktemp("mead"), PORTRAIT, seconds=0.8, size=160)


@pytest.mark.slow
def test_extraction_and_training_reduce_the_loss(mead, tmp_path):
    items = load_items(mead, tmp_path / "cache", log=lambda s: None)
    assert len(items) == 4 and {it.label for it in items} == {0, 5}
    assert all(it.deltas.shape[1:] == (478, 3) and len(it.deltas) == len(it.mel) for it in items)
    # the face tracker followed the drifting face: head pose varies, identity is removed
    assert np.ptp(np.concatenate([it.pose for it in items]), axis=0).max() > 0.1
    opts = TrainOptions(epochs=6, batch_size=4, window=12, lr=3e-3, steps_per_epoch=5, device="cpu")
    path, history = train_landmarks(mead, tmp_path, opts, TINY, log=lambda s: None, items=items)
    assert history[-1] < 0.8 * history[0], history
    model = load_speech_to_cues(path, "cpu")
    assert json.loads(path.with_suffix(".json").read_text())["n_pca"] == 6
    mel = items[0].mel
    out = model.generate(mel, np.tile(items[0].weights, (len(mel), 1)), seed=0)
    assert out["deltas"].shape == (len(mel), 478, 3)


@pytest.mark.slow
def test_train_command_writes_a_checkpoint(mead, tmp_path):
    from talkface_studio.cli import cmd_train

    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(TINY.to_json()))
    parser = argparse.ArgumentParser()
    cmd_train.add_parser(parser.add_subparsers())
    args = parser.parse_args(["train", "--data", str(mead), "--out", str(tmp_path / "run"), "--epochs", "1",
                              "--config", str(cfg), "--device", "cpu", "--batch-size", "2", "--steps-per-epoch", "2"])
    assert args.handler(args) == 0
    assert (tmp_path / "run" / "landmarks.safetensors").is_file()
    assert len(list((tmp_path / "run" / "cache").rglob("*.npz"))) == 4  # per-clip cache


def test_bad_dataset_folder_names_the_path(tmp_path):
    from talkface_studio.core.errors import ValidationError
    from talkface_studio.training.mead import scan_mead

    with pytest.raises(ValidationError, match="no clips found"):
        scan_mead(tmp_path)
    (tmp_path / "S1" / "video" / "front" / "joyful" / "level_1").mkdir(parents=True)
    (tmp_path / "S1" / "video" / "front" / "joyful" / "level_1" / "001.mp4").write_bytes(b"")
    with pytest.raises(ValidationError, match="joyful"):
        scan_mead(tmp_path)
