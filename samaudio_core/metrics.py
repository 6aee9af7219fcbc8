"""Objective metrics for benchmarks and tests (need a clean reference)."""

from __future__ import annotations

import numpy as np

_EPS = 1e-9


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    """Scale-invariant signal-to-distortion ratio in dB (Le Roux et al., 2019).

    Arrays of any matching shape are flattened (channels concatenated). Means are removed.
    A silent reference gives -inf-like values, clamped to -100 dB.
    """
    est = np.asarray(estimate, np.float64).ravel()
    ref = np.asarray(reference, np.float64).ravel()
    if est.shape != ref.shape:
        raise ValueError(f"shape mismatch: estimate {np.shape(estimate)} vs reference {np.shape(reference)}")
    est = est - est.mean()
    ref = ref - ref.mean()
    ref_energy = float(np.dot(ref, ref))
    if ref_energy < _EPS:
        return -100.0
    alpha = float(np.dot(est, ref)) / ref_energy
    projection = alpha * ref
    noise = est - projection
    value = 10 * np.log10((np.dot(projection, projection) + _EPS) / (np.dot(noise, noise) + _EPS))
    return float(max(value, -100.0))


def si_sdr_improvement(estimate: np.ndarray, reference: np.ndarray, mixture: np.ndarray) -> float:
    """SI-SDR of the estimate minus SI-SDR of the unprocessed mixture (dB)."""
    return si_sdr(estimate, reference) - si_sdr(mixture, reference)
