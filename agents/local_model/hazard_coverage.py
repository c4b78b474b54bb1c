"""How the hard stops fare on the training data, for whoever edits ``data/safety/<lang>.json``.

``python -m agents.local_model.hazard_coverage [LANG ...]`` prints, for each language (all 15 by
default), the training emergencies no hard stop catches (candidates for a phrase, when the message
names a hazard in words that mean danger nearly everywhere; symptoms are the learned model's), and the
training messages that are not emergencies on which that language's phrases fire, across every
language's files (each message is scanned with every language: a word harmless in one can misfire in
another). The second list must stay at or near zero: every hard stop that fires sends someone out.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .hazards import HazardHit, safety_languages, scan_hazards
from .training import Labelled, load_items, training_files


def missed(items: Sequence[Labelled], language: str) -> tuple[list[Labelled], int]:
    """The language's training emergencies no hard stop of any language catches, and how many there are."""
    everyone = safety_languages()
    emergencies = [it for it in items if it.lang == language and it.priority == "emergency"]
    return [it for it in emergencies if not scan_hazards(it.text, everyone).hits], len(emergencies)


def misfires(items: Sequence[Labelled], language: str) -> list[tuple[Labelled, list[HazardHit]]]:
    """Training messages that are not (and may not be) emergencies on which the language's phrases fire."""
    found = []
    for it in items:
        if it.priority == "emergency" or "emergency" in it.accept.get("priority", []):
            continue
        hits = scan_hazards(it.text, [language]).hits
        if hits:
            found.append((it, hits))
    return found


def main(languages: Sequence[str]) -> None:
    items = load_items(training_files())
    for language in languages or safety_languages():
        left, total = missed(items, language)
        print(f"=== {language}: {total - len(left)}/{total} training emergencies caught by a hard stop; missed:")
        for it in left:
            print(f"  [{it.source}] {it.text}")
        fired = misfires(items, language)
        print(f"=== {language}: its phrases fire on {len(fired)} training messages that are not emergencies:")
        for it, hits in fired:
            print(f"  [{it.source} {it.priority}] {[(h.code, h.matched) for h in hits]} {it.text}")


if __name__ == "__main__":
    main(sys.argv[1:])
