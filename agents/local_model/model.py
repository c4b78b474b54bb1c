"""The offline triage model: a multilingual sentence encoder, heads trained on its embeddings and on
character n-grams, and the life-safety hard stops.

How one message is triaged:

1. The hard stops of ``hazards`` are read in every language whose script the message uses: a
   phrase that fires makes it an emergency; hazards mentioned only in the negative ("no gas smell")
   are noted.
2. Features: the e5 embedding (meaning, in any language), TF-IDF character n-grams (wording and
   misspellings in the languages we trained on), and the hard stops that fired or were negated.
3. Heads (logistic regressions): category, priority, a dedicated emergency detector, and the
   language (for the instructions).
4. Emergency when a hard stop fired or the detector's probability reaches its threshold, which was
   set on out-of-fold predictions for a recall of 0.99. Otherwise the most probable of high, medium,
   low.
5. Confidence: the probability that the category and the priority are both right, from a calibrator
   fitted on out-of-fold predictions. Below ``DOMI_AI_MIN_CONFIDENCE`` the request goes to a person.

The model is trained once by ``manage.py train_triage`` into a versioned artefact
(``artefacts/<version>/``: ``model.pkl.gz`` and ``model_card.json``); processes load the current
one at start-up. No Django import here.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .encoder import Encoder, get_encoder
from .hazards import HAZARDS, HazardScan, compile_all, instructions_for, normalize, safety_languages, scan_hazards

__all__ = [
    "ARTEFACTS_DIR",
    "CATEGORIES",
    "PRIORITIES",
    "ArtefactError",
    "Featurizer",
    "TriageModel",
    "TriagePrediction",
    "current_artefact",
    "get_model",
]

CATEGORIES: tuple[str, ...] = (
    "plumbing",
    "electrical",
    "hvac",
    "appliance",
    "structural",
    "doors_windows",
    "pest",
    "safety",
    "exterior",
    "general",
)
PRIORITIES: tuple[str, ...] = ("emergency", "high", "medium", "low")

CategoryCode = Literal[
    "plumbing",
    "electrical",
    "hvac",
    "appliance",
    "structural",
    "doors_windows",
    "pest",
    "safety",
    "exterior",
    "general",
]
PriorityCode = Literal["emergency", "high", "medium", "low"]

ARTEFACTS_DIR = Path(__file__).resolve().parent / "artefacts"
CURRENT_FILE = "CURRENT"
# The layout of model.pkl.gz (plain arrays and dicts, no library's classes): bumped when it changes.
ARTEFACT_FORMAT = 3
MODEL_FILE = "model.pkl.gz"
CARD_FILE = "model_card.json"
# A language is named for the instructions only when the language head is this sure; otherwise the
# tenant gets English with the emergency number spelt out.
LANGUAGE_MIN_PROBABILITY = 0.5
# Confidence never claims certainty either way: the isotonic calibrator is held within [this, 1 - this].
MIN_CONFIDENCE = 0.01
# An emergency found by the detector alone gets one hazard's instructions when the hazard head gives it this.
HAZARD_MIN_PROBABILITY = 0.6


class ArtefactError(RuntimeError):
    """The triage artefact is missing, unreadable or made for another encoder or library version."""


class TriagePrediction(BaseModel):
    """The result of triaging one tenant message.

    * ``category`` / ``priority``: taxonomy codes (see TRIAGE_TAXONOMY.md).
    * ``confidence``: calibrated probability (0..1) that category and priority are both right.
    * ``emergency_probability``: the emergency detector's probability (1 when a hard stop fired).
    * ``category_scores`` / ``priority_scores``: the heads' probabilities.
    * ``safety_flags``: the hard stops that fired, or for an emergency the detector found alone,
      the hazard its wording is closest to.
    * ``language``: the tenant's language (one of the 15 we know, or ``und`` for unknown).
    * ``instructions``: what the tenant should do before help arrives, in ``language`` (English with
      the emergency number for an unknown language); non-empty exactly for emergencies.
    * ``rationale``: a short human-readable reason.
    """

    model_config = ConfigDict(frozen=True)

    category: CategoryCode
    priority: PriorityCode
    confidence: float = Field(ge=0.0, le=1.0)
    emergency_probability: float = Field(ge=0.0, le=1.0)
    category_scores: dict[str, float]
    priority_scores: dict[str, float]
    safety_flags: list[str] = Field(default_factory=list)
    language: str = "en"
    instructions: list[str] = Field(default_factory=list)
    rationale: str = ""
    model_version: str = ""

    @property
    def is_emergency(self) -> bool:
        return self.priority == "emergency"


class CharNgrams:
    """TF-IDF of character n-grams inside word boundaries, as scikit-learn's ``TfidfVectorizer(analyzer=
    "char_wb", sublinear_tf=True)`` computes it (a test holds them equal), in numpy alone: serving
    never imports scikit-learn, which would cost a process a second or two at start-up."""

    _SPACES = re.compile(r"\s\s+")

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, ngram_range: tuple[int, int]) -> None:
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float32)
        self.ngram_range = tuple(ngram_range)
        self.size = len(idf)

    def _ngrams(self, text: str) -> list[str]:
        low, high = self.ngram_range
        out: list[str] = []
        for word in self._SPACES.sub(" ", text.lower()).split():
            word = f" {word} "
            for n in range(low, high + 1):
                offset = 0
                out.append(word[:n])
                while offset + n < len(word):
                    offset += 1
                    out.append(word[offset : offset + n])
                if offset == 0:
                    break
        return out

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The (column, value) pairs of one message's L2-normalised TF-IDF row."""
        counts: dict[int, int] = {}
        for gram in self._ngrams(text):
            column = self.vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[columns]
        return columns, values / np.linalg.norm(values)


class WordNgrams(CharNgrams):
    """TF-IDF of word n-grams, as ``TfidfVectorizer(analyzer="word", sublinear_tf=True)`` computes it (a
    test holds them equal): "no smoke" and "nobody inside" as units, which character n-grams cut apart.
    Scripts written without spaces give few words; their characters carry them."""

    _TOKEN = re.compile(r"(?u)\b\w\w+\b")

    def _ngrams(self, text: str) -> list[str]:
        low, high = self.ngram_range
        tokens = self._TOKEN.findall(text.lower())
        out = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high, len(tokens)) + 1):
            out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return out


@dataclass
class LinearHead:
    """A fitted logistic regression (or a constant answer) as plain arrays: ``coef`` (classes or 1, features)."""

    classes: list[Any]
    coef: np.ndarray
    intercept: np.ndarray

    def predict_proba(self, rows: Sequence[Features]) -> np.ndarray:
        logits = np.stack([row.dot(self.coef) for row in rows]) + self.intercept
        if self.coef.shape[0] == 1 and len(self.classes) == 2:
            p = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.column_stack([1 - p, p])
        if len(self.classes) == 1:
            return np.ones((len(rows), 1))
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)


@dataclass
class DenseNet:
    """Small neural networks (one ReLU layer, a logistic output) read from scikit-learn's
    ``MLPClassifier`` as plain arrays; their probabilities are averaged. They read the encoder's
    vectors alone, where a linear head cannot draw the emergency line as finely."""

    layers: list[list[tuple[np.ndarray, np.ndarray]]]  # per network: (weights, bias) per layer

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        x0 = np.asarray(vectors, dtype=np.float32)
        out = np.zeros(len(x0))
        for network in self.layers:
            x = x0
            for weights, bias in network[:-1]:
                x = np.maximum(x @ weights + bias, 0.0)
            weights, bias = network[-1]
            out += 1.0 / (1.0 + np.exp(-(x @ weights + bias)[:, 0]))
        return out / len(self.layers)


@dataclass
class Features:
    """One message's input to the heads: a sparse character part, then dense columns."""

    columns: np.ndarray
    values: np.ndarray
    dense: np.ndarray
    offset: int  # where the dense columns start (the sparse part: character, then word n-grams)

    def dot(self, coef: np.ndarray) -> np.ndarray:
        return coef[:, self.columns] @ self.values + coef[:, self.offset :] @ self.dense

    def without_hazards(self) -> Features:
        dense = self.dense.copy()
        dense[len(dense) - 2 * len(HAZARDS) :] = 0
        return Features(self.columns, self.values, dense, self.offset)


@dataclass
class Featurizer:
    """Turns messages into the heads' input: character and word n-grams, the encoder's vectors and the hard
    stops.

    The weights put the kinds of feature on comparable scales (TF-IDF rows and each encoder's vector
    are unit vectors); they are training settings, stored with the artefact.
    """

    chars: CharNgrams
    embedding_weight: float
    hazard_weight: float
    negated_weight: float
    words: WordNgrams | None = None  # artefacts before word n-grams have none
    word_weight: float = 1.0

    def transform(self, texts: Sequence[str], embeddings: np.ndarray, scans: Sequence[HazardScan]) -> list[Features]:
        rows = []
        for text, embedding, scan in zip(texts, embeddings, scans, strict=True):
            fired = {hit.code for hit in scan.hits}
            dense = np.concatenate(
                [
                    np.asarray(embedding, dtype=np.float32) * self.embedding_weight,
                    np.array([h in fired for h in HAZARDS], dtype=np.float32) * self.hazard_weight,
                    np.array([h in scan.negated for h in HAZARDS], dtype=np.float32) * self.negated_weight,
                ]
            )
            normalized = normalize(text)
            columns, values = self.chars.row(normalized)
            offset = self.chars.size
            if self.words is not None:
                word_columns, word_values = self.words.row(normalized)
                columns = np.concatenate([columns, word_columns + offset])
                values = np.concatenate([values, word_values * np.float32(self.word_weight)])
                offset += self.words.size
            rows.append(Features(columns, values, dense, offset))
        return rows


def emergency_score(priority_p: np.ndarray, detector_p: np.ndarray, network_p: np.ndarray) -> np.ndarray:
    """What the emergency threshold applies to (see :func:`decide`): the mean of three views of the same
    question, the emergency head's probability, the priority head's probability of emergency, and the
    small networks' on the encoder's vectors. Out of fold the mean ranks emergencies better than any
    one of them."""
    return (detector_p + priority_p[:, 0] + network_p) / 3


def decide(
    priority_p: np.ndarray,
    emergency_p: np.ndarray,
    cosmetic_p: np.ndarray,
    hard: np.ndarray,
    *,
    threshold: float,
    cosmetic_min: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The priority of each message (indices into PRIORITIES), whether it is an emergency, and the
    probability behind the decision. Shared by training (out-of-fold) and serving.

    - A hard stop makes an emergency.
    - A message the cosmetic head reads as cosmetic or convenience (at least ``cosmetic_min``) is never
      emergency or high, however alarming its words: it is medium or low.
    - Otherwise the emergency detector (:func:`emergency_score`) decides against ``threshold``, then
      the most probable of high, medium, low.
    """
    rows = np.arange(len(hard))
    cosmetic = ~hard & (cosmetic_p >= cosmetic_min)
    emergency = hard | (~cosmetic & (emergency_p >= threshold))
    other = priority_p[:, 1:].argmax(axis=1) + 1
    other_cosmetic = priority_p[:, 2:].argmax(axis=1) + 2
    priority = np.where(emergency, 0, np.where(cosmetic, other_cosmetic, other))
    decided_p = np.where(emergency, np.where(hard, 1.0, emergency_p), priority_p[rows, priority])
    return priority, emergency, decided_p


def confidence_features(
    category_p: np.ndarray,
    priority_p: np.ndarray,
    emergency_p: np.ndarray,
    hard_stop: np.ndarray,
    emergency: np.ndarray,
) -> np.ndarray:
    """What the calibrator reads (one row per message): how sure each head is of what was decided.

    ``priority_p`` holds the probability of the decided priority, ``emergency`` whether it was an
    emergency. Shared by training (out-of-fold) and prediction.
    """
    cat_sorted = np.sort(category_p, axis=1)
    top, second = cat_sorted[:, -1], cat_sorted[:, -2]
    detector_margin = np.where(emergency, emergency_p, 1 - emergency_p)
    eps = 1e-6
    return np.column_stack(
        [
            np.log(top + eps),
            top - second,
            np.log(priority_p + eps),
            np.log(detector_margin + eps),
            hard_stop.astype(float),
            emergency.astype(float),
        ]
    )


class TriageModel:
    """A loaded artefact. ``predict(text)`` triages one message."""

    def __init__(self, bundle: dict[str, Any], card: dict[str, Any], *, encoder: Encoder | None = None) -> None:
        self.card = card
        self.version: str = card["version"]
        self.featurizer: Featurizer = bundle["featurizer"]
        self.category_head = bundle["category_head"]
        self.priority_head = bundle["priority_head"]
        self.emergency_head = bundle["emergency_head"]
        self.emergency_net: DenseNet = bundle["emergency_net"]
        self.cosmetic_head = bundle["cosmetic_head"]
        self.language_head = bundle["language_head"]
        self.calibrator = bundle["calibrator"]
        self.hazard_head = bundle["hazard_head"]
        self.emergency_threshold: float = float(card["thresholds"]["emergency"])
        self.cosmetic_min: float = float(card["thresholds"]["cosmetic"])
        self._encoder = encoder
        self._languages = safety_languages()

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, directory: str | Path, *, encoder: Encoder | None = None) -> TriageModel:
        directory = Path(directory)
        try:
            card = json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
            with gzip.open(directory / MODEL_FILE, "rb") as fh:
                bundle = pickle.load(fh)  # noqa: S301 - our own artefact, written by train_triage
        except (OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
            raise ArtefactError(f"cannot read the triage artefact in {directory}: {exc}") from exc
        _check_compatible(card, directory)
        return cls(bundle, card, encoder=encoder)

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = get_encoder(self.card["encoder"]["spec"])
        return self._encoder

    # ------------------------------------------------------------------ prediction

    def scan(self, text: str) -> HazardScan:
        return scan_hazards(text, self._languages)

    def predict(self, text: str, *, emergency_number: str = "112") -> TriagePrediction:
        text = (text or "").strip()
        if not text:
            return self._empty()
        return self.predict_many([text], emergency_number=emergency_number)[0]

    def predict_many(self, texts: Sequence[str], *, emergency_number: str = "112") -> list[TriagePrediction]:
        texts = [t or " " for t in texts]
        embeddings = self.encoder.embed(list(texts))
        scans = [self.scan(t) for t in texts]
        return self.predict_from(texts, embeddings, scans, emergency_number=emergency_number)

    def predict_from(
        self,
        texts: Sequence[str],
        embeddings: np.ndarray,
        scans: Sequence[HazardScan],
        *,
        emergency_number: str = "112",
    ) -> list[TriagePrediction]:
        """Triage with the embeddings and hard-stop scans already made (evaluation reuses them)."""
        X = self.featurizer.transform(texts, embeddings, scans)
        cat_p = _ordered(self.category_head, X, CATEGORIES)
        pri_p = _ordered(self.priority_head, X, PRIORITIES)
        em_p = emergency_score(
            pri_p, _ordered(self.emergency_head, X, (0, 1))[:, 1], self.emergency_net.probability(embeddings)
        )
        lang_p = self.language_head.predict_proba(X)
        lang_classes = list(self.language_head.classes)
        hard = np.array([bool(s.hits) for s in scans])

        cosmetic_p = _ordered(self.cosmetic_head, X, (0, 1))[:, 1]
        decided, emergency, decided_p = decide(
            pri_p, em_p, cosmetic_p, hard, threshold=self.emergency_threshold, cosmetic_min=self.cosmetic_min
        )
        conf = calibrated(
            self.calibrator, confidence_features(cat_p, decided_p, np.where(hard, 1.0, em_p), hard, emergency)
        )

        out = []
        for i in range(len(texts)):
            category = CATEGORIES[int(cat_p[i].argmax())]
            priority = PRIORITIES[int(decided[i])]
            language = lang_classes[int(lang_p[i].argmax())] if lang_p[i].max() >= LANGUAGE_MIN_PROBABILITY else "und"
            flags = [hit.code for hit in scans[i].hits]
            if priority == "emergency" and not flags:
                flags = self._likely_hazard(X[i])
            instructions = instructions_for(flags, language, emergency_number=emergency_number) if emergency[i] else []
            out.append(
                TriagePrediction(
                    category=category,
                    priority=priority,
                    confidence=round(float(conf[i]), 4),
                    emergency_probability=round(1.0 if hard[i] else float(em_p[i]), 4),
                    category_scores={c: round(float(p), 4) for c, p in zip(CATEGORIES, cat_p[i], strict=True)},
                    priority_scores={p: round(float(v), 4) for p, v in zip(PRIORITIES, pri_p[i], strict=True)},
                    safety_flags=flags,
                    language=language,
                    instructions=instructions,
                    rationale=self._rationale(scans[i], category, priority, cat_p[i], em_p[i]),
                    model_version=self.version,
                )
            )
        return out

    # ------------------------------------------------------------------ internals

    def _likely_hazard(self, row: Features) -> list[str]:
        """For an emergency no hard stop named: the hazard it most likely is, when the hazard head is
        fairly sure (its instructions are then specific); otherwise none, and the general ones apply.
        The head reads the message without its hard-stop features, as it was trained."""
        p = self.hazard_head.predict_proba([row.without_hazards()])[0]
        best = int(p.argmax())
        hazard = str(self.hazard_head.classes[best])
        return [hazard] if hazard in HAZARDS and p[best] >= HAZARD_MIN_PROBABILITY else []

    def _rationale(self, scan: HazardScan, category: str, priority: str, cat_p: np.ndarray, em_p: float) -> str:
        parts = []
        if scan.hits:
            said = "; ".join(f"{hit.code} (\u201c{hit.matched[:40]}\u201d)" for hit in scan.hits)
            parts.append(f"Life-safety hard stop: {said}, so the priority is emergency.")
        elif priority == "emergency":
            parts.append(
                f"The emergency detector gives {em_p:.2f} (threshold {self.emergency_threshold:.2f}): "
                "treated as an emergency."
            )
        else:
            parts.append(f"Emergency probability {em_p:.2f}, below the threshold; priority {priority}.")
        if scan.negated:
            parts.append(f"Mentioned as absent: {', '.join(sorted(scan.negated))}.")
        parts.append(f"Category {category} ({cat_p.max():.0%}).")
        return " ".join(parts)

    def _empty(self) -> TriagePrediction:
        n = len(CATEGORIES)
        return TriagePrediction(
            category="general",
            priority="low",
            confidence=0.0,
            emergency_probability=0.0,
            category_scores={c: round(1 / n, 4) for c in CATEGORIES},
            priority_scores=dict.fromkeys(PRIORITIES, 0.25),
            language="und",
            rationale="Empty message: nothing to classify.",
            model_version=self.version,
        )


def _ordered(head: LinearHead, X: Sequence[Features], codes: Sequence[Any]) -> np.ndarray:
    """A head's probabilities with one column per code, in ``codes`` order."""
    raw = head.predict_proba(X)
    out = np.zeros((raw.shape[0], len(codes)), dtype=np.float64)
    for j, cls in enumerate(head.classes):
        out[:, list(codes).index(cls)] = raw[:, j]
    return out


def calibrated(calibrator: dict[str, Any], features: np.ndarray) -> np.ndarray:
    """The calibrator as arrays: a logistic regression over ``confidence_features``, then, where the
    artefact has one, an isotonic map of its logit (piecewise linear between the fitted points, flat
    beyond them)."""
    logits = features @ calibrator["coef"] + calibrator["intercept"]
    if "isotonic_x" in calibrator:
        return np.interp(logits, calibrator["isotonic_x"], calibrator["isotonic_y"])
    return 1.0 / (1.0 + np.exp(-logits))


def _check_compatible(card: dict[str, Any], directory: Path) -> None:
    from .encoder import encoder_fingerprint

    encoder = card.get("encoder", {})
    try:
        here = encoder_fingerprint(encoder.get("spec", ""))
    except (ValueError, ImportError) as exc:
        raise ArtefactError(f"the artefact in {directory} needs encoder {encoder.get('spec')!r}: {exc}") from exc
    if encoder.get("fingerprint") != here:
        raise ArtefactError(
            f"the artefact in {directory} was trained on {encoder.get('fingerprint')!r}, this process has "
            f"{here!r}: retrain with manage.py train_triage"
        )
    if card.get("format") != ARTEFACT_FORMAT:
        raise ArtefactError(
            f"the artefact in {directory} has format {card.get('format')!r}, this code reads {ARTEFACT_FORMAT}: "
            "retrain with manage.py train_triage"
        )


# ---------------------------------------------------------------------- the process's model


def artefacts_dir() -> Path:
    """Where artefacts live: ``DOMI_TRIAGE_ARTEFACTS`` (a deployment's own volume, where retrained
    models go) or the ones that ship with the code."""
    return Path(os.environ.get("DOMI_TRIAGE_ARTEFACTS") or ARTEFACTS_DIR)


def current_artefact(base: Path | None = None) -> Path:
    """The directory of the artefact in use, named by ``CURRENT``."""
    base = base or artefacts_dir()
    pointer = base / CURRENT_FILE
    if not pointer.is_file():
        raise ArtefactError(f"no triage artefact: {pointer} is missing (run manage.py train_triage)")
    return base / pointer.read_text(encoding="utf-8").strip()


_MODEL: TriageModel | None = None
_MODEL_LOCK = threading.Lock()


def get_model() -> TriageModel:
    """The process-wide model, loaded from the current artefact on first use (thread-safe)."""
    global _MODEL
    if _MODEL is None:
        with _MODEL_LOCK:
            if _MODEL is None:
                _one_blas_thread()
                _MODEL = TriageModel.load(current_artefact())
    return _MODEL


def _one_blas_thread() -> None:
    """A server process triages one message at a time on one core, where numpy's BLAS threads only
    cost (small matrices handed between two threads: p95 46 -> 39 ms here). BLAS reads OMP_NUM_THREADS
    when numpy is imported, long before this, so the limit is set through threadpoolctl."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def reset_model() -> None:
    """Forget the loaded model (after switching artefacts)."""
    global _MODEL
    with _MODEL_LOCK:
        _MODEL = None


def preload() -> TriageModel:
    """Load the model, its encoder and every language's hard stops now: called before a server forks,
    so that each child shares them and answers its first request at full speed."""
    model = get_model()
    compile_all(safety_languages())
    model.predict("warm-up: the boiler is making a noise")
    return model
