"""A cheap stop-word language detector for en, es, fr, de, pt and it.

Good enough for routing safety instructions and negation words; it is not a
general language identifier. Unknown or empty text is reported as English.
"""

from __future__ import annotations

import re
import unicodedata

LANGUAGES = ("en", "es", "fr", "de", "pt", "it")

_STOP = {
    "en": (
        "the an and is are was were it it's its i'm my me we our you your there there's this that "
        "of to in on at for from with not no don't doesn't won't can't cant dont wont isn't please help "
        "has have had been be since when just but so very all some any out up down again still now "
        "water door leak leaking smell broken working work won't apartment kitchen bathroom room floor "
        "ceiling heat light outlet stuck would could can someone get keeps coming"
    ),
    "es": (
        "el la los las de del y en que se por con una un unos mi mis hay esta estan es son muy para desde "
        "pero ya al lo le les su sus como cuando porque tengo tenemos tiene sale salen favor no sin agua "
        "olor puerta cocina bano techo luz cuarto pasillo nada todo todos todas esta estoy llevamos otra vez "
        "donde arriba abajo afuera adentro mucho muchisimo ayer hoy noche manana creo funciona olor incendio tubo roto nevera moho enfria humo chispas fuga ascensor "
        "atrapado calefaccion inundacion inodoro tapado huele olor hornalla hornilla prende enciende"
    ),
    "fr": (
        "le la les de des du et est il elle je j' pas une un dans sur qui que ne n' plus avec pour ca c'est "
        "c' l' d' qu' s' au aux depuis mon ma mes chez nous vous on y a ete sont tout toute tous fait il y "
        "eau odeur porte cuisine salle plafond chauffage fuite lumiere toilettes merci bonjour tres deja encore "
        "rien sans ce cette ces se sent marche radiateur chambre reste froid autres demande hors service "
        "personne dedans repeindre salon svp fenetre panne"
    ),
    "de": (
        "der die das und ist nicht ein eine einen im in mit von es ich wir auf bei seit kein keine den dem "
        "des zu sich schon mehr bitte wohnung geht aus nach noch auch sind hat haben wird wurde man mein meine "
        "unser unsere uber alles alle sehr hier dort heute gestern nacht kommt wasser geruch tur kuche bad "
        "decke heizung licht steckdose funktioniert kaputt riecht starker treppenhaus schimmel"
    ),
    "pt": (
        "o a os as de do da dos das e em no na nos nas nao um uma com por para esta estao tem meu minha "
        "que se ja mais muito agua casa porta cozinha banheiro saindo vazamento cheiro isso aqui ali ontem "
        "hoje noite voces ninguem nada sem fica ficou estou estamos pra pro teto luz quarto predio "
        "apartamento corredor vizinho vizinha desde funciona grama precisa ser quebrado faz graus fora "
        "pintar sala cano vaso entupido"
    ),
    "it": (
        "il lo la i gli le di del della dei delle e in nel nella nei non un una uno con per che si ci c'e "
        "c' ho ha hanno da dal dalla sono mio mia miei piu acqua casa porta cucina bagno soffitto luce "
        "camera odore perdita niente tutto tutti molto anche ancora gia ieri oggi notte sotto sopra "
        "dentro fuori abbiamo sta stanno funziona allagata rotto venite subito cigola estintore scaduto "
        "erba giardino domanda contratto affitto suona senza finestre termosifone freddo nello studio intasato unico"
    ),
}
_STOPSETS = {lang: frozenset(words.split()) for lang, words in _STOP.items()}

# Characters that only (or mostly) occur in one language, checked before
# accents are stripped: (pattern, language, weight).
_CHAR_HINTS = (
    (re.compile("[ñ¿¡]"), "es", 2.0),
    (re.compile("[ãõ]"), "pt", 2.5),
    (re.compile("ç"), "pt", 0.6),
    (re.compile("ç"), "fr", 0.6),
    (re.compile("[ßäöü]"), "de", 2.0),
    (re.compile("[ùìò]"), "it", 1.5),
    (re.compile("[èà]"), "it", 0.7),
    (re.compile("[èàù]"), "fr", 0.5),
    (re.compile("[êâîôûëï]"), "fr", 1.0),
    (re.compile("[ê]"), "pt", 0.5),
    (re.compile("[áéíóú]"), "es", 0.3),
    (re.compile("[áéíóú]"), "pt", 0.3),
    (re.compile("\\b(?:ção|ções)"), "pt", 2.0),
    (re.compile("(?:ção|ções)\\b"), "pt", 1.5),
    (re.compile("(?:zione|zioni|zz[aeio])\\b"), "it", 0.8),
    (re.compile("ción\\b"), "es", 1.0),
    (re.compile("(?:ung|keit|heit|sch)\\w*\\b"), "de", 0.4),
    (re.compile("(?:eau|eux|aux)\\b"), "fr", 0.6),
)

_TOKEN = re.compile(r"[a-z]+'?|[a-z]*'[a-z]+")


def _strip(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("\u2019", "'").lower()


def language_scores(text: str) -> dict[str, float]:
    raw = (text or "").lower()
    scores = dict.fromkeys(LANGUAGES, 0.0)
    for rx, lang, weight in _CHAR_HINTS:
        n = len(rx.findall(raw))
        if n:
            scores[lang] += weight * min(n, 3)
    tokens = _TOKEN.findall(_strip(raw))
    for tok in tokens:
        parts = [tok]
        if "'" in tok:
            head, _, tail = tok.partition("'")
            parts = [tok, head + "'", tail]
        for part in parts:
            for lang in LANGUAGES:
                if part in _STOPSETS[lang]:
                    scores[lang] += 1.0
    return scores


def detect_language(text: str) -> str:
    """Return the most likely of en/es/fr/de/pt/it (``en`` when unsure)."""
    scores = language_scores(text)
    best = max(LANGUAGES, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] > 0 else "en"
