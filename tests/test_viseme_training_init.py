"""`train --stage visemes --init W`: training continues from given weights (read with safetensors
only); a missing file or one that does not fit the network is one clear line, before any synthesis."""

import numpy as np
import pytest

from talkface_studio.cli.main import main


def test_a_missing_init_file_is_one_line_before_any_work(tmp_path, capsys):
    pytest.importorskip("torch")
    assert main(["train", "--stage", "visemes", "--out", str(tmp_path / "run"),
                 "--init", str(tmp_path / "none.safetensors")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"talkface-studio train: --init: no weights file at {tmp_path / 'none.safetensors'}"


def test_init_weights_of_another_shape_are_refused_with_the_tensor_named(tmp_path, capsys):
    pytest.importorskip("torch")
    from safetensors.numpy import load_file, save_file

    from talkface_studio.audio.viseme_model import DEFAULT_WEIGHTS

    state = load_file(str(DEFAULT_WEIGHTS))
    name = sorted(state)[0]
    state[name] = state[name][:-1]  # one output channel short: a differently sized config
    bad = tmp_path / "other.safetensors"
    save_file(state, str(bad))
    assert main(["train", "--stage", "visemes", "--out", str(tmp_path / "run"), "--init", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "does not fit this network's config" in err and name in err and "\n" not in err


def test_cli_passes_init_and_the_peak_rate_to_the_viseme_trainer(tmp_path, monkeypatch):
    from talkface_studio.training import train_visemes as module

    seen = {}
    monkeypatch.setattr(module, "train_visemes", lambda out, options: seen.update(options=options))
    weights = str(tmp_path / "w.safetensors")
    assert main(["train", "--stage", "visemes", "--out", str(tmp_path), "--init", weights, "--lr", "1e-3"]) == 0
    assert seen["options"].init == weights and seen["options"].lr == 1e-3
    assert main(["train", "--stage", "visemes", "--out", str(tmp_path)]) == 0
    assert seen["options"].init is None and seen["options"].lr == module.VisemeTrainOptions.lr


def test_one_step_from_given_weights_continues_them(tmp_path):
    pytest.importorskip("torch")
    from audio_fixtures import HAVE_ESPEAK

    if not HAVE_ESPEAK:
        pytest.skip("espeak-ng is not installed")
    from safetensors.numpy import load_file

    from talkface_studio.audio.viseme_model import DEFAULT_WEIGHTS
    from talkface_studio.training.train_visemes import VisemeTrainOptions, train_visemes

    lines = []
    weights = train_visemes(tmp_path, VisemeTrainOptions(hours=0.004, steps=1, batch_size=2, workers=1, lr=1e-6,
                                                         validation_minutes=0.1, init=str(DEFAULT_WEIGHTS)),
                            log=lines.append)
    start, after = load_file(str(DEFAULT_WEIGHTS)), load_file(str(weights))
    assert {k: v.shape for k, v in after.items()} == {k: v.shape for k, v in start.items()}
    # one step at a tiny rate: still the packaged network, not a fresh random one
    assert max(float(np.abs(after[k].astype(np.float32) - start[k].astype(np.float32)).max()) for k in start) < 0.01
    # and it starts at the trained network's loss (a random one starts near ln 17 = 2.83)
    step = next(line for line in lines if line.startswith("step 1/1"))
    assert float(step.split("class ")[1].split(",")[0]) < 2.3
    assert '"version": "seed0-h0.004-s1-from-seed0-h4-s2400"' in (tmp_path / "viseme_recognizer.json").read_text()


def test_fine_tuned_recipes_start_from_the_packaged_weights_unless_random(tmp_path, monkeypatch):
    from talkface_studio.training import train_visemes as module

    seen = {}
    monkeypatch.setattr(module, "train_visemes", lambda out, options: seen.update(options=options))
    assert main(["train", "--stage", "visemes", "--out", str(tmp_path), "--recipe", "5"]) == 0
    tuned = seen["options"]
    assert (tuned.init, tuned.hours, tuned.steps, tuned.lr) == (None, *module.FINE_TUNE.values())
    assert main(["train", "--stage", "visemes", "--out", str(tmp_path), "--recipe", "5", "--init", "random"]) == 0
    fresh = seen["options"]
    defaults = module.VisemeTrainOptions()
    assert (fresh.init, fresh.hours, fresh.steps, fresh.lr) == ("random", defaults.hours, defaults.steps, defaults.lr)


def test_a_random_start_does_not_load_the_packaged_weights(tmp_path, monkeypatch):
    from talkface_studio.training import train_visemes as module

    loaded = []
    monkeypatch.setattr(module, "require_recipe", lambda recipe: None)  # its voices need not be installed here
    monkeypatch.setattr(module, "load_initial_state", lambda net, path: loaded.append(path) or "v")
    monkeypatch.setattr(module, "_generate", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("stop")))
    for init, expected in ((None, [module._packaged_recipe2()]), ("random", [])):
        loaded.clear()
        with pytest.raises(RuntimeError, match="stop"):
            module.train_visemes(tmp_path, module.VisemeTrainOptions(recipe=5, init=init))
        assert loaded == expected
