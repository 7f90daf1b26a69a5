"""Stage 1 neural model on tiny random weights: shapes, determinism, exact autoregressive inference,
checkpoint round trips and the missing-checkpoint message."""

import numpy as np
import pytest
import torch

from talkface_studio.core.errors import MissingCheckpointError
from talkface_studio.core.timebase import FrameRate
from talkface_studio.perform.neural import NeuralPerformer, SpeechToCues, SpeechToCuesConfig, save_speech_to_cues
from talkface_studio.perform.neural.loading import load_speech_to_cues
from talkface_studio.perform.neural.mel_context import normalize_mel, padded_window

torch.set_num_threads(1)
TINY = SpeechToCuesConfig(dim=32, heads=2, ff_mult=2, encoder_layers=1, decoder_layers=2, dropout=0.0,
                          encoder_band=4, cross_band=3, history=5, audio_margin=6, n_pca=8,
                          gaze_yaw_bins=3, gaze_pitch_bins=3, classifier_dim=16)


def _model(seed=0):
    torch.manual_seed(seed)
    return SpeechToCues(TINY).eval()


def _inputs(t=30, seed=0):
    rng = np.random.default_rng(seed)
    mel = rng.normal(size=(t, 80)).astype(np.float32)
    emotion = np.zeros((t, 8), np.float32)
    emotion[:, 5], emotion[:, 0] = 2 / 3, 1 / 3
    return mel, emotion


def test_generate_shapes_and_seed_determinism():
    model = _model()
    mel, emo = _inputs()
    a = model.generate(mel, emo, gaze_temperature=1.0, seed=3)
    b = model.generate(mel, emo, gaze_temperature=1.0, seed=3)
    c = model.generate(mel, emo, gaze_temperature=1.0, seed=4)
    assert a["deltas"].shape == (30, 478, 3) and a["gaze"].shape == (30, 2) and a["pose"].shape == (30, 3)
    assert a["emotion_probs"].shape == (8,) and abs(a["emotion_probs"].sum() - 1) < 1e-5
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["gaze"], c["gaze"])  # sampling really uses the seed


def test_inference_equals_teacher_forcing_on_its_own_output():
    """The autoregressive loop crops its context; with banded attention that must be exact."""
    model = _model(1)
    t = 3 * TINY.decoder_layers * TINY.history  # longer than the cropped context
    mel, emo = _inputs(t, seed=2)
    out = model.generate(mel, emo, gaze_temperature=0.0, seed=0)
    norm, silence = normalize_mel(mel)
    m = TINY.audio_margin
    coeffs = torch.from_numpy(out["deltas"]).flatten(1) - model.basis_mean
    coeffs = coeffs @ model.basis_components.T / model.basis_coeff_std
    batch = {
        "mel": torch.from_numpy(padded_window(norm, silence, 0, t, m))[None],
        "emotion": torch.from_numpy(emo[np.clip(np.arange(-m, t + m), 0, t - 1)])[None],
        "coeffs": coeffs[None], "gaze": torch.from_numpy(out["gaze"])[None], "pose": torch.from_numpy(out["pose"])[None],
        "prev_coeffs": torch.zeros(1, TINY.n_pca), "prev_gaze": torch.zeros(1, 2), "prev_pose": torch.zeros(1, 3),
        "has_prev": torch.tensor([False]), "emotion_label": torch.tensor([5]),
    }
    with torch.no_grad():
        pred = model(batch)
    np.testing.assert_allclose(pred["pose"][0].numpy(), out["pose"], atol=2e-4)
    np.testing.assert_allclose(pred["coeffs"][0].numpy(), coeffs.numpy(), atol=2e-3)


@pytest.mark.parametrize("suffix", [".safetensors", ".pt"])
def test_checkpoint_round_trip_gives_equal_outputs(tmp_path, suffix):
    model = _model(2)
    mel, emo = _inputs(20)
    if suffix == ".safetensors":
        path = save_speech_to_cues(model, tmp_path / "s1.safetensors")
    else:  # a plain PyTorch file is read with weights_only=True
        path = tmp_path / "s1.pt"
        torch.save({"config": TINY.to_json(), "state_dict": model.state_dict()}, path)
    loaded = load_speech_to_cues(path, "cpu")
    a, b = model.generate(mel, emo, seed=1), loaded.generate(mel, emo, seed=1)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_pickled_code_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"config": TINY.to_json(), "state_dict": {"x": torch.zeros(1)}, "obj": object()}, path)
    with pytest.raises(MissingCheckpointError, match="evil.pt"):
        load_speech_to_cues(path, "cpu")


def test_missing_checkpoint_message(tmp_path):
    from talkface_studio.perform.registry import get_performer

    for make in (lambda: get_performer("neural"), lambda: NeuralPerformer()):
        with pytest.raises(MissingCheckpointError, match="needs a checkpoint: --checkpoint FILE"):
            make()
    with pytest.raises(MissingCheckpointError, match="nope.safetensors"):
        NeuralPerformer(checkpoint=tmp_path / "nope.safetensors")


def test_performer_fills_every_contract_channel(tmp_path):
    from talkface_studio.audio.features import AudioFeatures
    from talkface_studio.core.channels import CHANNEL_NAMES
    from talkface_studio.perform.base import PerformRequest

    path = save_speech_to_cues(_model(3), tmp_path / "s1.safetensors")
    performer = NeuralPerformer(checkpoint=path, device="cpu")
    mel, emo = _inputs(24)
    z = np.zeros(24, np.float32)
    feats = AudioFeatures(FrameRate.parse(24), 24, z, z, z, mel, z)
    perf = performer.perform(PerformRequest(feats, emo, FrameRate.parse(24), seed=5))
    assert perf.expression.shape == (24, 478, 3) and perf.expression.dtype == np.float32
    assert set(CHANNEL_NAMES) <= set(perf.channels)
    assert all(v.shape == (24,) for v in perf.channels.values())
    np.testing.assert_allclose(perf.channels["emo_happy"], emo[:, 5])
    assert np.all((perf.channels["blink"] >= 0) & (perf.channels["blink"] <= 1))
