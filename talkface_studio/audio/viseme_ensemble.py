"""Several viseme recognizers heard as one: the packaged default.

Networks trained on different synthetic voices make different mistakes on a real one (recipe 2 on
espeak-ng alone, recipe 3 with Festival's voices of real speakers). Averaging their per-frame
log-probabilities (a normalised geometric mean, a product of experts) keeps what they agree on and
softens what only one of them believes; their jaw openings are averaged. One forward pass each.

`models/viseme_ensemble.json` names the members (weights files beside it) and how to combine them:

    {"members": ["viseme_recognizer.safetensors", "viseme_recognizer_r3.safetensors"],
     "combine": "mean_log_prob", "temperature": 1.0, "align_with": "viseme_recognizer.safetensors"}

`temperature` divides the combined log-probabilities before they are renormalised (calibration);
the decoder's penalties are in log-probability units, so it changes how readily classes switch.
`align_with` (optional) names the member whose posteriors the script aligner uses: measured on
2026-12-02, the ensemble finds more lip closures without a script but placed Japanese and some
synthetic German and Japanese scripts less well than recipe 2 alone (README, "Languages and lip
sync without a script"), so a script is aligned on recipe 2's posteriors.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import MissingCheckpointError

from .viseme_model import MODEL_DIR, VisemeNetConfig, VisemeRecognizer

DEFAULT_MANIFEST = MODEL_DIR / "viseme_ensemble.json"
COMBINES = ("mean_log_prob", "mean_prob")


def read_manifest(path: str | Path = DEFAULT_MANIFEST) -> dict:
    """The manifest as a dict (members as paths); MissingCheckpointError naming the file if unusable."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        members = [path.parent / str(m) for m in data["members"]]
        combine = str(data.get("combine", "mean_log_prob"))
        temperature = float(data.get("temperature", 1.0))
        align_with = data.get("align_with")
        align_index = None if align_with is None else members.index(path.parent / str(align_with))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MissingCheckpointError(f"cannot read the viseme ensemble manifest ({exc})", path) from None
    if not members or combine not in COMBINES or not temperature > 0:
        raise MissingCheckpointError(f"the viseme ensemble manifest needs members, combine one of {COMBINES} "
                                     "and a positive temperature", path)
    return {"members": members, "combine": combine, "temperature": temperature, "align_index": align_index}


def manifest_version(path: str | Path = DEFAULT_MANIFEST) -> str:
    """The ensemble's version for cache keys, from the members' configs (no torch import)."""
    m = read_manifest(path)
    versions = "+".join(VisemeNetConfig.load(w.with_suffix(".json")).version for w in m["members"])
    calibration = "" if m["temperature"] == 1.0 else f"-t{m['temperature']:g}"
    align = "" if m["align_index"] is None else f"-a{m['align_index']}"
    return f"{versions}-{m['combine']}{calibration}{align}"


class VisemeEnsemble:
    """Same interface as VisemeRecognizer: `posteriors(features)` -> (log-posteriors [T, K], jaw [T])."""

    def __init__(self, manifest: str | Path = DEFAULT_MANIFEST, device: str = "auto"):
        m = read_manifest(manifest)
        self.members = [VisemeRecognizer(w, device=device) for w in m["members"]]
        classes = {tuple(r.classes) for r in self.members}
        if len(classes) != 1:
            raise MissingCheckpointError("the ensemble's recognizers have different viseme classes", manifest)
        self.classes = self.members[0].classes
        self.combine, self.temperature, self.align_index = m["combine"], m["temperature"], m["align_index"]
        self.version = manifest_version(manifest)

    def posteriors(self, feats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Normalised log-mel [T, 80] -> (log-posteriors float32 [T, K], jaw float32 [T])."""
        logp, _, jaw = self.posteriors_for_both(feats)
        return logp, jaw

    def posteriors_for_both(self, feats: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """-> (log-posteriors for recognition [T, K], for script alignment [T, K], jaw [T]), one
        forward pass per member."""
        outs = [r.posteriors(feats) for r in self.members]
        logps = np.stack([o[0] for o in outs]).astype(np.float64)
        jaw = np.mean([o[1] for o in outs], axis=0).astype(np.float32)
        combined = combine(logps, self.combine, self.temperature)
        return combined, (combined if self.align_index is None else outs[self.align_index][0]), jaw


def combine(logps: np.ndarray, how: str = "mean_log_prob", temperature: float = 1.0) -> np.ndarray:
    """Members' log-posteriors [N, T, K] -> one renormalised log-posterior [T, K] (float32)."""
    if how == "mean_log_prob":
        z = logps.mean(axis=0)
    else:  # mean of the probabilities (a mixture)
        z = np.logaddexp.reduce(logps, axis=0) - np.log(len(logps))
    z = z / temperature
    return (z - np.logaddexp.reduce(z, axis=-1, keepdims=True)).astype(np.float32)
