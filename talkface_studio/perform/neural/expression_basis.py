"""A PCA basis of expression deltas (normalized landmarks minus the speaker's own neutral face).

Predicting ~64 coefficients instead of 1,434 coordinates keeps the decoder small and its outputs on
the manifold of real faces; the basis is fitted on the training set and stored in the checkpoint.
"""

from __future__ import annotations

import numpy as np

N_COORDS = 478 * 3


def fit_expression_basis(deltas: np.ndarray, n_components: int, seed: int = 0):
    """deltas [N, 478, 3] -> dict of float32 arrays: mean [1434], components [P, 1434] (orthonormal
    rows), coeff_std [P] (spread of each coefficient, used to normalize them), delta_scale [1] (mean
    absolute delta, the unit of the landmark loss). With fewer samples than P the extra rows are
    random orthonormal directions with a tiny spread, so the shapes never depend on the data size."""
    x = deltas.reshape(len(deltas), -1).astype(np.float64)
    mean = x.mean(0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    k = min(n_components, vt.shape[0])
    comps = vt[:k]
    std = s[:k] / max(np.sqrt(len(x) - 1), 1.0)
    if k < n_components:
        rng = np.random.default_rng(seed)
        extra = rng.standard_normal((n_components - k, x.shape[1]))
        extra -= extra @ comps.T @ comps  # keep all rows orthonormal
        extra = np.linalg.qr(extra.T)[0].T
        comps = np.concatenate([comps, extra])
        std = np.concatenate([std, np.zeros(n_components - k)])
    std = np.maximum(std, 1e-6 + 1e-3 * (std.max() if std.size else 0.0))
    scale = np.abs(x - mean).mean() + np.abs(mean).mean() + 1e-6
    return {"mean": mean.astype(np.float32), "components": comps.astype(np.float32),
            "coeff_std": std.astype(np.float32), "delta_scale": np.array([scale], np.float32)}


def project(deltas: np.ndarray, basis: dict) -> np.ndarray:
    """deltas [T, 478, 3] -> normalized coefficients [T, P]."""
    x = deltas.reshape(len(deltas), -1) - basis["mean"]
    return (x @ basis["components"].T / basis["coeff_std"]).astype(np.float32)
