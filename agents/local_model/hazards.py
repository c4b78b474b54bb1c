"""Life-safety hard stops and tenant safety instructions, read from data (one JSON file per language).

A hard stop is a phrase that means danger to life in nearly every context ("smell of gas",
"stuck in the lift"): it makes the triage an emergency whatever the learned model says. The list
is short on purpose; the learned model carries everything else. Each language's file in
``data/safety/<lang>.json`` holds its phrases, its negation cues and its instructions; this module
only knows how to read and match them.

Phrase syntax (see ``data/safety/README.md``): words separated by spaces; ``*`` ends a word that
may go on (``flood*``); ``…`` allows up to 40 characters in between within one sentence; ``#`` is
a number; ``{"all": [[...], [...]]}`` needs one phrase of each list somewhere in the message.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "HAZARDS",
    "HAZARD_CATEGORY",
    "SAFETY_DIR",
    "HazardHit",
    "HazardScan",
    "SafetyLanguage",
    "compile_all",
    "find_hazards",
    "instructions_for",
    "load_language",
    "normalize",
    "safety_languages",
    "scan_hazards",
]

SAFETY_DIR = Path(__file__).resolve().parent / "data" / "safety"

# The hard stops of the taxonomy, and the trade each one calls first.
HAZARD_CATEGORY: dict[str, str] = {
    "gas_leak": "safety",
    "fire_smoke": "safety",
    "carbon_monoxide": "safety",
    "flooding": "plumbing",
    "sewage_backup": "plumbing",
    "electrical_hazard": "electrical",
    "no_heat_freezing": "hvac",
    "unsecured_unit": "doors_windows",
    "trapped_in_elevator": "exterior",
    "ceiling_collapse": "structural",
}
HAZARDS: tuple[str, ...] = tuple(HAZARD_CATEGORY)

# The writing systems a language's phrases are written in: a message is only read with the phrases of
# the languages whose script it uses.
SCRIPTS: dict[str, re.Pattern] = {
    "latin": re.compile("[a-z]"),
    "cyrillic": re.compile("[\u0400-\u04ff]"),
    "arabic": re.compile("[\u0600-\u06ff\u0750-\u077f]"),
    "devanagari": re.compile("[\u0900-\u097f]"),
    "han": re.compile("[\u3400-\u4dbf\u4e00-\u9fff]"),
    "hangul": re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"),
}
GAP_CHARS = 40
_SENTENCE_END = ".!?\n。！？؟।"
_QUESTION_MARKS = {"?", "？", "؟"}
_CLAUSE_END = _SENTENCE_END + ",;:،，；、"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'", "\u2013": "-", "\u2212": "-"})
# Spellings that tenants use interchangeably: Arabic alef forms, taa marbuta and alef maqsura, Russian ё,
# Hindi chandrabindu, Vietnamese đ, German ß. Arabic vowel marks and the tatweel are dropped.
_SPELLINGS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ё": "е", "ँ": "ं", "đ": "d", "ß": "ss", "ـ": None}
)
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670]")


def _is_latin(ch: str) -> bool:
    return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"


def normalize(text: str) -> str:
    """Lower-case, unify apostrophes, dashes and interchangeable spellings, collapse whitespace, and drop
    accents from Latin letters only: Cyrillic й and the vowel signs of Devanagari are letters of their own."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_APOSTROPHES))
    out: list[str] = []
    base = ""
    for ch in decomposed:
        if unicodedata.combining(ch):
            if _is_latin(base):
                continue
        else:
            base = ch
        out.append(ch)
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", "".join(out)).lower()).translate(_SPELLINGS)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class HazardHit:
    code: str
    category: str
    matched: str


class _Part:
    """One thing a phrase needs in the message: any of its alternatives. Each alternative names a literal
    word that any match must contain, so most messages are ruled out by a substring test, and the
    regular expression is compiled only when a message first gets that far."""

    __slots__ = ("_regex", "literals", "source")

    def __init__(self, alternatives: list[tuple[str, str]]) -> None:
        self.literals = tuple(literal for literal, _ in alternatives)
        self.source = "|".join(f"(?:{pattern})" for _, pattern in alternatives)
        self._regex: re.Pattern | None = None

    def could_match(self, present: frozenset[str]) -> bool:
        return any(literal in present for literal in self.literals)

    def compile(self) -> re.Pattern:
        if self._regex is None:
            self._regex = re.compile(self.source)
        return self._regex

    def finditer(self, text: str):  # type: ignore[no-untyped-def]
        return self.compile().finditer(text)


@dataclass(frozen=True)
class _Phrase:
    parts: tuple[_Part, ...]  # all must match (an {"all": ...} entry has several)


@dataclass(frozen=True)
class SafetyLanguage:
    code: str
    name: str
    scripts: tuple[str, ...]
    phrases: dict[str, tuple[_Phrase, ...]]
    negation_before: re.Pattern | None
    negation_after: re.Pattern | None
    negation_clause: re.Pattern | None
    # Words of doubt that hold a negation cue without negating the hazard: "not sure but there's a gas smell".
    negation_hedges: re.Pattern | None
    # Words that say a hazard is over ("was fixed", "false alarm", "all fine now"), read in the hazard's clause
    # and after it up to the end of the next sentence, unless an ``ongoing`` cue ("again", "but now") is near
    # (see _resolved).
    negation_resolved: re.Pattern | None
    # Words that say a person was freed ("the firemen got her out"): they end only a trapped person's emergency
    # (in "fire on our landing, they got us out" the fire goes on).
    negation_rescued: re.Pattern | None
    negation_ongoing: re.Pattern | None
    window: int
    word_boundaries: bool
    instructions: dict[str, tuple[str, ...]]
    general_instructions: tuple[str, ...]
    unknown_language_line: str
    literals: re.Pattern
    prefixes: dict[str, frozenset[str]]
    # Each literal of a phrase's first part -> the (hazard, index) of the phrases it opens: a message is
    # matched against only the phrases whose literals it contains (a few of the ~4,000), not all of them.
    openers: dict[str, tuple[tuple[str, int], ...]]

    def candidates(self, present: frozenset[str]) -> dict[str, list[int]]:
        """The phrases (by hazard, in file order) that ``present`` literals could let match."""
        found: dict[str, set[int]] = {}
        for literal in present:
            for hazard, index in self.openers.get(literal, ()):
                found.setdefault(hazard, set()).add(index)
        return {hazard: sorted(indices) for hazard, indices in found.items()}

    def literals_in(self, text: str) -> frozenset[str]:
        """The phrases' literal words that occur in ``text``, in one pass: at each position the longest
        literal found there, with every literal that is a prefix of it."""
        present: set[str] = set()
        for match in self.literals.finditer(text):
            present |= self.prefixes[match.group(1)]
        return frozenset(present)


@dataclass(frozen=True)
class _Writing:
    """How a language's words are told apart: at word boundaries (not in Chinese), and the one-letter words
    that are written joined to the next one ("clitics": Arabic و "and", ف "so", as in والسقف "and the ceiling"),
    which a phrase's word may then carry without a phrase of its own for each."""

    boundaries: bool
    clitics: tuple[str, ...] = ()

    @property
    def clitic(self) -> str:
        if not self.clitics:
            return ""
        return "(?:" + "|".join(re.escape(c) for c in sorted(self.clitics, key=len, reverse=True)) + ")?"


def _word_regex(word: str, writing: _Writing) -> str:
    prefix = word.endswith("*")
    word = word.rstrip("*")
    pieces = [r"\d+(?:[.,]\d+)?" if piece == "#" else re.escape(piece) for piece in re.split(r"(#)", word) if piece]
    body = "".join(pieces)
    if writing.boundaries and word[:1].isalnum():
        body = r"(?<!\w)" + writing.clitic + body
    if prefix:
        body += r"\w*"
    elif writing.boundaries and word[-1:].isalnum():
        body += r"(?!\w)"
    return body


def _phrase_regex(phrase: str, writing: _Writing) -> tuple[str, str]:
    """``(literal, pattern)``: the longest literal word of the phrase, and its regular expression."""
    phrase = normalize(phrase)
    if not phrase:
        raise ValueError("empty phrase")
    # Gaps are the only capturing groups: a negation cue inside one negates the match ("ceiling did not collapse").
    gap = rf"([^{re.escape(_SENTENCE_END)}]{{0,{GAP_CHARS}}}?)"
    segments = [_words_regex(segment, writing) for segment in re.split(r"\.\.\.|…", phrase) if segment.split()]
    if not segments:
        raise ValueError(f"phrase {phrase!r} has no words")
    literal = max((w.strip("*").replace("#", "") for w in re.split(r"\s+|\.\.\.|…", phrase)), key=len)
    return literal, gap.join(segments)


def _words_regex(words: str, writing: _Writing) -> str:
    """Words as written, with any spaces, hyphens or apostrophes between them; each may end in ``*``."""
    first, *rest = words.split()
    return _word_regex(first, writing) + "".join(r"[\s\-']*" + _word_regex(w, writing) for w in rest)


def _cue_regex(cues: Sequence[str], writing: _Writing) -> re.Pattern | None:
    """Negation cues are read like the words of a phrase: ``fałszyw* alarm*``, ``no-one`` for ``no one``."""
    cues = [normalize(c) for c in cues if normalize(c).split()]
    if not cues:
        return None
    return re.compile("|".join(_words_regex(c, writing) for c in sorted(cues, key=len, reverse=True)))


def _parse_phrase(entry: str | dict, writing: _Writing) -> _Phrase:
    if isinstance(entry, str):
        return _Phrase((_Part([_phrase_regex(entry, writing)]),))
    parts = tuple(_Part([_phrase_regex(p, writing) for p in group]) for group in entry["all"])
    return _Phrase(parts)


@cache
def load_language(code: str) -> SafetyLanguage | None:
    """The safety data of one language, or None when there is no file for it."""
    path = SAFETY_DIR / f"{code}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    boundaries = bool(data.get("word_boundaries", True))
    writing = _Writing(boundaries, tuple(normalize(c) for c in data.get("clitics", ())))
    negation = data.get("negation", {})
    hazards = data["hazards"]
    unknown = set(hazards) - set(HAZARDS)
    if unknown:
        raise ValueError(f"{path.name}: unknown hazards {sorted(unknown)}")
    phrases = {h: tuple(_parse_phrase(p, writing) for p in spec.get("phrases", ())) for h, spec in hazards.items()}
    known = {lit for found in phrases.values() for phrase in found for part in phrase.parts for lit in part.literals}
    literals = sorted(known)
    return SafetyLanguage(
        code=code,
        name=data.get("name", code),
        scripts=tuple(data.get("scripts", ("latin",))),
        phrases=phrases,
        negation_before=_cue_regex(negation.get("before", ()), writing),
        negation_after=_cue_regex(negation.get("after", ()), writing),
        negation_clause=_cue_regex(negation.get("clause", ()), writing),
        negation_hedges=_cue_regex(negation.get("hedges", ()), writing),
        negation_resolved=_cue_regex(negation.get("resolved", ()), writing),
        negation_rescued=_cue_regex(negation.get("rescued", ()), writing),
        negation_ongoing=_cue_regex(negation.get("ongoing", ()), writing),
        window=int(negation.get("window", 30)),
        word_boundaries=boundaries,
        instructions={h: tuple(spec.get("instructions", ())) for h, spec in hazards.items()},
        general_instructions=tuple(data.get("general_instructions", ())),
        unknown_language_line=data.get("unknown_language_line", ""),
        literals=re.compile("(?=(" + _trie_regex(literals) + "))"),
        prefixes={lit: frozenset(lit[:n] for n in range(1, len(lit) + 1) if lit[:n] in known) for lit in literals},
        openers=_openers(phrases),
    )


def _trie_regex(words: Sequence[str]) -> str:
    """One expression for many literal words that matches the longest one at a position, walking their
    shared prefixes once: an alternation of thousands of words would try each word in turn at every
    position of the message."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def render(node: dict) -> str:
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # A word that ends here is also a match, but a longer one is tried first (greedy "?").
        return f"(?:{body})?" if "" in node else body

    return render(trie)


def _openers(phrases: dict[str, tuple[_Phrase, ...]]) -> dict[str, tuple[tuple[str, int], ...]]:
    openers: dict[str, list[tuple[str, int]]] = {}
    for hazard, found in phrases.items():
        for index, phrase in enumerate(found):
            for literal in dict.fromkeys(phrase.parts[0].literals):
                openers.setdefault(literal, []).append((hazard, index))
    return {literal: tuple(entries) for literal, entries in openers.items()}


@cache
def compile_all(languages: Sequence[str]) -> int:
    """Compile every phrase of ``languages`` now rather than at first use (a server process does it
    before it forks, about 3 s for the 15 languages' ~16,300 phrases here); the number of expressions."""
    count = 0
    for code in languages:
        lang = load_language(code)
        for phrases in lang.phrases.values() if lang else ():
            for phrase in phrases:
                for part in phrase.parts:
                    part.compile()
                    count += 1
    return count


def safety_languages() -> tuple[str, ...]:
    """The languages that have a safety file."""
    return tuple(sorted(p.stem for p in SAFETY_DIR.glob("*.json")))


def _clause_bounds(text: str, start: int, end: int, ends: str = _CLAUSE_END) -> tuple[int, int]:
    left = max((text.rfind(ch, 0, start) for ch in ends), default=-1) + 1
    rights = [i for i in (text.find(ch, end) for ch in ends) if i >= 0]
    return left, min(rights, default=len(text))


def _resolved(lang: SafetyLanguage, hazard: str, text: str, start: int, end: int, left: int, right: int) -> bool:
    """Whether the hazard at ``start:end`` (in the clause ``left:right``) is told as over: a ``resolved`` cue
    in its clause or after it, to the end of the next sentence ("the burst pipe was fixed on Monday", "Вчера
    прорвало батарею, аварийка поменяла секцию, всё ок"), with no ``ongoing`` cue near the hazard ("has burst
    again"), just before the cue ("the same lift that was fixed last week") or after it in its sentence ("the
    leak that caused it was fixed last week but now more is hanging loose"), and not in a question ("was the
    pipe fixed?" says nothing is over)."""
    cues = [lang.negation_resolved] + ([lang.negation_rescued] if hazard == "trapped_in_elevator" else [])
    cues = [c for c in cues if c is not None]
    if not cues:
        return False
    ongoing = lang.negation_ongoing
    if ongoing is not None and ongoing.search(text[max(left, start - lang.window) : min(right, end + lang.window)]):
        return False
    _, sentence_end = _clause_bounds(text, start, end, _SENTENCE_END)
    _, reach = _clause_bounds(text, sentence_end + 1, sentence_end + 1, _SENTENCE_END)

    def holds(cue: re.Match) -> bool:
        _, cue_sentence_end = _clause_bounds(text, cue.end(), cue.end(), _SENTENCE_END)
        if text[cue_sentence_end : cue_sentence_end + 1] in _QUESTION_MARKS:
            return False
        return ongoing is None or not (
            ongoing.search(text, max(0, cue.start() - lang.window), cue.start())
            or ongoing.search(text, cue.end(), cue_sentence_end)
        )

    return any(holds(cue) for found in cues for cue in found.finditer(text, left, max(reach, right)))


def _negated(lang: SafetyLanguage, hazard: str, text: str, match: re.Match, floor: int = 0) -> bool:
    """Whether a negation cue cancels ``match``: a before-cue before it (not before ``floor``) or inside one
    of its gaps, an after-cue after it, a clause cue anywhere in its clause, or words that say it is over."""
    start, end = match.span()
    left, right = _clause_bounds(text, start, end)
    lo = max(left, floor, start - lang.window)
    after = text[end : min(right, end + lang.window)]
    # A cue in a gap negates the words after it, as a cue before the match does ("did not" in
    # "ceiling did not collapse").
    gaps = [g for g in match.groups() if g]
    if lang.negation_before is not None:
        # Where words are not spaced, a before-cue may run into the match: "没闻" (did not smell) in
        # "没闻到燃气味". Between spaced words, a cue that shares a word with the match is another reading of it
        # ("ما حد" nobody, in "بعد ما حد حاول": after someone tried).
        reach = start if lang.word_boundaries else end
        hedges = [h.span() for h in lang.negation_hedges.finditer(text, left, right)] if lang.negation_hedges else []

        def doubt(cue: re.Match) -> bool:
            return any(h_start <= cue.start() < h_end for h_start, h_end in hedges)

        if any(cue.start() < start and not doubt(cue) for cue in lang.negation_before.finditer(text, lo, reach)):
            return True
        if any(lang.negation_before.search(gap) for gap in gaps):
            return True
    if lang.negation_after is not None and lang.negation_after.search(after):
        return True
    if lang.negation_clause is not None and lang.negation_clause.search(text, left, right) is not None:
        return True
    return _resolved(lang, hazard, text, start, end, left, right)


def _match_phrase(
    lang: SafetyLanguage, hazard: str, phrase: _Phrase, text: str, present: frozenset[str]
) -> tuple[str | None, bool]:
    """``(matched words, False)`` for a phrase that fires; ``(None, True)`` when it is there but negated;
    ``(None, False)`` when it is not there. In an {"all": ...} entry, a negation cue that sits inside
    another part's match belongs to that part ("no heat and it's below zero")."""
    if not all(part.could_match(present) for part in phrase.parts):
        return None, False
    spans = [[m.span() for m in part.finditer(text)] for part in phrase.parts]
    if not all(spans):
        return None, False
    matched = []
    for index, part in enumerate(phrase.parts):
        others = [end for other, found in enumerate(spans) if other != index for _, end in found]
        for match in part.finditer(text):
            floor = max((end for end in others if end <= match.start()), default=0)
            if not _negated(lang, hazard, text, match, floor):
                matched.append(match.group(0))
                break
        else:
            return None, True
    return " … ".join(matched), False


@dataclass(frozen=True)
class HazardScan:
    """The hard stops that fire, and the hazards that are mentioned only in the negative ("no gas smell"):
    the learned model reads both."""

    hits: list[HazardHit]
    negated: frozenset[str]


def scan_hazards(text: str, languages: Sequence[str]) -> HazardScan:
    """Every hard stop that fires on ``text`` in any of ``languages`` (in HAZARDS order, once each), and
    the hazards only mentioned negated. Several languages are checked because tenants mix them."""
    norm = normalize(text)
    hits: dict[str, HazardHit] = {}
    negated: set[str] = set()
    if not norm:
        return HazardScan([], frozenset())
    for code in dict.fromkeys(languages):
        lang = load_language(code)
        if lang is None:
            continue
        if not any(SCRIPTS[script].search(norm) for script in lang.scripts):
            continue
        present = lang.literals_in(norm)
        if not present:
            continue
        candidates = lang.candidates(present)
        for hazard, phrases in lang.phrases.items():
            if hazard in hits or hazard not in candidates:
                continue
            for index in candidates[hazard]:
                matched, was_negated = _match_phrase(lang, hazard, phrases[index], norm, present)
                if matched is not None:
                    hits[hazard] = HazardHit(hazard, HAZARD_CATEGORY[hazard], matched)
                    break
                if was_negated:
                    negated.add(hazard)
    return HazardScan([hits[h] for h in HAZARDS if h in hits], frozenset(negated - set(hits)))


def find_hazards(text: str, languages: Sequence[str]) -> list[HazardHit]:
    """The hard stops that fire on ``text`` (see :func:`scan_hazards`)."""
    return scan_hazards(text, languages).hits


def instructions_for(hazards: Sequence[str], language: str, *, emergency_number: str = "112") -> list[str]:
    """What the tenant should do before help arrives, for the given hazards (general steps when none),
    in ``language``; in English with the emergency number spelt out when the language has no file."""
    lang = load_language(language)
    english = load_language("en")
    if english is None:
        raise RuntimeError("the English safety file is missing")
    source = lang or english
    lines: list[str] = []
    for hazard in hazards or ():
        for line in source.instructions.get(hazard) or english.instructions.get(hazard, ()):
            if line not in lines:
                lines.append(line)
    if not lines:
        lines = list(source.general_instructions or english.general_instructions)
    if lang is None and english.unknown_language_line:
        lines.append(english.unknown_language_line)
    return [line.replace("{emergency}", emergency_number) for line in lines]


def _main(argv: Sequence[str]) -> int:
    """``python -m agents.local_model.hazards check LANG TEXT...``: the hard stops that fire on each TEXT."""
    if len(argv) < 3 or argv[0] != "check":
        print("usage: python -m agents.local_model.hazards check LANG TEXT [TEXT...]")
        return 2
    language, texts = argv[1], argv[2:]
    if load_language(language) is None:
        print(f"no safety file for {language!r} in {SAFETY_DIR}")
        return 1
    for text in texts:
        hits = find_hazards(text, [language])
        shown = ", ".join(f"{h.code} ({h.matched!r})" for h in hits) or "-"
        print(f"{shown}\t{text}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
