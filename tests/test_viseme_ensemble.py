"""The packaged viseme recognizer is an ensemble of two trained networks (recipes 2 and 3): how they
are combined, what the manifest may say, and that the default is that ensemble."""

import json

import numpy as np
import pytest

from talkface_studio.audio import viseme_ensemble, viseme_model
from talkface_studio.audio.viseme_set import VISEME_CLASSES
from talkface_studio.core.errors import MissingCheckpointError


def _logp(rng, t=40):
    z = rng.normal(size=(t, len(VISEME_CLASSES)))
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def test_combining_agreeing_members_changes_nothing_and_disagreement_is_softened():
    rng = np.random.default_rng(0)
    a, b = _logp(rng), _logp(rng)
    assert np.allclose(viseme_ensemble.combine(np.stack([a, a])), a, atol=1e-5)
    for how in viseme_ensemble.COMBINES:
        out = viseme_ensemble.combine(np.stack([a, b]), how)
        assert np.allclose(np.exp(out).sum(axis=1), 1, atol=1e-5)
    # the geometric mean: a class is as likely as the two members' mean log-odds say
    out = viseme_ensemble.combine(np.stack([a, b]))
    assert np.allclose(out[:, 3] - out[:, 5], ((a[:, 3] - a[:, 5]) + (b[:, 3] - b[:, 5])) / 2, atol=1e-4)
    hot = viseme_ensemble.combine(np.stack([a, a]), temperature=2.0)
    entropy = lambda lp: -(np.exp(lp) * lp).sum(axis=1)  # noqa: E731
    assert (entropy(hot) > entropy(a)).all()  # a temperature above 1 flattens the posteriors


@pytest.mark.parametrize("text, problem", [
    ("not json", "cannot read the viseme ensemble manifest"),
    ('{"members": []}', "needs members"),
    ('{"members": ["a.safetensors"], "combine": "max"}', "needs members, combine one of"),
    ('{"members": ["a.safetensors"], "temperature": 0}', "positive temperature"),
])
def test_a_bad_manifest_is_one_clear_error_naming_it(tmp_path, text, problem):
    path = tmp_path / "ensemble.json"
    path.write_text(text)
    with pytest.raises(MissingCheckpointError, match=problem) as err:
        viseme_ensemble.VisemeEnsemble(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_missing_member_names_its_weights(tmp_path):
    path = tmp_path / "ensemble.json"
    path.write_text(json.dumps({"members": ["gone.safetensors"]}))
    with pytest.raises(MissingCheckpointError, match="viseme recognizer weights are missing") as err:
        viseme_ensemble.VisemeEnsemble(path)
    assert "gone.safetensors" in str(err.value)


@pytest.fixture(scope="module")
def packaged():
    pytest.importorskip("torch")
    return viseme_model.default_recognizer()


def test_the_default_recognizer_is_the_packaged_ensemble_of_both_recipes(packaged):
    from safetensors import safe_open

    assert isinstance(packaged, viseme_ensemble.VisemeEnsemble)
    names = [r.config.version for r in packaged.members]
    assert names == ["seed0-h4-s2400", "seed0-h4-s2400-r3"]
    for member, weights in zip(packaged.members, viseme_ensemble.read_manifest()["members"]):
        assert weights.stat().st_size < 1_000_000  # float16, ~0.57 MB each
        with safe_open(str(weights), "pt") as f:
            assert f.metadata()["version"] == member.version
    from talkface_studio.audio.viseme_phones import model_version

    assert model_version().startswith("seed0-h4-s2400+seed0-h4-s2400-r3-mean_log_prob")


def test_recognition_hears_both_networks_and_a_script_is_aligned_on_recipe_2(packaged):
    rng = np.random.default_rng(1)
    feats = rng.normal(size=(120, 80)).astype(np.float32)
    (l2, j2), (l3, j3) = (m.posteriors(feats) for m in packaged.members)
    logp, align_logp, jaw = packaged.posteriors_for_both(feats)
    assert np.allclose(logp, viseme_ensemble.combine(np.stack([l2, l3]).astype(np.float64)), atol=1e-5)
    assert np.array_equal(align_logp, l2) and np.allclose(jaw, (j2 + j3) / 2, atol=1e-6)
    assert not np.allclose(logp, l2, atol=1e-2)  # the second network does change the recognition
