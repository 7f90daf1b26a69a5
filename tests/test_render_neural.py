"""Stage 2 neural renderer on tiny random weights: shapes, streaming, checkpoint round trips, missing
checkpoint messages, and the self-supervised mapping training."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from talkface_studio.core.errors import MissingCheckpointError
from talkface_studio.render.neural import (KeypointGenerator, KeypointGeneratorConfig, NeuralRenderer,
                                           load_keypoint_generator, save_keypoint_generator)

torch.set_num_threads(1)
PORTRAIT = Path(__file__).resolve().parents[1] / "resources" / "demo" / "portrait.png"
TINY = KeypointGeneratorConfig(image_size=32, num_kp=4, block_expansion=8, max_features=32, reshape_channel=4,
                               reshape_depth=4, num_resblocks=1, kp_depth=4, head_bins=8, motion_channels=8,
                               motion_compress=2, mapping_hidden=32, mapping_layers=2)


def _model(seed=0):
    torch.manual_seed(seed)
    return KeypointGenerator(TINY).eval()


def _portrait_and_landmarks(t=5, size=48, seed=0):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    lm = np.tile(rng.uniform(10, 38, (1, 478, 3)).astype(np.float32), (t, 1, 1))
    lm[:, :, 1] += np.linspace(0, 6, t)[:, None]  # the face moves down over the take
    return SimpleNamespace(image=image, landmarks=lm[0]), lm


def test_networks_produce_the_documented_shapes():
    model = _model()
    with torch.no_grad():
        f_s, kp_s = model.source(torch.rand(1, 3, 32, 32))
        assert f_s.shape == (1, 4, 4, 8, 8) and kp_s.shape == (1, 4, 3)
        assert kp_s.abs().max() < 50  # R x_c + t + delta: finite, not NaN
        images = model.drive(f_s, kp_s, torch.randn(3, 4, 3) * 0.2)
    assert images.shape == (3, 3, 32, 32) and 0 <= images.min() and images.max() <= 1


@pytest.mark.parametrize("suffix", [".safetensors", ".pt"])
def test_renderer_streams_frames_and_round_trips(tmp_path, suffix):
    from talkface_studio.render.registry import get_renderer

    model = _model(1)
    if suffix == ".safetensors":
        path = save_keypoint_generator(model, tmp_path / "kp.safetensors")
    else:  # plain PyTorch file, read with weights_only=True
        path = tmp_path / "kp.pt"
        torch.save({"config": TINY.to_json(), "state_dict": model.state_dict()}, path)
    renderer = get_renderer("neural", device="cpu", checkpoint=str(path), batch_size=2)
    assert isinstance(renderer, NeuralRenderer) and renderer.device.type == "cpu"
    portrait, lm = _portrait_and_landmarks()
    frames = list(renderer.render(portrait, lm, 48))
    assert len(frames) == 5 and all(f.shape == (48, 48, 3) and f.dtype == np.uint8 for f in frames)
    assert not np.array_equal(frames[0], frames[-1])  # the landmarks drive the image
    again = list(NeuralRenderer(checkpoint=path, device="cpu", batch_size=5).render(portrait, lm, 48))
    for a, b in zip(frames, again):  # same weights, different batching: same frames
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1


def test_relative_driving_reproduces_the_portrait_from_its_own_landmarks(tmp_path):
    model = _model(3)
    path = save_keypoint_generator(model, tmp_path / "kp.safetensors")
    portrait, lm = _portrait_and_landmarks(size=64)
    own = np.asarray(portrait.landmarks)[None] * (32 / 64)  # the portrait's landmarks at a 32 px output
    frame = next(NeuralRenderer(checkpoint=path, device="cpu").render(portrait, own, 32))
    with torch.no_grad():
        x = torch.from_numpy(portrait.image).permute(2, 0, 1)[None].float() / 255
        x = torch.nn.functional.interpolate(x, size=(32, 32), mode="bilinear", antialias=True)
        f_s, kp_s = model.source(x)
        expected = (model.drive(f_s, kp_s, kp_s)[0].permute(1, 2, 0) * 255).round().byte().numpy()
    assert np.abs(frame.astype(int) - expected.astype(int)).max() <= 1
    absolute = next(NeuralRenderer(checkpoint=path, device="cpu", relative=False).render(portrait, own, 32))
    assert not np.array_equal(absolute, frame)  # random mapping: absolute driving moves the face


def test_missing_checkpoint_messages(tmp_path):
    from talkface_studio.render.registry import get_renderer

    with pytest.raises(MissingCheckpointError, match="needs a checkpoint: --checkpoint FILE"):
        get_renderer("neural", device="cpu")
    path = save_keypoint_generator(_model(), tmp_path / "fv2v.safetensors", include_mapping=False)
    with pytest.raises(MissingCheckpointError, match="no landmark-to-keypoint mapping"):
        NeuralRenderer(checkpoint=path, device="cpu")
    assert load_keypoint_generator(path, need_mapping=False).cfg == TINY


@pytest.mark.slow
def test_mapping_training_fits_detected_keypoints(tmp_path):
    from talkface_studio.training.synthetic_mead import make_synthetic_mead
    from talkface_studio.training.train_keypoints import KeypointTrainOptions, train_keypoints

    root = make_synthetic_mead(tmp_path / "mead", PORTRAIT, subjects=("M001",), seconds=0.8, size=160)
    generator = save_keypoint_generator(_model(2), tmp_path / "fv2v.safetensors", include_mapping=False)
    with pytest.raises(MissingCheckpointError, match="--generator FILE"):
        train_keypoints(root, tmp_path / "run", None)
    opts = KeypointTrainOptions(epochs=5, batch_size=16, lr=3e-3, steps_per_epoch=8, device="cpu")
    path, history = train_keypoints(root, tmp_path / "run", generator, opts, log=lambda s: None)
    assert history[-1] < 0.7 * history[0], history
    trained = load_keypoint_generator(path)
    state = trained.state_dict()
    for k, v in _model(2).state_dict().items():  # the generator itself stays frozen
        if not k.startswith("mapping."):
            assert torch.equal(state[k], v), k
