"""Offline triage model: TF-IDF + logistic regression, combined with the
explicit life-safety rules in :mod:`.rules`.

Pure Python and scikit-learn; no Django import. The model is trained from
``data/train.jsonl`` when it is constructed (about a second) and is meant to
be built once per process through :func:`get_model`.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from .lang import detect_language
from .lexicon import cue_counts
from .rules import RULES_BY_CODE, find_hits, instructions_for, mark_negated_hazards, normalize

__all__ = [
    "CATEGORIES",
    "DEFAULT_TRAIN_PATH",
    "PRIORITIES",
    "LocalTriageModel",
    "TriagePrediction",
    "get_model",
    "load_jsonl",
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

DEFAULT_TRAIN_PATH = Path(__file__).resolve().parent / "data" / "train.jsonl"

# Decision settings (checked with 5-fold cross-validation on train.jsonl, see
# crossval.py).
RANDOM_STATE = 0
# Weight added to a fired rule's category before taking the arg-max: a rule
# decides the category unless the classifier is clearly sure of another one
# (e.g. "the dishwasher is flooding the kitchen" stays appliance).
RULE_CATEGORY_BONUS = 0.5
# Without a rule hit, predict "emergency" once the classifier gives it at
# least this probability, even when another priority is more probable: the
# classifier is the safety net for emergencies the rules miss. On out-of-fold
# predictions without rules, 0.5 gives about 0.70 recall at 0.85 precision.
EMERGENCY_THRESHOLD = 0.5
# Texts longer than this are cut before classification (latency guard).
MAX_CHARS = 4000


class TriagePrediction(BaseModel):
    """The result of triaging one tenant message.

    * ``category`` / ``priority``: taxonomy codes (see TRIAGE_TAXONOMY.md).
    * ``confidence``: 0..1, the geometric mean of the category and priority
      probabilities, lowered when rules and classifier disagree, when the
      emergency came only from the recall threshold, and for very short text.
    * ``category_scores``: classifier probabilities with the fired rules'
      categories boosted, renormalised (``category`` is their arg-max).
    * ``priority_scores``: classifier probabilities, blended 60/40 towards
      ``emergency`` when a rule fired. Without a rule, ``emergency`` is chosen
      from a probability of 0.5 up even if it is not the arg-max.
    * ``safety_flags``: codes of the life-safety rules that fired.
    * ``language``: detected language (en/es/fr/de/pt/it).
    * ``instructions``: what the tenant should do before help arrives, in
      ``language`` (English fallback); non-empty exactly for emergencies.
    * ``rationale``: a short human-readable reason (rule, top words).
    """

    model_config = ConfigDict(frozen=True)

    category: CategoryCode
    priority: PriorityCode
    confidence: float = Field(ge=0.0, le=1.0)
    category_scores: dict[str, float]
    priority_scores: dict[str, float]
    safety_flags: list[str] = Field(default_factory=list)
    language: str = "en"
    instructions: list[str] = Field(default_factory=list)
    rationale: str = ""

    @property
    def is_emergency(self) -> bool:
        return self.priority == "emergency"


def load_jsonl(path: str | Path) -> list[dict]:
    """Read a JSON-lines file of ``{"text", "category", "priority", ...}``."""
    items = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                items.append(json.loads(line))
    return items


def _preprocess(text: str) -> str:
    return mark_negated_hazards(normalize(text[:MAX_CHARS]))


class LocalTriageModel:
    """Category and priority classifiers plus the life-safety rules.

    ``items`` (dicts with ``text``, ``category``, ``priority``) override the
    default training file; this is what cross-validation uses.
    """

    def __init__(
        self,
        train_path: str | Path | None = None,
        items: Sequence[dict] | None = None,
        *,
        rule_category_bonus: float = RULE_CATEGORY_BONUS,
        emergency_threshold: float = EMERGENCY_THRESHOLD,
        use_rules: bool = True,
        C: float = 5.0,
        priority_C: float | None = None,
        class_weight: str | None = "balanced",
        char_min_df: int = 2,
        max_char_features: int = 80000,
        cue_weight: float = 1.0,
    ) -> None:
        if items is None:
            items = load_jsonl(train_path or DEFAULT_TRAIN_PATH)
        items = [it for it in items if it.get("text")]
        if not items:
            raise ValueError("no training items")
        for it in items:
            if it["category"] not in CATEGORIES or it["priority"] not in PRIORITIES:
                raise ValueError(f"unknown label in training item: {it!r}")
        self.rule_category_bonus = rule_category_bonus
        self.emergency_threshold = emergency_threshold
        self.use_rules = use_rules
        self.cue_weight = cue_weight
        self.n_train = len(items)

        texts = [_preprocess(it["text"]) for it in items]
        self._char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=char_min_df,
            max_features=max_char_features,
            dtype=np.float32,
        )
        self._word = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            token_pattern=r"(?u)\b\w+\b",  # noqa: S106 (not a password)
            sublinear_tf=True,
            min_df=1,
            dtype=np.float32,
        )
        X = hstack([self._char.fit_transform(texts), self._word.fit_transform(texts), self._cues(texts)]).tocsr()
        self._n_char = len(self._char.vocabulary_)
        self._n_word = len(self._word.vocabulary_)
        self._word_names = self._word.get_feature_names_out()

        self._cat_clf = LogisticRegression(C=C, max_iter=3000, class_weight=class_weight, random_state=RANDOM_STATE)
        self._cat_clf.fit(X, [it["category"] for it in items])
        self._pri_clf = LogisticRegression(
            C=priority_C or C, max_iter=3000, class_weight=class_weight, random_state=RANDOM_STATE
        )
        self._pri_clf.fit(X, [it["priority"] for it in items])

        self._cat_classes = list(self._cat_clf.classes_)
        self._pri_classes = list(self._pri_clf.classes_)

    # ------------------------------------------------------------------ API

    def predict(self, text: str) -> TriagePrediction:
        text = text or ""
        norm = _preprocess(text)
        language = detect_language(text)
        if not norm:
            return self._empty(language)

        X = self._vectorize([norm])
        cat_p = self._probs(self._cat_clf.predict_proba(X)[0], self._cat_classes, CATEGORIES)
        pri_p = self._probs(self._pri_clf.predict_proba(X)[0], self._pri_classes, PRIORITIES)
        hits = find_hits(text[:MAX_CHARS], language) if self.use_rules else []
        flags = [h.code for h in hits]

        # --- category: classifier, pulled towards the rules' categories.
        adjusted = dict(cat_p)
        for cat in {h.category for h in hits}:
            adjusted[cat] += self.rule_category_bonus
        total = sum(adjusted.values())
        category_scores = {c: adjusted[c] / total for c in CATEGORIES}
        category = max(CATEGORIES, key=lambda c: category_scores[c])

        # --- priority: rules force "emergency"; otherwise a recall-favouring
        # threshold on the classifier's emergency probability.
        clf_priority = max(PRIORITIES, key=lambda p: pri_p[p])
        if hits:
            priority = "emergency"
            priority_scores = {p: 0.4 * pri_p[p] + (0.6 if p == "emergency" else 0.0) for p in PRIORITIES}
        else:
            priority_scores = dict(pri_p)
            if pri_p["emergency"] >= self.emergency_threshold:
                priority = "emergency"
            else:
                priority = max(PRIORITIES[1:], key=lambda p: pri_p[p])

        confidence = self._confidence(norm, cat_p, pri_p, category, priority, hits, clf_priority)

        instructions: list[str] = []
        if priority == "emergency":
            instructions = instructions_for(flags, language)

        rationale = self._rationale(X, category, priority, hits, pri_p)
        return TriagePrediction(
            category=category,
            priority=priority,
            confidence=round(confidence, 4),
            category_scores={c: round(float(v), 4) for c, v in category_scores.items()},
            priority_scores={p: round(float(priority_scores[p]), 4) for p in PRIORITIES},
            safety_flags=flags,
            language=language,
            instructions=instructions,
            rationale=rationale,
        )

    def predict_many(self, texts: Iterable[str]) -> list[TriagePrediction]:
        return [self.predict(t) for t in texts]

    def classifier_probabilities(self, text: str) -> tuple[dict[str, float], dict[str, float]]:
        """The raw classifier probabilities (no rules), for diagnostics."""
        X = self._vectorize([_preprocess(text or "")])
        return (
            self._probs(self._cat_clf.predict_proba(X)[0], self._cat_classes, CATEGORIES),
            self._probs(self._pri_clf.predict_proba(X)[0], self._pri_classes, PRIORITIES),
        )

    # ------------------------------------------------------------ internals

    def _cues(self, norm_texts: list[str]) -> csr_matrix:
        rows = np.array([cue_counts(t) for t in norm_texts], dtype=np.float32)
        return csr_matrix(self.cue_weight * rows / 3.0)

    def _vectorize(self, norm_texts: list[str]):
        return hstack(
            [self._char.transform(norm_texts), self._word.transform(norm_texts), self._cues(norm_texts)]
        ).tocsr()

    @staticmethod
    def _probs(row: np.ndarray, classes: list[str], codes: Sequence[str]) -> dict[str, float]:
        out = dict.fromkeys(codes, 0.0)
        for cls, p in zip(classes, row, strict=True):
            out[cls] = float(p)
        return out

    def _confidence(self, norm, cat_p, pri_p, category, priority, hits, clf_priority) -> float:
        cat_conf = cat_p[category]
        if hits and any(h.category == category for h in hits):
            cat_conf = max(cat_conf, 0.5 + cat_conf / 2)
        # A rule is strong evidence for "emergency" on its own.
        pri_conf = max(pri_p["emergency"], 0.8) if hits else pri_p[priority]
        conf = math.sqrt(max(cat_conf, 1e-6) * max(pri_conf, 1e-6))
        if hits and (clf_priority != "emergency" or max(cat_p, key=cat_p.get) != category):
            conf *= 0.8  # rules and classifier disagree
        if not hits and priority == "emergency" and clf_priority != "emergency":
            conf *= 0.8  # emergency only by the recall threshold
        n_words = len(norm.split())
        if n_words <= 2:
            conf *= 0.7
        elif n_words <= 4:
            conf *= 0.85
        return float(min(0.99, max(0.01, conf)))

    def _top_words(self, X, cls_index: int, clf: LogisticRegression, k: int = 3) -> list[str]:
        row = X[0]
        idx = row.indices
        vals = row.data
        word_mask = (idx >= self._n_char) & (idx < self._n_char + self._n_word)
        if not word_mask.any():
            return []
        widx = idx[word_mask]
        coef = clf.coef_[cls_index] if clf.coef_.shape[0] > 1 else clf.coef_[0]
        contrib = vals[word_mask] * coef[widx]
        order = np.argsort(-contrib)
        words = []
        for j in order:
            if contrib[j] <= 0 or len(words) >= k:
                break
            name = str(self._word_names[widx[j] - self._n_char])
            if len(name) > 2 and not any(name in w or w in name for w in words):
                words.append(name)
        return words

    def _rationale(self, X, category, priority, hits, pri_p) -> str:
        parts = []
        if hits:
            labels = "; ".join(f"{h.code} (\u201c{h.matched.strip()[:40]}\u201d)" for h in hits)
            parts.append(f"Safety rule fired: {labels}, so priority is emergency.")
        elif priority == "emergency":
            parts.append(
                f"No safety rule fired, but the classifier gives emergency a probability of {pri_p['emergency']:.2f}."
            )
        words = self._top_words(X, self._cat_classes.index(category), self._cat_clf)
        if words:
            parts.append(f"Category {category} from the words: {', '.join(words)}.")
        else:
            parts.append(f"Category {category} from the overall wording.")
        if not hits and priority != "emergency":
            pwords = self._top_words(X, self._pri_classes.index(priority), self._pri_clf, k=2)
            if pwords:
                parts[-1] = parts[-1][:-1] + f"; priority {priority} from: {', '.join(pwords)}."
        return " ".join(parts)

    def _empty(self, language: str) -> TriagePrediction:
        n = len(CATEGORIES)
        return TriagePrediction(
            category="general",
            priority="low",
            confidence=0.01,
            category_scores={c: round(1 / n, 4) for c in CATEGORIES},
            priority_scores=dict.fromkeys(PRIORITIES, 0.25),
            safety_flags=[],
            language=language,
            instructions=[],
            rationale="Empty message: nothing to classify.",
        )


_MODEL: LocalTriageModel | None = None
_MODEL_LOCK = threading.Lock()


def get_model() -> LocalTriageModel:
    """The process-wide model, trained on first use (thread-safe)."""
    global _MODEL
    if _MODEL is None:
        with _MODEL_LOCK:
            if _MODEL is None:
                _MODEL = LocalTriageModel()
    return _MODEL


# Re-exported for callers that want rule metadata without importing rules.
RULE_CODES: tuple[str, ...] = tuple(RULES_BY_CODE)
