"""Explicit life-safety rules for tenant maintenance messages.

Pure Python (no Django). Each :class:`SafetyRule` looks for one kind of
emergency from the triage taxonomy in a tenant message written in English,
Spanish, French, German, Portuguese or Italian. Text is lower-cased and
stripped of accents before matching, so the patterns below are written
without accents, and they tolerate the most common misspellings.

A rule hit means: the priority is ``emergency`` and, unless the text clearly
belongs to another trade, the category is the rule's category. Rules favour
recall; cheap negation handling ("no gas smell", "sin olor a gas", "kein
Gasgeruch") keeps the obvious false alarms out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .lang import detect_language, language_scores

__all__ = [
    "GENERAL_EMERGENCY_INSTRUCTIONS",
    "RULES",
    "RULES_BY_CODE",
    "RuleHit",
    "SafetyRule",
    "find_hits",
    "instructions_for",
    "normalize",
]


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'", "\u2013": "-", "\u2212": "-"})


def normalize(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes and collapse whitespace.

    The result has the same meaning for matching purposes; it is what every
    pattern in this module is written against.
    """
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u00df", "ss").translate(_APOSTROPHES).lower()
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------
# Negation
# --------------------------------------------------------------------------

# Phrases that contain a negation word but do not negate the hazard
# ("won't stop", "not sure if"). They are blanked out (same length) before the
# negation check so that string offsets stay valid.
_HEDGES = re.compile(
    r"\b(?:not sure|i'?m not sure|don'?t know|dont know|do not know|won'?t stop|wont stop|"
    r"doesn'?t stop|does not stop|can'?t stop|cannot stop|not stopping|won'?t shut off|won'?t turn off|"
    r"can'?t (?:turn|shut) (?:it )?off|cannot (?:turn|shut) (?:it )?off|not (?:the |a )?(?:low )?battery(?: chirp\w*| beep\w*)?|"
    r"not (?:the |a )?chirp\w*|no es (?:la )?(?:pila|bateria)|pas la pile|nicht die batterie|nao e a bateria|non e la batteria|"
    r"not just|no joke|no idea|no se si|no se que|no estoy segur\w*|no para\w*|no deja de|no se detiene|"
    r"no se apaga|je ne sais pas|pas sur\w*|ne s'arrete pas|n'arrete pas|ne s'eteint pas|nicht sicher|"
    r"weiss nicht|hort nicht auf|geht nicht aus|nao sei|nao para\w*|nao desliga|nao sei se|"
    r"non so|non si ferma\w*|non smette|non si spegne|no longer? stop\w*)\b"
)

_NEG_WORDS = {
    # English words are always checked (tenants mix languages); "no" is a
    # negation only in English and Spanish (in Portuguese it means "in the").
    "en": r"not|never|without|none|nobody|noone|nothing|nor|isn'?t|aren'?t|wasn'?t|weren'?t|"
    r"don'?t|doesn'?t|didn'?t|haven'?t|hasn'?t|hadn'?t|no longer",
    "es": r"no|sin|nunca|ningun\w*|nadie|nada|ni|tampoco",
    "fr": r"pas|aucun\w*|sans|jamais|rien|ne|plus aucun",
    "de": r"kein\w*|nicht|ohne|nie|niemand|nirgends",
    "pt": r"nao|sem|nenhum\w*|ninguem|nunca|nada|nem",
    "it": r"non|senza|nessun\w*|niente|mai|nulla|ne",
}


def _neg_regex(lang: str) -> re.Pattern:
    words = [_NEG_WORDS["en"], _NEG_WORDS.get(lang, "")]
    if lang in ("en", "") or lang not in _NEG_WORDS:
        words.append(_NEG_WORDS["es"] + r"|no")
    if lang == "en":
        words.append(r"no")
    extra = r"|\bn'" if lang == "fr" else ""
    return re.compile(r"(?:\b(?:" + "|".join(w for w in words if w) + r")\b" + extra + ")")


_NEG_BY_LANG = {lang: _neg_regex(lang) for lang in ("en", "es", "fr", "de", "pt", "it")}
_NEG = _NEG_BY_LANG["en"]

# Clause boundaries: a negation does not reach across these.
_CLAUSE = re.compile(
    r"[.!?;,:()\n]|\b(?:but|and|however|although|though|pero|aunque|sino|mais|et|aber|und|"
    r"doch|jedoch|mas|porem|ma|y)\b"
)

_WORD = re.compile(r"[\w']+")


def _is_negated(
    neg_text: str, start: int, end: int, inner: bool = True, window_words: int = 4, neg: re.Pattern = _NEG
) -> bool:
    """True if a negation word precedes the span (same clause, last few words)
    or, when ``inner`` is set, appears inside the span itself."""
    before = neg_text[max(0, start - 60) : start]
    parts = _CLAUSE.split(before)
    clause = parts[-1] if parts else before
    words = _WORD.findall(clause)[-window_words:]
    if words and neg.search(" ".join(words)):
        return True
    return bool(inner and neg.search(neg_text[start:end]))


# --------------------------------------------------------------------------
# Rule machinery
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pat:
    """One pattern of a rule.

    ``neg``: check negation before the match; ``inner``: also inside it
    (off for patterns that contain a negation on purpose, e.g. "no heat").
    ``exclude``: a pattern that, found within ``exclude_window`` characters
    around the match, cancels it (e.g. "battery" next to "smoke alarm").
    """

    regex: re.Pattern
    neg: bool = True
    inner: bool = True
    exclude: re.Pattern | None = None
    exclude_window: int = 60
    near: re.Pattern | None = None
    near_window: int = 60


def _p(
    pattern: str,
    neg: bool = True,
    inner: bool = True,
    exclude: str | None = None,
    window: int = 60,
    near: str | None = None,
    near_window: int = 60,
) -> Pat:
    return Pat(
        re.compile(pattern),
        neg=neg,
        inner=inner,
        exclude=re.compile(exclude) if exclude else None,
        exclude_window=window,
        near=re.compile(near) if near else None,
        near_window=near_window,
    )


@dataclass(frozen=True)
class SafetyRule:
    code: str
    category: str
    label: str
    patterns: tuple[Pat, ...]
    instructions: dict[str, tuple[str, ...]]
    # Every group in ``requires`` must also match (not negated) somewhere in
    # the text, e.g. "it is freezing outside" for the no-heat rule.
    requires: tuple[tuple[Pat, ...], ...] = field(default_factory=tuple)

    @staticmethod
    def _first_match(norm: str, neg_text: str, pats: tuple[Pat, ...], neg: re.Pattern) -> re.Match | None:
        for pat in pats:
            for m in pat.regex.finditer(norm):
                if pat.exclude is not None:
                    lo = max(0, m.start() - pat.exclude_window)
                    hi = min(len(norm), m.end() + pat.exclude_window)
                    if pat.exclude.search(neg_text[lo:hi]):
                        continue
                if pat.near is not None:
                    lo = max(0, m.start() - pat.near_window)
                    hi = min(len(norm), m.end() + pat.near_window)
                    if not pat.near.search(norm[lo:hi]):
                        continue
                if pat.neg and _is_negated(neg_text, m.start(), m.end(), inner=pat.inner, neg=neg):
                    continue
                return m
        return None

    def match(self, norm: str, neg_text: str | None = None, language: str = "en") -> re.Match | None:
        """Return the first non-negated match in already normalised text."""
        if neg_text is None:
            neg_text = _blank_hedges(norm)
        neg = _NEG_BY_LANG.get(language, _NEG)
        m = self._first_match(norm, neg_text, self.patterns, neg)
        if m is None:
            return None
        if self.requires:
            # The primary match ("no heat") must not count as a negation of
            # the required context ("it's freezing").
            blanked = neg_text[: m.start()] + " " * (m.end() - m.start()) + neg_text[m.end() :]
            for group in self.requires:
                if self._first_match(norm, blanked, group, neg) is None:
                    return None
        return m


@dataclass(frozen=True)
class RuleHit:
    code: str
    category: str
    label: str
    matched: str


def _blank_hedges(norm: str) -> str:
    return _HEDGES.sub(lambda m: " " * len(m.group(0)), norm)


def _near(a: str, b: str, gap: int = 40) -> str:
    """Regex: ``a`` and ``b`` within ``gap`` characters, in either order."""
    return rf"(?:(?:{a})[^.!?;\n]{{0,{gap}}}?(?:{b})|(?:{b})[^.!?;\n]{{0,{gap}}}?(?:{a}))"


def _then(a: str, b: str, gap: int = 40) -> str:
    """Regex: ``a`` followed by ``b`` within ``gap`` characters (same sentence)."""
    return rf"(?:(?:{a})[^.!?;\n]{{0,{gap}}}?(?:{b}))"


# --------------------------------------------------------------------------
# Vocabulary (normalised: lower case, no accents)
# --------------------------------------------------------------------------

GAS = r"\b(?:ga[sz]+|gass|propan[eo]?|butan[eo]?|methane|erdgas|metano|metan)\b"
SMELL = (
    r"\b(?:smell\w*|smel|smeel\w*|smll|odou?r\w*|stink\w*|stench|reek\w*|whiff|fumes|"
    r"huel\w*|uele\w*|ueles|olor\w*|oliendo|olia|olio|apesta\w*|"
    r"odeur\w*|sent|sens|senti|sentons|pue|puent|"
    r"riech\w*|roch|gerochen|geruch|stinkt|"
    r"cheir\w*|fedor\w*|fede|"
    r"puzz\w*|sento|sente|sentiamo|sentito|odore)\b"
)
LEAK = (
    r"\b(?:leak\w*|leek\w*|escap\w*|fuga\w*|fuite\w*|austr\w*|undicht|vaza\w*|perdit\w*|perde|perdida|"
    r"saliendo|sale|coming out|sortant|qui sort|stromt|saindo|uscendo|esce)\b"
)
HISS = r"\b(?:hiss\w*|silb\w*|siffl\w*|zisch\w*|chiand\w*|chia|fischi\w*|sibil\w*)\b"

SMOKE = r"\b(?:smoke|smokes|smoking|smokey|smoky|humo|umo|humareda|fumee|rauch|qualm\w*|fumaca|fumo|fumaza)\b"
_SMOKE_DEVICE_AFTER = r"(?!\s*(?:detector|detecter|dector|alarm|sensor|det\b|test|free))"
_SMOKE_DEVICE_BEFORE = "".join(
    f"(?<!{w} )"
    for w in (
        "detector de",
        "detectores de",
        "alarma de",
        "alarmas de",
        "sensor de",
        "sensores de",
        "detecteur de",
        "detecteurs de",
        "alarme de",
        "avertisseur de",
        "detector de",
        "detetor de",
        "rilevatore di",
        "rilevatori di",
        "sensore di",
        "allarme",
        "rivelatore di",
        "detecteur",
        "alarme",
        "sensor",
        "detector",
    )
)
SMOKE = _SMOKE_DEVICE_BEFORE + SMOKE
FIRE = (
    r"\b(?:fire(?! ?(?:alarm|extinguisher|escape|door|place|exit|drill|inspection|hydrant|pit|code|blanket|safety|proof|"
    r"rated|marshal|department|fighter|works|wood|fly|flies))|fier|fiere|fyre|fires|on fire|caught fire|flames?|flaming|blaze|ablaze|burning down|something is burning|"
    r"is burning|are burning|fuego|(?<!alarme d')(?<!alarma de )(?<!alarmas de )(?<!alarme )(?<!alarme de )(?<!alarme d' )(?<!sistema de )(?<!salida de )(?<!salidas de )(?<!sortie de )(?<!porta )(?<!puerta )(?<!scala )(?<!detector de )(?<!sensor de )(?<!allarme )(?<!extintor de )(?<!boca de )(?<!seguro de )(?<!simulacro de )(?<!exercice )incendi\w*|llamas|se (?:esta )?quem\w*|"
    r"(?<!coupe-)(?<!coupe )feu(?! (?:rouge|vert|d'artifice))|flammes?|brule\w* (?:tout|partout)|ca brule|"
    r"feuer|brand|brennt|brennen|flammen|in flammen|"
    r"fogo|chamas?|pegou fogo|pegando fogo|"
    r"fuoco|fiamm\w*|brucia|sta bruciando|bruciando)\b"
)
# Words that make "fire"/"smoke" not a fire: equipment names, cigarettes, bbq.
FIRE_EXCLUDE = (
    r"\b(?:fire ?(?:extinguisher|escape|door|place|exit|drill|inspection|alarm test|hydrant|pit|code|blanket|safety|proof|rated|marshal)|"
    r"fireplace|extinguisher|extintor\w*|extincteur\w*|feuerloscher|feuerlosch\w*|estintor\w*|"
    r"salida de (?:emergencia|incendio)|puerta (?:corta ?fuego|cortafuego)|coupe-?feu|porte coupe|brandschutz\w*|"
    r"saida de emergencia|porta corta ?fuoco|scala antincendio|"
    r"cigar\w*|tobacco|tabac\w*|tabaco|zigarett\w*|sigarett\w*|cigarro\w*|weed|marijuana|vape|vaping|"
    r"bbq|barbecue|grill|parrilla|asado|churrasco|kamin|lareira|chimenea|camino|cheminee|incense|incienso|"
    r"fuego (?:de la|del) (?:cocina|estufa) no|zundet|ignit\w*|won'?t light|doesn'?t light|does not light|no (?:prende|enciende)|"
    r"ne s'allume|nao acende|non si accende|pilot light|"
    r"feu (?:de la|du) (?:gaziniere|cuisiniere)|licht brennt|lampe brennt|brennt nicht|"
    r"smoke[- ]free|no smoking|fumar|fumeur\w*|raucher\w*|fumant\w*|fumat\w*)"
)
# Smoke from cooking (with no fire mentioned) is a range-hood problem, not a fire.
SMOKE_COOKING = (
    r"\b(?:when (?:i|we) cook\w*|while (?:i'?m |we'?re )?cooking|cuando cocin\w*|al cocinar|quand je cuisine|en cuisinant|"
    r"beim kochen|wenn ich koche|quando (?:eu )?cozinho|quando cucino|mentre cucino)\b"
)
ALARM_DEVICE = (
    r"(?:fire alarm|smoke alarm|smoke detector|smoke detecter|smoke dector|alarm system|building alarm|"
    r"alarma de (?:incendio|humo|fuego)|alarma contra incendios|detector de humo|detectores de humo|"
    r"alarme (?:incendie|d'incendie|de fumee|de incendio|de fumaca)|detecteur de fumee|detecteurs de fumee|"
    r"rauchmelder|rauchwarnmelder|feueralarm|brandmelder|brandalarm|feuermelder|"
    r"detector de fumaca|sensor de fumaca|alarme de incendio|"
    r"allarme (?:antincendio|incendio|fumo)|rilevatore di fumo|rilevatori di fumo|sensore di fumo)"
)
SOUNDING = (
    r"(?:going off|went off|goes off|gone off|sounding|sounded|ringing|rang|blaring|screaming|wailing|"
    r"shrieking|won'?t stop|keeps? going|is on|activated|triggered|"
    r"sonando|suena|sono|sonaba|se activo|se activa|dispar\w*|no para de sonar|aullando|"
    r"sonne\w*|retenti\w*|se declench\w*|s'est declench\w*|hurle|"
    r"geht los|ging los|losgegangen|schlagt alarm|schlug alarm|lost aus|ausgelost|heult|schrillt|piept laut|"
    r"tocando|tocou|toca|disparou|apitando sem parar|"
    r"suona\w*|ha suonato|scattat\w*|squilla\w*|allarme)"
)
ALARM_EXCLUDE = (
    r"(?<!not the )(?<!not a )(?<!no es la )(?<!not low )\b(?:chirp\w*|batter\w*|9 ?volt|low batt\w*|pila\w*|bateria\w*|"
    r"pile\w*|batterie\w*|cook\w*|cocin\w*|cuisin\w*|koch\w*|cozinh\w*|cucin\w*|toast\w*|steam\w*|vapor\w*|"
    r"vapeur|dampf|vapore|shower|ducha|douche|dusche|chuveiro|doccia|false alarm|falsa alarma|fausse alerte|"
    r"fehlalarm|falso alarme|falso allarme|no reason|sin motivo|sans raison|grundlos|sem motivo|senza motivo|"
    r"test\b|testing|tested|test button|prueba|inspection|inspeccion|install\w*|replace\w*|cambiar|remplacer|austauschen|trocar|"
    r"sostituire|missing|need a|expired|vencid\w*|caducad\w*|perime\w*|abgelaufen|scadut\w*|"
    r"chirr\w*|pit\w*|bip\w*|piep\w*|apit\w*)"
)

CO_WORDS = (
    r"\b(?:carbon monoxide|carbon monoxyde|carbon monoxid|carbonmonoxide|monoxide|monoxido(?: de carbono)?|"
    r"monoxyde(?: de carbone)?|kohlenmonoxid\w*|kohlenmonoxyd\w*|monossido(?: di carbonio)?)\b"
)
CO_DEVICE = (
    r"(?:\bco2? ?[-/]?(?:alarm|detector|detecter|monitor|sensor|melder|warnmelder|alarme|detecteur|detector|allarme|"
    r"rilevatore|sensore)\w*|(?:alarm|alarma|detector|detecteur|alarme|detetor|rilevatore|allarme|sensor|sensore)\w* "
    r"(?:de |di |del |du |d' ?)?co\b|\bco-?(?:melder|warnmelder)\b)"
)
CO_SOUND = (
    SOUNDING[:-1] + r"|beep\w*|beeping|pitando|pita|bipe\w*|piept|piepst|apita\w*|bip\w*|alarm\w*|reading|levels?|ppm)"
)
CO_EXCLUDE = (
    r"(?<!not the )(?<!not a )(?<!no es la )(?<!not low )\b(?:chirp\w*|batter\w*|9 ?volt|low batt\w*|pila\w*|"
    r"bateria\w*|pile\w*|batterie\w*|install\w*|replace\w*|removed|missing|need (?:a|one|new)|"
    r"don'?t have|do not have|expired|vencid\w*|caducad\w*|perime\w*|abgelaufen|scadut\w*|"
    r"no tenemos|no tengo|falta|manque|fehlt|nao temos|nao tem|manca|quisiera|would like|"
    r"chirr\w*|instalar|installer|installieren|installare|test\b|testing|tested|test button|end of life|end-of-life|"
    r"once in a while|now and then|every so often|every (?:few )?(?:minutes?|hours?)|yellow light|expir\w*)"
)

PIPE = (
    r"\b(?:pipes?|pip|pipr|piep|piping|pipe ?line|water ?line|water main|main line|supply (?:line|hose)|hose|hoses|tube|"
    r"tub\w*|tuberi\w*|tuver\w*|cano|canos|caneria\w*|manguera\w*|conduct\w*|"
    r"tuyau\w*|canalisation\w*|conduite\w*|flexible|"
    r"rohr\w*|leitung\w*|wasserleitung\w*|schlauch|"
    r"cano\w*|encanamento|tubulac\w*|mangueira\w*|"
    r"tub[oi]|tubatur\w*|condott\w*|tubazion\w*)\b"
)
BURST = (
    r"\b(?:burst\w*|bust|busted|broke|broken|brake|break|split\w*|snapped|cracked open|exploded|ruptur\w*|blew|fail\w*|"
    r"blown|came apart|came off|gave out|gave way|bursting|"
    r"revent\w*|revento|rot[oa]s?|rompi\w*|romp\w*|estall\w*|explot\w*|parti\w*|"
    r"eclat\w*|pete|a pete|perce|casse\w*|rompu\w*|explose|fendu|lache|a lache|"
    r"geplatzt|platzt|gebrochen|kaputt|geborsten|bruch|"
    r"estour\w*|rompeu|rompid\w*|quebr\w*|arrebent\w*|rachou|furou|"
    r"scoppi\w*|rott[oi]|spaccat\w*|esplos\w*|rotto)\b"
)
DRIP_EXCLUDE = (
    r"\b(?:drip\w*|drop|drops|slow leak|small leak|tiny leak|little leak|goteo|gotea\w*|gotita\w*|gotas|"
    r"gotera lenta|goutte\w*|tropf\w*|pinga\w*|gocciol\w*|goccia|under control|bajo control|weeks ago|"
    r"last (?:year|month|week)|el ano pasado|fixed)\b"
)
FLOOD = (
    r"\b(?:flood\w*|flodd\w*|flud\w*|under ?water|water (?:is |was )?(?:everywhere|all over)|"
    r"gush\w*|(?:water|it)(?:'s|s)? (?:is |was |keeps |keep |just |still )?(?:pouring|gushing|spraying|shooting|streaming|rushing|spewing|"
    r"flowing everywhere|flowing out|running everywhere|pooling everywhere|coming in everywhere|bubbling up)|"
    r"(?:pouring|gushing|spraying|streaming|spewing|shooting) (?:out )?water|"
    r"like a (?:fountain|waterfall|river)|up to my ankles|ankle deep|inches of water|"
    r"leak\w* (?:really |very |so |super )?(?:fast|bad|badly|a lot)|(?:huge|massive|major|big|heavy) leak|"
    r"inund\w*|anegad\w*|agua por (?:todos lados|todas partes|todo el piso|todos los lados)|"
    r"a chorros|chorro\w* de agua|sale (?:un )?chorro|sale muchisima agua|sale mucha agua|cae mucha agua|"
    r"cae muchisima agua|fuga (?:enorme|grande|fuerte|muy grande)|se esta llenando de agua|"
    r"(?:cae|cayendo|sale|saliendo|entra|entrando|corre|corriendo|brota|brotando) (?:mucha|muchisima|un monton de|tanta) agua|"
    r"(?:sale|saliendo|salen|cae|corre|brota) (?:el agua |agua )?por (?:todos lados|todas partes)|"
    r"inond\w*|de l'eau partout|eau partout|a flots|coule partout|gicle\w*|jaillit|degat des eaux|"
    r"fuite (?:enorme|importante|grave)|grosse fuite|"
    r"uberschwemm\w*|unter wasser|wasser uberall|uberall wasser|spritzt|sprudelt|massiv wasser|"
    r"wasser (?:lauft|kommt|stromt) (?:massiv|uberall|raus|rein)|"
    r"alag\w*|agua (?:pra|para|por) todo (?:lado|canto)|agua por toda parte|jorr\w*|esguich\w*|"
    r"vazamento (?:enorme|grande)|"
    r"allag\w*|acqua (?:dappertutto|ovunque|da tutte le parti|dovunque)|a fiotti|schizz\w*|zampill\w*|"
    r"perdita (?:enorme|grossa|grande))\b"
)
FLOOD_EXCLUDE = r"\b(?:(?:it'?s|is|it is) dry now|last week|every (?:spring|year|winter|time it rains)|years ago|in the past|gutter\w*|flood ?light\w*|floodlight\w*|canaleta|gouttiere|dachrinne|calha|grondaia|last (?:year|month)|lawn|yard|jardin|garden|parking|street)\b"
OVERFLOW = (
    r"(?:(?:toilet|tub|bathtub|sink|washer|washing machine|dishwasher|inodoro|bano|wc|lavadora|lavavajillas|"
    r"toilettes|lave-vaisselle|machine a laver|toilette|klo|waschmaschine|spulmaschine|vaso|privada|"
    r"maquina de lavar|lava-loucas|water|lavatrice|lavastoviglie|vasca)\w*[^.!?\n]{0,25}?"
    r"(?:overflow\w*|desbord\w*|rebals\w*|deborde\w*|lauft uber|ubergelaufen|transbord\w*|trabocc\w*|straripa\w*))"
)

SEWAGE = (
    r"\b(?:sewage|sewer|sewerage|seweage|sewege|raw sewage|black ?water|poop water|poopy water|"
    r"dirty (?:toilet )?water|brown water|toilet water|"
    r"aguas? negras?|aguas? residual\w*|aguas? servidas|aguas? fecal\w*|cloaca\w*|agua sucia|"
    r"egout\w*|eaux? usees?|eaux? noires?|eaux? vannes|eaux? sales?|matieres fecales|"
    r"abwasser|fakalien|kanalisation|schmutzwasser|jauche|"
    r"esgoto\w*|agua suja|"
    r"fogna\w*|acque nere|acque reflue|liquam\w*|acqua sporca)\b"
)
BACKUP = (
    r"\b(?:back\w* ?up|backing|coming up|came up|comes up|come up|coming out|comes out|came out|seeping|oozing|pouring|"
    r"lauft|uber|bubbling up|bubbles up|spitting up|gurgling up|"
    r"pushing up|rising|overflow\w*|spill\w*|all over|on the floor|everywhere|flood\w*|into (?:the|my) (?:tub|shower|bathtub|sink)|"
    r"regres\w*|devolv\w*|sale|salen|saliendo|sube\w*|subiendo|rebals\w*|desbord\w*|brota\w*|vuelv\w*|volvi\w*|retorn\w*|"
    r"por todas partes|por todo el piso|inund\w*|en el piso|en la (?:tina|banera|ducha)|"
    r"refoul\w*|remont\w*|deborde\w*|sort\w*|partout|inond\w*|"
    r"kommt\w* (?:\w+ )?hoch|kam hoch|hoch|steigt|hochgekommen|ruckstau|lauft uber|ubergelaufen|tritt aus|uberall|drucke\w* hoch|"
    r"voltando|volta|sub\w*|transbord\w*|retorn\w*|saindo|por todo lado|alag\w*|"
    r"risal\w*|rigurgit\w*|trabocc\w*|esce|escono|uscendo|dappertutto|ovunque|allag\w*)\b"
)
SEWAGE_SMELL = (
    r"\b(?:(?:smell\w*|odou?r\w*|stench|stink\w*) (?:of |like )?(?:a )?(?:sewage|sewer)|(?:sewage|sewer) (?:smell|odou?r|stench|stink)\w*|"
    r"olor\w* (?:a|de) (?:cloaca|alcantarilla|drenaje|caneria|aguas negras)|"
    r"odeur\w* (?:d'|de |des )?\s?egout\w*|kanalgeruch|geruch nach (?:abwasser|kanal\w*)|"
    r"cheiro de esgoto|puzza di fogna|odore di fogna)\b"
)

ELEC_OBJ = (
    r"\b(?:outlets?|socket\w*|plugs?|power ?strip|switch\w*|panel|breaker\w*|fuse ?box|fuse\w*|wire\w*|wiring|"
    r"cords?|cables?|receptacle\w*|light fixture|fixture|extension|electrical|electric|circuit\w*|"
    r"enchufe\w*|tomacorriente\w*|toma ?corriente|contacto\w*|apagador\w*|interruptor\w*|tablero\w*|"
    r"caja de (?:luz|fusibles|breakers)|fusible\w*|breaker|cableado|"
    r"prise\w*|interrupteur\w*|tableau electrique|disjoncteur\w*|fils? electrique\w*|"
    r"steckdose\w*|schalter|lichtschalter|sicherungskasten|sicherung\w*|stromkasten|kabel\w*|stecker|"
    r"tomada\w*|quadro de luz|quadro eletrico|disjuntor\w*|fiac\w*|"
    r"presa|prese|interruttor\w*|quadro elettrico|salvavita|spina)\b"
)
ELEC_BAD = (
    r"\b(?:melt\w*|scorch\w*|burnt|burned|burning|smok\w*|blackened|charred|sizzl\w*|explod\w*|"
    r"popp?ed and|flash\w*|on fire|hot to (?:the )?touch|too hot|very hot|really hot|extremely hot|"
    r"getting hot|is hot|so hot|red hot|arcing|hot|"
    r"derret\w*|quemad[oa]s?|quemando|negr[oa]s?|muy calient\w*|calentisim\w*|humo|explot\w*|echa fuego|"
    r"fondu\w*|brul\w*|grill\w*|noirci\w*|brulant\w*|fume\b|fumee|"
    r"geschmolzen|schmor\w*|verschmort|verbrannt|glu\w*|raucht|rauch|knall\w*|sehr heiss|"
    r"derret\w*|queim\w*|preto|pretas?|muito quente|fumac\w*|estour\w*|"
    r"fus[ao]|fuse|bruciat\w*|annerit\w*|bollent\w*|caldissim\w*|fumo|scoppi\w*)\b"
)
ELEC_BAD_EXCLUDE = (
    r"\b(?:bulbs?|bombill\w*|foco\w*|ampoule\w*|gluhbirne\w*|birne|lampada\w*|lampadin\w*|leuchtmittel|"
    r"burn\w* out|fundid\w*|fulminat\w*|water heater|hot water|agua caliente|eau chaude|warmwasser|"
    r"agua quente|acqua calda|shower|chuveiro|fuse box is fine)\b"
)
SPARK = (
    r"\b(?:spark\w*|sparc\w*|arcing|arc flash|"
    r"chispa\w*|chispe\w*|chisporrot\w*|chispazo\w*|"
    r"etincel\w*|"
    r"funke\w*|funken|funkt|"
    r"faisc\w*|faisca\w*|"
    r"scintill\w*)\b"
)
SPARK_EXCLUDE = (
    r"\b(?:burner\w*|ignit\w*|pilot|lighter|click\w*|hornilla\w*|hornalla\w*|quemador\w*|encendedor|"
    r"bruleur\w*|allum\w*|zund\w*|acendedor\w*|boca do fogao|fornell\w*|accension\w*|accenditor\w*|"
    r"spark plug|bujia|bougie|zundkerze|vela|candela)\b"
)
BURN_SMELL = (
    r"(?:\b(?:burning|burnt|burned|melting|melted|scorched|electrical|electric|hot wire|hot plastic|plastic)\w* "
    r"(?:plastic |rubber |wire |wiring |electrical )?(?:smell|odou?r|stench|stink)\w*|"
    r"\b(?:smell\w*|odou?r\w*|stink\w*|whiff) (?:of |like )?(?:something )?(?:burn\w*|melt\w*|scorch\w*|"
    r"electrical|hot wires?|plastic burning|burnt|burned|electrical fire|smoke)|"
    r"\bsmells? (?:burnt|burned|burning|like (?:burnt|burning|smoke))|"
    r"olor\w* (?:a|de) (?:quemado|plastico quemado|cable\w* quemado|goma quemada|humo)|"
    r"huele\w* (?:como )?a (?:quemado|cable\w*|plastico quemado|humo)|"
    r"odeur\w* (?:de |d')?\s?(?:brul\w*|cram\w*|plastique brul\w*|cable\w* brul\w*|fumee)|sent le (?:brul\w*|cram\w*)|"
    r"schmorgeruch|brandgeruch|brenngeruch|riecht (?:\w+ )?(?:nach )?(?:verbrannt\w*|verschmort\w*|angebrannt\w*|rauch|schmor\w*)|"
    r"verbrannt\w* (?:riech|geruch)\w*|geruch nach (?:verbrannt\w*|verschmort\w*|rauch)|"
    r"cheir\w* (?:de |a )?(?:queimado|plastico queimado|fio queimado|fumaca)|"
    r"(?:odore|puzza|odor) di (?:bruciato|plastica bruciata|fumo)|sa di bruciato|puzza di bruciato)"
)
LIVE_WIRE = (
    r"\b(?:(?:exposed|bare|live|hanging|dangling|frayed|naked|open|uncapped|loose live) (?:electrical |electric |live )?(?:wire\w*|wiring|cables?)|"
    r"(?:wire\w*|wiring|cables?) (?:are |is |were )?(?:exposed|hanging|dangling|sticking out|showing|bare|live|frayed|sparking|uncapped)|"
    r"cables? (?:electric\w* )?(?:pelad\w*|expuest\w*|colgando|al aire|descubiert\w*|con corriente|sueltos? con corriente)|"
    r"se ven los cables|cables? vivos?|"
    r"fils? (?:electriques? )?(?:denud\w*|a nu|apparent\w*|qui pend\w*|pend\w*|sous tension)|cables? (?:denud\w*|a nu)|"
    r"(?:blank\w*|freiliegend\w*|offen\w*|lose\w*) (?:kabel|drahte|leitung\w*|stromkabel)|"
    r"kabel (?:liegen|hangen|hangt|schauen) (?:\w+ )?(?:frei|raus|heraus|herunter|runter|offen)|"
    r"(?:kabel|leitung\w*|drahte)[^.!?\n]{0,30}unter strom|"
    r"fios? (?:eletric\w* )?(?:desencapad\w*|expost\w*|pendurad\w*|descascad\w*|desencapados)|fiacao exposta|"
    r"fil[io] (?:elettric\w* )?(?:scopert\w*|espost\w*|penzolant\w*|nud[oi]|che pend\w*|pendono|sotto tensione)|cavi (?:scopert\w*|espost\w*))\b"
)
SHOCK = (
    r"\b(?:(?:got|get|getting|gave me|gives me|received|took) (?:a |an )?(?:bad |big |little )?(?:electric(?:al)? )?shock|"
    r"shocked (?:me|him|her|my)|i got shocked|got shocked|electrocut\w*|"
    r"me (?:dio|da) (?:un |la )?(?:toque|corriente|descarga|calambre)|le dio (?:un |una )?(?:toque|descarga|corriente)|"
    r"descarga electrica|me electrocut\w*|toques? electric\w*|"
    r"pris (?:une |le |du )?(?:decharge|jus|courant)|decharge electrique|"
    r"stromschlag|elektrischen? schlag|eine gewischt|gewischt bekommen|"
    r"(?:levei|tomei|leva|deu|tomou|levou) (?:um )?choque|choque eletrico|"
    r"(?:preso|presa|prende|prendo) (?:la |una )?scossa|scossa elettrica|folgorat\w*)\b"
)
WATER_ON_ELEC = _then(
    r"\b(?:water|agua|eau|wasser|acqua)\b",
    r"\b(?:into|onto|on|in|through|out of|from|en|sobre|dans|sur|in|auf|na|no|nel|sul)\b (?:the |el |la |le |les |den |die |das |o |a |il )?"
    r"(?:electrical |electric )?(?:panel|outlet|socket|breaker box|fuse box|light fixture|tablero|enchufe|"
    r"tableau electrique|prise|steckdose|sicherungskasten|tomada|quadro|presa)\b",
    40,
)

HEAT_WORD = (
    r"\b(?:heat|heating|heater|heaters|furnace|furnance|boiler|heat pump|radiators?|rads|"
    r"calefac\w*|caldera|calentador|radiador\w*|estufa|calefon|"
    r"chauffage|chaudiere|radiateur\w*|"
    r"heizung|therme|heizkorper|kessel|heizanlage|"
    r"aquecimento|aquecedor|caldeira|"
    r"riscaldamento|caldaia|termosifon\w*|calorifer\w*)\b"
)
HEAT_FAIL = (
    r"\b(?:not working|isn'?t working|isnt working|is not working|doesn'?t work|does not work|don'?t work|stopped|quit|"
    r"(?:not|n'?t|never) (?:been |be |really |even )?(?:working|work\w*|on|running|coming on)|"
    r"died|dead|broke\w*|out|off|failed|down|gone|won'?t (?:turn|come|kick) on|not (?:turning|coming) on|cold|"
    r"no (?:funciona|prende|enciende|anda|sirve|arranca|calienta|jala)|se (?:apago|descompuso|rompio|dano|averio|murio)|"
    r"rot[oa]|averiad[oa]|descompuest[oa]|muert[oa]|frios?|helad[oa]s|"
    r"en panne|ne (?:marche|fonctionne|chauffe|demarre|s'allume) (?:plus|pas)|hs|morte?|a lache|froids?|glace\w*|coupe\w*|"
    r"ausgefallen|kaputt|defekt|geht nicht|funktioniert nicht|lauft nicht|ist aus|springt nicht an|wird nicht warm|kalt|eiskalt|"
    r"nao (?:funciona|liga|esquenta|aquece)|parou|quebr\w*|pifou|desligou|estragou|gelad[oa]s|"
    r"non (?:funziona|parte|va|si accende|scalda)|rott[oa]|guast[oa]|in blocco|spent[oa]|ferm[oa]|fredd[oi]|gelat[oi]|ghiacciat[oi])\b"
)
NO_HEAT = (
    r"(?:\bno (?:heat|heating|hear|heater|heath|heta|heet|heatt|hest)\b|\bwithout (?:any )?heat|\blost (?:the )?heat|\bheat(?:ing)? (?:has been|is|was) off\b|"
    r"\b(?:sin|no hay|no ay|no tenemos|no tengo|nos quedamos sin) (?:calefac\w*|calor|calentador|radiadores)\b|"
    r"\b(?:pas de|plus de|sans|aucun) chauffage\b|\b(?:keine|ohne|kein) (?:heizung|warme)\b|heizungsausfall|"
    r"\b(?:sem|nao tem|nao temos|nao ha) aquecimento\b|\b(?:senza|niente|non c'e|manca il|manca) riscaldamento\b|"
    + _then(HEAT_WORD, HEAT_FAIL, 30)
    + "|"
    + _then(
        r"\bse (?:descompuso|rompio|apago|dano|averio|murio)|\b(?:quebrou|parou|pifou|estragou)|\b(?:est |e )?tombee? en panne|"
        r"\bsi e (?:rotto|rotta|guastato|guastata|spento|spenta)|\b(?:broke|died|stopped|quit)|"
        r"\bno (?:funciona|prende|enciende|anda|sirve|arranca|calienta|jala)|\bnao (?:funciona|liga|esquenta)|"
        r"\bnon (?:funziona|parte|va|scalda)|\bfunktioniert (?:\w+ )?nicht|\bgeht (?:\w+ )?nicht",
        HEAT_WORD,
        15,
    )
    + ")"
)
FREEZING = (
    r"(?:\b(?:freez\w*|frezing|freezng|froze|frozen|below (?:zero|freezing|0)|sub-?zero|subzero|"
    r"minus (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|zwei|drei|vier|funf|sechs|acht|zehn|zwanzig)|"
    r"\d+ (?:degrees )?below|frost\w*|snow\w*|blizzard|ice storm|arctic|polar vortex|"
    r"elando|elada|bajo cero|bajo 0|abajo de cero|menos (?:\d+|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|quince|veinte)|helando|helada\w*|hiela|congel\w*|nieve|nevando|neva\w*|nevad\w*|escarcha|"
    r"gel\w*|gele\w*|sous zero|en dessous de zero|moins (?:\d+|deux|trois|cinq|dix|quinze|vingt)|neige\w*|glacial|"
    r"frier\w*|minusgrad\w*|unter null|unter 0|schnee\w*|schneit|gefrier\w*|"
    r"abaixo de zero|negativ\w*|geada|neve|nevand\w*|"
    r"sotto zero|nevica\w*|ghiaccio|gelo|gelid\w*|meno (?:\d+|due|tre|cinque|dieci|quindici|venti))\b|"
    r"(?:^|[\s(])-\s?\d+\s?(?:degrees|deg|grados|grad|graus|gradi|degres|°|c\b|f\b|\b)|"
    r"\b(?:[0-3])\s?(?:°\s?)?(?:c|degrees c|grados|grad|graus|gradi|degres|degrees celsius)\b|"
    r"\b[0-5]\s?(?:°\s?)?(?:degrees|grados|grad|graus|gradi|degres|°)\s?(?:c\b|f\b)?\s?(?:outside|out|outdoors|afuera|fuera|dehors|draussen|la fora|fuori)\b|"
    r"\b(?:[0-9]|[12][0-9]|3[0-2])\s?(?:°\s?)?(?:f|degrees f|fahrenheit)\b)"
)
FREEZING_EXCLUDE = r"\b(?:above (?:freezing|zero|0)|sobre (?:cero|0)|au-dessus de (?:zero|0)|uber (?:null|0)|acima de (?:zero|0)|sopra (?:lo )?zero|freezer\w*|congelador\w*|congelateur\w*|gefrier(?:truhe|schrank|fach)\w*|congelatore\w*|frozen food|ice maker|ice ?cream|helader\w*)\b"
# "it's 9 degrees in the apartment", "the house is 48 degrees": cold indoors counts too.
COLD_INSIDE = (
    r"(?:\b(?:inside|indoors|in here|in the (?:apartment|house|flat|unit|room|bedroom|living room)|apartment|house|flat|unit|"
    r"my (?:apartment|bedroom|living room|room|house)|thermometer|thermostat (?:says|reads|shows)|"
    r"adentro|dentro|en (?:la|el|mi) (?:casa|departamento|depto|piso|apartamento|cuarto|sala)|en casa|"
    r"a l'interieur|dans l'appartement|chez (?:nous|moi)|"
    r"drinnen|in der wohnung|im (?:zimmer|wohnzimmer|schlafzimmer)|"
    r"dentro de casa|em casa|no apartamento|"
    r"in casa|dentro|nell'appartamento)\b[^.!?\n]{0,25}?\b(?:[0-9]|1[0-4])\s?(?:°\s?)?(?:c\b|degrees|deg\b|grados|grad\b|graus|gradi|degres|°)|"
    r"\b(?:[0-9]|1[0-4])\s?(?:°\s?)?(?:c\b|degrees|grados|grad\b|graus|gradi|degres|°)[^.!?\n]{0,25}?\b(?:inside|indoors|in here|in the (?:apartment|house|flat|unit|room)|"
    r"in my (?:apartment|bedroom|living room|room|house)|adentro|dentro|en (?:la|el|mi) (?:casa|departamento|piso|apartamento|cuarto|sala)|en casa|"
    r"dans l'appartement|chez (?:nous|moi)|a l'interieur|drinnen|in der wohnung|dentro de casa|em casa|in casa)\b|"
    r"\b(?:inside|indoors|in here|apartment|house|home|unit|flat|bedroom|room|thermometer)\b[^.!?\n]{0,25}?\b(?:3[3-9]|4[0-9]|5[0-5])\s?(?:°\s?)?(?:f\b|degrees|deg\b)|"
    r"\b(?:inside|indoors|in here|apartment|house|home|unit|flat|bedroom|room|thermometer|temperature|temp)(?:'s| is| was| reads| says| shows)(?: only| now| around| about| at| down to| like| already)* (?:3[3-9]|4[0-9]|5[0-5]|[0-9]|1[0-4])\b(?! ?(?:%|percent|minutes|hours|days|years|b\b))|"
    r"\b(?:3[3-9]|4[0-9]|5[0-5])\s?(?:°\s?)?(?:f\b|degrees)?[^.!?\n]{0,20}?\b(?:inside|indoors|in here|in (?:the|my) (?:apartment|house|unit|flat|room|bedroom|living room))\b)"
)

DOOR_ENTRY = (
    r"(?:(?:front|entry|entrance|main|apartment|unit|flat|house|my|our) ?door\b|"
    r"puerta (?:de (?:la )?entrada|principal|de (?:mi |la )?(?:casa|departamento|depto|piso|apartamento|calle)|de afuera)|"
    r"porte d'? ?entree|porte (?:de l'appartement|principale|de chez moi)|"
    r"wohnungstur|haustur|eingangstur|terrassentur|balkontur|"
    r"porta (?:de entrada|da frente|da (?:minha )?casa|do apartamento|principal|d'? ?ingresso|di casa|dell'appartamento|blindata))"
)
DOOR_UNSECURE = (
    r"(?:won'?t|wont|can'?t|cannot|doesn'?t|does not|will not|unable to|no longer|not) (?:even )?(?:be )?(?:lock|close|shut|latch|secure)\w*(?: at all)?|"
    r"(?:smashed|broken open|broke open|kicked in|kicked open|kicked down|busted open|forced open|forced|ripped (?:out|off)|torn off|"
    r"wide open|hanging open|hanging off|swings open|fell apart|falls open|pried open|off (?:its|the) hinges)|"
    r"no (?:cierra|se puede cerrar|se cierra|tranca|traba|asegura|cierra con llave)|(?:rota|forzada|arrancada|abierta de par en par|destrozada|derribada)|"
    r"ne (?:ferme|se ferme|verrouille|se verrouille) (?:plus|pas)|(?:cassee|forcee|fracturee|enfoncee|defoncee|arrachee)|"
    r"(?:lasst|lass) sich nicht (?:mehr )?(?:abschliessen|schliessen|zumachen|verriegeln)|schliesst nicht|geht nicht (?:mehr )?zu|aufgebrochen|eingetreten|aufgehebelt|"
    r"nao (?:fecha|tranca)|arrombad\w*|quebrad\w*|"
    r"non (?:si )?chiude|forzat\w*|sfondat\w*|scassinat\w*|rott\w*"
)
CANT_SECURE = (
    r"\b(?:(?:can'?t|cannot|unable to|no way to) (?:lock|secure|close) (?:my|the|our) (?:door|apartment|unit|flat|house|home|place)|"
    r"can'?t lock it|anyone (?:can|could) (?:walk|climb|get|come) in|"
    r"no puedo (?:cerrar|asegurar) (?:la puerta|con llave|mi casa|el departamento)|cualquiera (?:puede|podria) entrar|"
    r"impossible de (?:fermer|verrouiller)(?: la porte| a cle)?|n'importe qui (?:peut|pourrait) entrer|"
    r"kann (?:die (?:tur|wohnung) )?nicht (?:mehr )?abschliessen|jeder kann rein|jeder kommt rein|"
    r"nao consigo (?:trancar|fechar a porta)|qualquer um pode entrar|"
    r"non riesco a chiudere(?: la porta| a chiave)?|chiunque (?:puo|potrebbe) entrare)\b"
)
BREAK_IN = (
    r"\b(?:break-? ?in|broke into|broken into|breaking in|broke in|burglar\w*|burgled|intruder\w*|home invasion|"
    r"someone (?:got|came|broke) in|someone (?:was|has been) (?:inside|in (?:my|the|our) (?:apartment|unit|flat|house|place))|"
    r"(?:stuff|things|belongings) (?:is |are )?(?:missing|stolen)|kicked (?:in|down|open) (?:my|the|our) (?:\w+ )?door|"
    r"(?:broke|smashed|busted) (?:down |in |open )?(?:my|the|our) (?:front |apartment |entry )?door|alguien (?:entro|se metio|estuvo adentro)|faltan cosas|"
    r"quelqu'un est entre|jemand war (?:drin|in der wohnung)|alguem entrou|qualcuno e entrato|sfondat\w*|forzat\w* la porta|"
    r"forced (?:entry|their way|the (?:door|lock)|my (?:door|lock))|"
    r"(?:entraron|se metieron) (?:a robar|a mi casa|al departamento|a la casa|por la ventana)|entraron a robar|me robaron|robaron|"
    r"forzaron|intentaron entrar|ladron\w*|allanamiento|"
    r"cambriol\w*|effraction|porte (?:forcee|fracturee|enfoncee|defoncee)|voleurs?|"
    r"einbruch\w*|eingebrochen|einbrecher\w*|aufgebrochen|"
    r"arromb\w*|assaltaram|assalto|invadiram|ladr(?:ao|oes)|roubaram|"
    r"ladri|ladro|scasso|svaligiat\w*|scassinat\w*|entrati i ladri)\b"
)
BREAK_IN_EXCLUDE = r"\b(?:car|cars|coche|auto|carro|voiture|vehicle|wagen|macchina|mailbox\w*|buzon\w*|boite aux lettres|briefkast\w*|caixa de correio|cassetta|bike|bicycle|bicicleta|velo|fahrrad|storage (?:unit|locker)|trastero|cave|keller|cantina|garage|parking|estacionamiento)\b"
WINDOW_BROKEN = _near(
    r"\b(?:window\w*|glass|ventana\w*|vidrio|cristal\w*|fenetre\w*|vitre\w*|baie vitree|fenster\w*|scheibe\w*|"
    r"janela\w*|vidro\w*|finestr\w*|vetr\w*|sliding door|puerta corrediza|porta-?finestra)\b",
    r"\b(?:smashed|broken|broke|shattered|busted|kicked in|pried|wide open|won'?t close|can'?t close|gone|"
    r"rota|rot[oa]s|quebrad[ao]|estrellad[ao]|hecha pedazos|no cierra|"
    r"cassee?s?|brisee?s?|eclatee?s?|ne ferme plus|"
    r"eingeschlagen|kaputt|zerbrochen|zersplittert|eingeworfen|"
    r"quebrad\w*|estilhac\w*|nao fecha|"
    r"rott[ao]|sfondat[ao]|spaccat[ao]|in frantumi|non si chiude|"
    r"quebraram|rompieron|romp\w*|smash\w*|broke|cass\w*|bris\w*|eingeschlagen|rott\w*)\b",
    50,
)
GROUND = (
    r"\b(?:ground floor|ground-floor|ground level|street level|first floor|1st floor|basement|garden level|lower level|"
    r"planta baja|primer piso|piso bajo|a pie de calle|bajo|sotano|"
    r"rez-de-chaussee|rez de chaussee|rdc|sous-sol|"
    r"erdgeschoss|parterre|hochparterre|souterrain|"
    r"terreo|res-do-chao|primeiro andar|"
    r"piano terra|pianterreno|piano terreno|seminterrato)\b"
)
UNSECURED_EXCLUDE = (
    r"\b(?:building|lobby|edificio|immeuble|gebaude|hauseingang|predio|palazzo|portone|garage|closet|cabinet|car|"
    r"(?:bathroom|bedroom|interior|closet|pantry) door|puerta del (?:bano|cuarto|closet)|porte de la (?:salle de bain|chambre)|"
    r"(?:bad|schlafzimmer|zimmer)tur|porta do (?:banheiro|quarto)|porta del bagno|porta della camera)\b"
)

ELEV = (
    r"\b(?:elevators?|elevater|elavator|elevetor|elevador\w*|lifts?|ascensor\w*|asensor\w*|acensor\w*|ascenseur\w*|aufzug\w*|fahrstuhl\w*|"
    r"ascensore|ascensori)\b"
)
TRAPPED = (
    r"\b(?:trapped|trap|stuck|locked|shut in|caught|inside|in there|"
    r"atrapad\w*|encerrad\w*|atorad\w*|adentro|quedo|quedaron|atascad\w*|"
    r"coince\w*|bloque\w*|enferme\w*|dedans|a l'interieur|"
    r"steck\w* (?:\w+ )?fest|feststeck\w*|eingeschlossen|gefangen|stecken ?geblieben|festsitz\w*|drin|"
    r"pres[oa]s?|trancad\w*|"
    r"bloccat\w*|intrappolat\w*|chius[oi] dentro|rimast[oi] (?:chius\w*|bloccat\w*|dentro))\b"
)
PERSON_INSIDE = (
    r"\b(?:someone|somebody|people|person|persons|man|woman|kids?|child\w*|baby|my \w+|neighbou?r\w*|"
    r"passengers?|residents?|tenants?|lady|guy|(?:\w+ )?inside|in it|"
    r"alguien|gente|personas?|nino\w*|ninos|senor\w*|adentro|dentro|"
    r"quelqu'un|gens|personnes|enfants?|dedans|"
    r"jemand|leute|personen|kind\w*|drin|"
    r"alguem|pessoas?|criancas?|senhora|"
    r"qualcuno|persone|bambin\w*|signora|dentro)\b"
)
STALLED = (
    r"\b(?:stuck|stopped|stalled|broke down|broken down|halted|jammed|"
    r"detuvo|paro|trabo|atasco|atascad\w*|se quedo|"
    r"bloque\w*|arrete|en panne|"
    r"stecken ?geblieben|steckt|stehen ?geblieben|"
    r"parou|travou|"
    r"bloccat\w*|fermo|si e fermato)\b"
)
ELEVATOR_EXCLUDE = (
    r"(?:\b(?:nobody|no one|noone|no-one|nadie|niemand|keiner|ninguem|nessuno|empty|vacio|vide|leer|vazio|vuoto)\b|"
    r"(?<!une )\bpersonne (?:n'|coinc|dedans|bloque|a l'interieur)|\bsin nadie\b)"
)

CEILING = (
    r"\b(?:ceiling\w*|cieling\w*|celing\w*|cealing\w*|roof|drop ceiling|"
    r"techo|cielo ?raso|cielorraso|plafon|falso techo|"
    r"plafond|faux-plafond|"
    r"decke|zimmerdecke|deckenputz|"
    r"teto|forro|laje|"
    r"soffitto|controsoffitto)\b"
)
COLLAPSE = (
    r"\b(?:collaps\w*|colaps\w*|colapsed|caved? in|caving in|cave-in|fell (?:down|in|on)|fell|falling (?:down|in|apart|on)|falling|"
    r"coming down|came down|come down|gave way|giving way|give way|about to (?:fall|collapse|come down|give)|"
    r"crumbl\w* down|chunks?|pieces (?:are )?(?:falling|fell)|"
    r"cayo|cae\b|caen|caida|chute|cayendo|cayeron|se vino abajo|se viene abajo|derrumb\w*|desplom\w*|hundi\w*|hundiendo|"
    r"va a caer|se esta cayendo|cedio|cediendo|a pedazos|"
    r"effondr\w*|ecroul\w*|tombe\w*|tombe|cede|s'affaiss\w*|menace de tomber|"
    r"eingesturzt|einsturz\w*|sturzt (?:\w+ )?ein|bricht (?:\w+ )?ein|kommt (?:\w+ )?runter|runtergekommen|heruntergekommen|"
    r"herabgefallen|heruntergefallen|runtergefallen|abgesturzt|droht einzusturzen|"
    r"desab\w*|caiu|caindo|cairam|desmoron\w*|cedendo|vai cair|"
    r"croll\w*|cadut[oa]|caduti|cade|cadono|cedendo|ceduto|venuto giu|viene giu|sta per cadere)\b"
)
CEILING_EXCLUDE = (
    r"\b(?:fan|fans|light|lights|lamp|fixture|ventilador|lampara|plafonnier|lampe|lampadario|luminaria|luminaire|"
    r"ventilatore|ventilateur|leuchte|ventilator|paint|pintura|peinture|farbe|tinta|vernice|flake\w*|peel\w*|"
    r"water|agua|eau|wasser|agua|acqua|rain\w*|lluvia|pluie|regen|chuva|pioggia|drip\w*|gota\w*|goutte\w*|"
    r"tropf\w*|pinga\w*|gocc\w*|leak\w*|gotera|fuga|fuite|undicht|vazamento|perdita|"
    r"tile|teja|tuile|ziegel|telha|tegola|blanket|manta|cobija|coperta|couverture|snow|nieve)\b"
)
STRUCT_COLLAPSE = _near(
    r"\b(?:balcony|balconies|stairs|staircase|stairway|steps|deck|porch|floor|wall|roof|"
    r"balcon\w*|escalera\w*|piso|pared|muro|"
    r"escalier\w*|plancher|mur\b|"
    r"balkon\w*|treppe\w*|boden|wand|mauer|"
    r"varanda|sacada|escada\w*|parede|"
    r"balcon\w*|scala|scale|pavimento|parete)\b",
    r"\b(?:collaps\w*|caved? in|caving in|gave way|giving way|about to (?:collapse|give way)|fell apart|"
    r"derrumb\w*|desplom\w*|se vino abajo|cedio|se hundio|"
    r"effondr\w*|ecroul\w*|"
    r"eingesturzt|sturzt (?:\w+ )?ein|eingebrochen|"
    r"desab\w*|desmoron\w*|"
    r"croll\w*|ceduto)\b",
    40,
)

APPLIANCE_HOT = (
    r"\b(?:oven|stove|stovetop|burners?|cooktop|hob|range|dryer|toaster|horno|estufa|hornilla\w*|hornalla\w*|anafe|"
    r"vitroceramica|secadora|four|plaque\w*|cuisiniere|gaziniere|seche-linge|backofen|ofen|herd|herdplatte\w*|kochfeld|"
    r"trockner|forno|fogao|boca\w*|cooktop|secadora|fornell\w*|piano cottura|piastra|asciugatrice)\b"
)
APPLIANCE_STUCK = (
    r"\b(?:won'?t (?:turn|switch|shut) off|can'?t (?:turn|switch|shut) (?:it )?off|cannot (?:turn|switch|shut) (?:it )?off|"
    r"doesn'?t (?:turn|switch|shut) off|stuck on|turned (?:itself|it self) on|turns (?:itself )?on by itself|glowing red|red hot|"
    r"no se apaga|no (?:la |lo )?puedo apagar|se prendio solo|se prendio sola|al rojo vivo|"
    r"ne s'eteint (?:plus|pas)|impossible de l'eteindre|s'allume tout seul|"
    r"lasst sich nicht (?:mehr )?(?:aus|abschalten|ausschalten)|geht nicht (?:mehr )?aus|gluhend|"
    r"nao desliga|nao consigo desligar|ligou sozinho|"
    r"non si spegne|non riesco a spegner\w*|si e acceso da solo|rovente)\b"
)


# --------------------------------------------------------------------------
# Instructions (what the tenant does before anyone arrives)
# --------------------------------------------------------------------------

_I = {
    "gas_leak": {
        "en": (
            "Leave the building now with everyone in it; do not use the elevator.",
            "Do not switch lights or appliances on or off, do not use matches or lighters, and do not unplug anything.",
            "Leave doors and windows open if you can do so on your way out.",
            "From outside, call the gas utility's emergency line and emergency services (911 / 112).",
        ),
        "es": (
            "Salga del edificio ahora con todas las personas; no use el ascensor.",
            "No encienda ni apague luces ni aparatos, no use cerillos ni encendedores y no desenchufe nada.",
            "Deje puertas y ventanas abiertas si puede hacerlo al salir.",
            "Desde afuera, llame a la línea de emergencias de la compañía de gas y a emergencias (911 / 112).",
        ),
        "fr": (
            "Quittez le bâtiment maintenant avec tout le monde ; n'utilisez pas l'ascenseur.",
            "N'allumez ni n'éteignez aucune lumière ni appareil, pas de flamme, ne débranchez rien.",
            "Laissez portes et fenêtres ouvertes en sortant si possible.",
            "Une fois dehors, appelez l'urgence gaz et les secours (112).",
        ),
        "de": (
            "Verlassen Sie sofort mit allen Personen das Gebäude; benutzen Sie nicht den Aufzug.",
            "Keine Lichtschalter oder Geräte betätigen, kein offenes Feuer, keine Stecker ziehen.",
            "Wenn möglich beim Hinausgehen Türen und Fenster öffnen.",
            "Rufen Sie von draußen den Gas-Notdienst und den Notruf (112) an.",
        ),
        "pt": (
            "Saia do prédio agora com todas as pessoas; não use o elevador.",
            "Não acenda nem apague luzes ou aparelhos, não use fósforos ou isqueiros e não desligue nada da tomada.",
            "Deixe portas e janelas abertas ao sair, se puder.",
            "Já do lado de fora, ligue para a emergência da companhia de gás e para os serviços de emergência (112 / 193).",
        ),
        "it": (
            "Uscite subito dall'edificio con tutti; non usate l'ascensore.",
            "Non accendete né spegnete luci o apparecchi, niente fiamme, non staccate spine.",
            "Lasciate porte e finestre aperte uscendo, se possibile.",
            "Da fuori chiamate il pronto intervento gas e i soccorsi (112).",
        ),
    },
    "fire_smoke": {
        "en": (
            "Get everyone out of the unit now and close the doors behind you; use the stairs, not the elevator.",
            "Call emergency services (911 / 112) once you are safe.",
            "If there is smoke, stay low; do not go back inside for belongings.",
        ),
        "es": (
            "Saque a todos de la vivienda ahora y cierre las puertas al salir; use las escaleras, no el ascensor.",
            "Llame a emergencias (911 / 112) cuando esté a salvo.",
            "Si hay humo, agáchese; no vuelva a entrar por sus pertenencias.",
        ),
        "fr": (
            "Faites sortir tout le monde maintenant et fermez les portes derrière vous ; prenez l'escalier, pas l'ascenseur.",
            "Appelez les pompiers (18 / 112) une fois en sécurité.",
            "En cas de fumée, restez près du sol ; ne retournez pas chercher vos affaires.",
        ),
        "de": (
            "Bringen Sie alle sofort aus der Wohnung und schließen Sie die Türen hinter sich; Treppe benutzen, nicht den Aufzug.",
            "Rufen Sie in Sicherheit die Feuerwehr (112).",
            "Bei Rauch in Bodennähe bleiben; gehen Sie nicht zurück, um Sachen zu holen.",
        ),
        "pt": (
            "Tire todos do imóvel agora e feche as portas ao sair; use as escadas, não o elevador.",
            "Ligue para os bombeiros / emergência (193 / 112) quando estiver em segurança.",
            "Se houver fumaça, fique abaixado; não volte para buscar objetos.",
        ),
        "it": (
            "Fate uscire tutti subito e chiudete le porte dietro di voi; usate le scale, non l'ascensore.",
            "Chiamate i vigili del fuoco (115 / 112) quando siete al sicuro.",
            "Se c'è fumo restate bassi; non rientrate a prendere oggetti.",
        ),
    },
    "carbon_monoxide": {
        "en": (
            "Get everyone, including pets, outside into fresh air now.",
            "Call emergency services (911 / 112), especially if anyone has a headache, dizziness or nausea.",
            "Do not go back in until responders say it is safe; do not use gas appliances.",
        ),
        "es": (
            "Salgan todos, también las mascotas, al aire libre ahora.",
            "Llame a emergencias (911 / 112), sobre todo si alguien tiene dolor de cabeza, mareo o náuseas.",
            "No vuelva a entrar hasta que los servicios de emergencia lo autoricen; no use aparatos de gas.",
        ),
        "fr": (
            "Sortez tous, animaux compris, à l'air libre maintenant.",
            "Appelez les secours (15 / 112), surtout en cas de maux de tête, vertiges ou nausées.",
            "Ne rentrez pas avant l'accord des secours ; n'utilisez aucun appareil à gaz.",
        ),
        "de": (
            "Bringen Sie alle, auch Haustiere, sofort an die frische Luft.",
            "Rufen Sie den Notruf (112), besonders bei Kopfschmerzen, Schwindel oder Übelkeit.",
            "Gehen Sie erst wieder hinein, wenn die Einsatzkräfte es erlauben; keine Gasgeräte benutzen.",
        ),
        "pt": (
            "Saiam todos, inclusive animais, para o ar livre agora.",
            "Ligue para a emergência (192 / 112), principalmente se alguém tiver dor de cabeça, tontura ou náusea.",
            "Não volte a entrar até os socorristas liberarem; não use aparelhos a gás.",
        ),
        "it": (
            "Portate tutti, animali compresi, all'aria aperta subito.",
            "Chiamate i soccorsi (112), soprattutto se qualcuno ha mal di testa, capogiri o nausea.",
            "Non rientrate finché i soccorritori non lo permettono; non usate apparecchi a gas.",
        ),
    },
    "flooding": {
        "en": (
            "Shut off the water at the main shut-off valve (or the valve under the fixture) if you can reach it safely.",
            "If water is near outlets, appliances or the electrical panel, switch off the breaker only if you can do it from a dry spot; otherwise keep away.",
            "Move valuables away from the water and warn the neighbours below.",
        ),
        "es": (
            "Cierre la llave de paso general del agua (o la llave bajo el artefacto) si puede llegar a ella sin riesgo.",
            "Si el agua está cerca de enchufes, aparatos o el tablero eléctrico, baje el interruptor solo desde un lugar seco; si no, aléjese.",
            "Retire objetos de valor del agua y avise a los vecinos de abajo.",
        ),
        "fr": (
            "Coupez l'eau au robinet d'arrivée générale (ou sous l'appareil) si vous pouvez l'atteindre sans danger.",
            "Si l'eau approche des prises ou du tableau électrique, coupez le disjoncteur seulement depuis un endroit sec ; sinon éloignez-vous.",
            "Mettez vos affaires à l'abri et prévenez les voisins du dessous.",
        ),
        "de": (
            "Drehen Sie den Hauptwasserhahn (oder das Eckventil) zu, wenn Sie ihn gefahrlos erreichen.",
            "Wenn Wasser in die Nähe von Steckdosen oder dem Sicherungskasten kommt, Sicherung nur von einer trockenen Stelle aus abschalten, sonst Abstand halten.",
            "Wertsachen aus dem Wasser holen und die Nachbarn unten warnen.",
        ),
        "pt": (
            "Feche o registro geral de água (ou o registro do aparelho) se conseguir alcançá-lo com segurança.",
            "Se a água estiver perto de tomadas ou do quadro de luz, desligue o disjuntor só de um lugar seco; caso contrário, afaste-se.",
            "Tire objetos de valor da água e avise os vizinhos de baixo.",
        ),
        "it": (
            "Chiudete il rubinetto generale dell'acqua (o quello sotto l'apparecchio) se potete raggiungerlo in sicurezza.",
            "Se l'acqua è vicina a prese o al quadro elettrico, staccate il salvavita solo da un punto asciutto; altrimenti state lontani.",
            "Spostate gli oggetti di valore e avvisate i vicini di sotto.",
        ),
    },
    "sewage_backup": {
        "en": (
            "Stop using all sinks, toilets, showers, the dishwasher and the washing machine in the unit.",
            "Keep children and pets away from the sewage and do not touch it without gloves.",
            "If sewage is near outlets or appliances, switch off the breaker only from a dry spot.",
        ),
        "es": (
            "Deje de usar todos los lavabos, inodoros, duchas, el lavavajillas y la lavadora de la vivienda.",
            "Mantenga a niños y mascotas lejos de las aguas negras y no las toque sin guantes.",
            "Si el agua llega a enchufes o aparatos, baje el interruptor solo desde un lugar seco.",
        ),
        "fr": (
            "N'utilisez plus aucun lavabo, WC, douche, lave-vaisselle ni machine à laver.",
            "Éloignez enfants et animaux des eaux usées et ne les touchez pas sans gants.",
            "Si l'eau atteint des prises ou appareils, coupez le disjoncteur seulement depuis un endroit sec.",
        ),
        "de": (
            "Benutzen Sie keine Waschbecken, Toiletten, Duschen, Spül- oder Waschmaschinen mehr.",
            "Halten Sie Kinder und Haustiere vom Abwasser fern und fassen Sie es nicht ohne Handschuhe an.",
            "Wenn Abwasser Steckdosen oder Geräte erreicht, Sicherung nur von einer trockenen Stelle aus abschalten.",
        ),
        "pt": (
            "Pare de usar pias, vasos, chuveiros, lava-louças e máquina de lavar do imóvel.",
            "Mantenha crianças e animais longe do esgoto e não toque nele sem luvas.",
            "Se o esgoto chegar a tomadas ou aparelhos, desligue o disjuntor só de um lugar seco.",
        ),
        "it": (
            "Non usate più lavandini, WC, docce, lavastoviglie e lavatrice.",
            "Tenete bambini e animali lontani dai liquami e non toccateli senza guanti.",
            "Se i liquami raggiungono prese o apparecchi, staccate il salvavita solo da un punto asciutto.",
        ),
    },
    "electrical_hazard": {
        "en": (
            "Do not touch the outlet, switch or wires.",
            "Switch off the breaker for that circuit (or the main breaker) at the panel if you can do it safely and from a dry spot.",
            "If you see smoke or flames, leave the unit and call emergency services (911 / 112).",
        ),
        "es": (
            "No toque el enchufe, el interruptor ni los cables.",
            "Baje el interruptor (breaker) de ese circuito o el general en el tablero si puede hacerlo sin riesgo y desde un lugar seco.",
            "Si ve humo o llamas, salga de la vivienda y llame a emergencias (911 / 112).",
        ),
        "fr": (
            "Ne touchez pas la prise, l'interrupteur ni les fils.",
            "Coupez le disjoncteur de ce circuit (ou le disjoncteur général) si vous pouvez le faire sans danger, au sec.",
            "En cas de fumée ou de flammes, sortez et appelez les pompiers (18 / 112).",
        ),
        "de": (
            "Berühren Sie Steckdose, Schalter und Kabel nicht.",
            "Schalten Sie die Sicherung dieses Stromkreises (oder die Hauptsicherung) aus, wenn das gefahrlos und im Trockenen möglich ist.",
            "Bei Rauch oder Flammen die Wohnung verlassen und die Feuerwehr (112) rufen.",
        ),
        "pt": (
            "Não toque na tomada, no interruptor nem nos fios.",
            "Desligue o disjuntor desse circuito (ou o geral) no quadro se puder fazê-lo com segurança e em local seco.",
            "Se houver fumaça ou chamas, saia do imóvel e ligue para os bombeiros (193 / 112).",
        ),
        "it": (
            "Non toccate la presa, l'interruttore o i fili.",
            "Staccate l'interruttore di quel circuito (o il generale) sul quadro se potete farlo in sicurezza e all'asciutto.",
            "Se vedete fumo o fiamme, uscite e chiamate i vigili del fuoco (115 / 112).",
        ),
    },
    "no_heat_freezing": {
        "en": (
            "Keep everyone in one warm room with the door closed; dress in layers and use blankets.",
            "Do not use the oven, a gas stove or a barbecue to heat the home (carbon monoxide risk); use electric heaters only with care and away from curtains.",
            "Let taps drip slightly and open the cabinet doors under sinks so the pipes do not freeze.",
            "If anyone is elderly, a baby or unwell and getting cold, call emergency services (911 / 112).",
        ),
        "es": (
            "Reúnanse en una sola habitación cálida con la puerta cerrada; abríguense por capas y usen mantas.",
            "No use el horno, la estufa de gas ni un asador para calentar la casa (riesgo de monóxido de carbono); use calefactores eléctricos con cuidado y lejos de cortinas.",
            "Deje gotear un poco los grifos y abra los muebles bajo los lavabos para que no se congelen las tuberías.",
            "Si hay personas mayores, bebés o enfermos con frío, llame a emergencias (911 / 112).",
        ),
        "fr": (
            "Regroupez-vous dans une seule pièce chaude, porte fermée ; superposez les vêtements et utilisez des couvertures.",
            "N'utilisez pas le four, la gazinière ou un barbecue pour chauffer (risque de monoxyde de carbone) ; radiateurs électriques avec prudence, loin des rideaux.",
            "Laissez couler un filet d'eau et ouvrez les placards sous les éviers pour éviter le gel des tuyaux.",
            "Si une personne âgée, un bébé ou un malade a froid, appelez les secours (15 / 112).",
        ),
        "de": (
            "Bleiben Sie zusammen in einem warmen Raum mit geschlossener Tür; mehrere Kleidungsschichten und Decken nutzen.",
            "Heizen Sie nicht mit Backofen, Gasherd oder Grill (Kohlenmonoxid-Gefahr); Elektroheizer nur vorsichtig und fern von Vorhängen.",
            "Wasserhähne leicht tropfen lassen und Unterschränke öffnen, damit die Leitungen nicht einfrieren.",
            "Wenn ältere Menschen, Babys oder Kranke auskühlen, den Notruf (112) wählen.",
        ),
        "pt": (
            "Fiquem todos num único cômodo aquecido com a porta fechada; usem várias camadas de roupa e cobertores.",
            "Não use o forno, o fogão a gás ou churrasqueira para aquecer (risco de monóxido de carbono); aquecedores elétricos só com cuidado e longe de cortinas.",
            "Deixe as torneiras pingando e abra os armários sob as pias para os canos não congelarem.",
            "Se houver idosos, bebês ou doentes passando frio, ligue para a emergência (192 / 112).",
        ),
        "it": (
            "Restate tutti in una stanza calda con la porta chiusa; vestitevi a strati e usate coperte.",
            "Non usate forno, fornelli a gas o barbecue per scaldare (rischio monossido di carbonio); stufette elettriche con cautela e lontano dalle tende.",
            "Lasciate gocciolare i rubinetti e aprite i mobili sotto i lavandini perché i tubi non gelino.",
            "Se anziani, neonati o malati stanno prendendo freddo, chiamate i soccorsi (112).",
        ),
    },
    "unsecured_unit": {
        "en": (
            "If an intruder may still be inside, do not go in: go somewhere safe and call the police (911 / 112).",
            "Do not touch anything the intruder may have handled until the police have seen it.",
            "Stay with a neighbour or keep someone at the unit until the door or window is secured.",
        ),
        "es": (
            "Si el intruso puede seguir adentro, no entre: vaya a un lugar seguro y llame a la policía (911 / 112).",
            "No toque nada que el intruso haya podido manipular hasta que la policía lo vea.",
            "Quédese con un vecino o deje a alguien en la vivienda hasta que la puerta o ventana quede asegurada.",
        ),
        "fr": (
            "Si l'intrus est peut-être encore à l'intérieur, n'entrez pas : mettez-vous en sécurité et appelez la police (17 / 112).",
            "Ne touchez à rien avant le passage de la police.",
            "Restez chez un voisin ou gardez quelqu'un sur place jusqu'à la sécurisation de la porte ou de la fenêtre.",
        ),
        "de": (
            "Wenn der Einbrecher noch drinnen sein könnte, nicht hineingehen: in Sicherheit bringen und die Polizei (110 / 112) rufen.",
            "Nichts anfassen, bis die Polizei die Spuren gesehen hat.",
            "Bleiben Sie bei Nachbarn oder lassen Sie jemanden in der Wohnung, bis Tür oder Fenster gesichert sind.",
        ),
        "pt": (
            "Se o invasor ainda puder estar lá dentro, não entre: vá para um lugar seguro e ligue para a polícia (190 / 112).",
            "Não toque em nada até a polícia ver.",
            "Fique com um vizinho ou deixe alguém no imóvel até a porta ou janela ficar segura.",
        ),
        "it": (
            "Se l'intruso potrebbe essere ancora dentro, non entrate: mettetevi al sicuro e chiamate la polizia (112 / 113).",
            "Non toccate nulla prima che la polizia abbia visto.",
            "Restate da un vicino o lasciate qualcuno in casa finché porta o finestra non sono messe in sicurezza.",
        ),
    },
    "trapped_in_elevator": {
        "en": (
            "Press the elevator's alarm or emergency call button and stay calm; help is on the way.",
            "Do not try to force the doors open or climb out of the car.",
            "If anyone is hurt, panicking or unwell, call emergency services (911 / 112).",
        ),
        "es": (
            "Pulse el botón de alarma o de llamada de emergencia del ascensor y mantenga la calma; la ayuda va en camino.",
            "No intente forzar las puertas ni salir de la cabina.",
            "Si alguien está herido, con pánico o se siente mal, llame a emergencias (911 / 112).",
        ),
        "fr": (
            "Appuyez sur le bouton d'alarme de l'ascenseur et restez calme ; les secours arrivent.",
            "N'essayez pas de forcer les portes ni de sortir de la cabine.",
            "Si quelqu'un est blessé ou malade, appelez les secours (112).",
        ),
        "de": (
            "Drücken Sie den Notruf- oder Alarmknopf im Aufzug und bleiben Sie ruhig; Hilfe ist unterwegs.",
            "Versuchen Sie nicht, die Türen aufzustemmen oder aus der Kabine zu klettern.",
            "Wenn jemand verletzt ist oder es ihm schlecht geht, den Notruf (112) wählen.",
        ),
        "pt": (
            "Aperte o botão de alarme ou de emergência do elevador e mantenha a calma; a ajuda está a caminho.",
            "Não tente forçar as portas nem sair da cabine.",
            "Se alguém estiver ferido ou passando mal, ligue para a emergência (193 / 112).",
        ),
        "it": (
            "Premete il pulsante d'allarme dell'ascensore e restate calmi; i soccorsi stanno arrivando.",
            "Non forzate le porte e non cercate di uscire dalla cabina.",
            "Se qualcuno è ferito o si sente male, chiamate i soccorsi (112).",
        ),
    },
    "ceiling_collapse": {
        "en": (
            "Get everyone out of the room (or the unit) and keep away from the damaged area.",
            "If water is coming through, shut off the water main; if it reaches light fittings or outlets, switch off the breaker from a dry spot.",
            "Call emergency services (911 / 112) if anyone is hurt or the damage is spreading.",
        ),
        "es": (
            "Saque a todos de la habitación (o de la vivienda) y aléjense de la zona dañada.",
            "Si entra agua, cierre la llave de paso general; si llega a lámparas o enchufes, baje el interruptor desde un lugar seco.",
            "Llame a emergencias (911 / 112) si alguien está herido o el daño se extiende.",
        ),
        "fr": (
            "Faites sortir tout le monde de la pièce (ou du logement) et éloignez-vous de la zone abîmée.",
            "Si de l'eau coule, coupez l'arrivée d'eau ; si elle atteint luminaires ou prises, coupez le disjoncteur au sec.",
            "Appelez les secours (18 / 112) en cas de blessé ou si les dégâts s'étendent.",
        ),
        "de": (
            "Bringen Sie alle aus dem Raum (oder der Wohnung) und halten Sie Abstand zur beschädigten Stelle.",
            "Wenn Wasser eindringt, Hauptwasserhahn zudrehen; erreicht es Lampen oder Steckdosen, Sicherung von trockener Stelle aus abschalten.",
            "Bei Verletzten oder wenn sich der Schaden ausbreitet, den Notruf (112) wählen.",
        ),
        "pt": (
            "Tire todos do cômodo (ou do imóvel) e afaste-se da área danificada.",
            "Se estiver entrando água, feche o registro geral; se atingir luminárias ou tomadas, desligue o disjuntor de um lugar seco.",
            "Ligue para a emergência (193 / 112) se alguém se feriu ou o dano estiver aumentando.",
        ),
        "it": (
            "Fate uscire tutti dalla stanza (o dalla casa) e state lontani dalla zona danneggiata.",
            "Se entra acqua chiudete il rubinetto generale; se raggiunge lampade o prese, staccate il salvavita da un punto asciutto.",
            "Chiamate i soccorsi (112) se qualcuno è ferito o il danno si allarga.",
        ),
    },
    "appliance_overheating": {
        "en": (
            "Keep away from the appliance and keep children and pets out of the kitchen.",
            "Cut its power at the breaker (or unplug it only if the plug is cool and dry); for a gas appliance, close the gas valve behind it.",
            "If you see smoke or flames, leave the unit and call emergency services (911 / 112).",
        ),
        "es": (
            "Aléjese del aparato y mantenga a niños y mascotas fuera de la cocina.",
            "Corte la corriente en el interruptor (o desenchúfelo solo si el enchufe está frío y seco); si es a gas, cierre la llave de gas detrás del aparato.",
            "Si ve humo o llamas, salga de la vivienda y llame a emergencias (911 / 112).",
        ),
        "fr": (
            "Éloignez-vous de l'appareil et tenez enfants et animaux hors de la cuisine.",
            "Coupez son disjoncteur (ou débranchez-le si la prise est froide et sèche) ; pour un appareil à gaz, fermez le robinet de gaz.",
            "En cas de fumée ou de flammes, sortez et appelez les pompiers (18 / 112).",
        ),
        "de": (
            "Halten Sie Abstand zum Gerät und Kinder und Haustiere aus der Küche fern.",
            "Sicherung des Geräts ausschalten (Stecker nur ziehen, wenn er kühl und trocken ist); bei Gasgeräten den Gashahn schließen.",
            "Bei Rauch oder Flammen die Wohnung verlassen und die Feuerwehr (112) rufen.",
        ),
        "pt": (
            "Afaste-se do aparelho e mantenha crianças e animais fora da cozinha.",
            "Desligue o disjuntor dele (ou tire da tomada só se o plugue estiver frio e seco); se for a gás, feche o registro de gás.",
            "Se houver fumaça ou chamas, saia do imóvel e ligue para os bombeiros (193 / 112).",
        ),
        "it": (
            "State lontani dall'apparecchio e tenete bambini e animali fuori dalla cucina.",
            "Staccate il suo interruttore (o la spina solo se è fredda e asciutta); se è a gas, chiudete il rubinetto del gas.",
            "Se vedete fumo o fiamme, uscite e chiamate i vigili del fuoco (115 / 112).",
        ),
    },
}

GENERAL_EMERGENCY_INSTRUCTIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "If anyone is in danger, leave the area and call emergency services (911 / 112).",
        "If it is safe, stop the source: shut the water main, or switch off the breaker from a dry spot.",
        "Keep people away from the affected area until help arrives.",
    ),
    "es": (
        "Si alguien corre peligro, salga de la zona y llame a emergencias (911 / 112).",
        "Si es seguro, corte el origen: cierre la llave de paso del agua o baje el interruptor desde un lugar seco.",
        "Mantenga a las personas lejos de la zona afectada hasta que llegue la ayuda.",
    ),
    "fr": (
        "Si quelqu'un est en danger, quittez les lieux et appelez les secours (112).",
        "Si c'est sans risque, coupez la source : l'arrivée d'eau ou le disjoncteur (au sec).",
        "Tenez tout le monde à l'écart de la zone jusqu'à l'arrivée des secours.",
    ),
    "de": (
        "Wenn jemand in Gefahr ist, den Bereich verlassen und den Notruf (112) wählen.",
        "Wenn gefahrlos möglich, die Ursache stoppen: Hauptwasserhahn zudrehen oder Sicherung von trockener Stelle aus abschalten.",
        "Halten Sie alle vom betroffenen Bereich fern, bis Hilfe eintrifft.",
    ),
    "pt": (
        "Se alguém estiver em perigo, saia do local e ligue para a emergência (112 / 193).",
        "Se for seguro, interrompa a causa: feche o registro de água ou desligue o disjuntor de um lugar seco.",
        "Mantenha as pessoas longe da área afetada até a ajuda chegar.",
    ),
    "it": (
        "Se qualcuno è in pericolo, allontanatevi e chiamate i soccorsi (112).",
        "Se è sicuro, fermate la causa: chiudete il rubinetto generale o staccate il salvavita da un punto asciutto.",
        "Tenete le persone lontane dalla zona interessata finché arrivano i soccorsi.",
    ),
}


# --------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------

RULES: tuple[SafetyRule, ...] = (
    SafetyRule(
        code="gas_leak",
        category="safety",
        label="gas smell or leak",
        patterns=(
            _p(_then(SMELL, GAS, 40)),
            _p(
                r"^\W*(?:gas|gaz|gas leak|gas smell|fuga de gas|olor a gas|fuite de gaz|gasgeruch|cheiro de gas|fuga di gas)\W*$"
            ),
            _p(_then(GAS, SMELL, 18)),
            _p(r"\bgas(?:geruch|gestank|leck|austritt|alarm)\w*|\bgas\w* (?:riecht|stinkt|tritt aus)"),
            _p(_then(GAS, LEAK, 18)),
            _p(_then(LEAK, GAS, 12)),
            _p(_near(GAS, HISS, 40)),
            _p(
                r"\b(?:rotten eggs?|huevos? podridos?|oeufs? pourris?|faule(?:n)? eier|ovos? pod(?:re|res|ridos?)|uova marce|uovo marcio)\b"
            ),
        ),
        instructions=_I["gas_leak"],
    ),
    SafetyRule(
        code="carbon_monoxide",
        category="safety",
        label="carbon monoxide alarm",
        patterns=(
            _p(CO_WORDS, exclude=CO_EXCLUDE, window=50),
            _p(_near(CO_DEVICE, CO_SOUND, 40), exclude=CO_EXCLUDE, window=50),
        ),
        instructions=_I["carbon_monoxide"],
    ),
    SafetyRule(
        code="fire_smoke",
        category="safety",
        label="fire or smoke",
        patterns=(
            _p(SMOKE + _SMOKE_DEVICE_AFTER, exclude=FIRE_EXCLUDE + "|" + SMOKE_COOKING, window=30),
            _p(FIRE, exclude=FIRE_EXCLUDE, window=25),
            _p(_near(ALARM_DEVICE, SOUNDING, 30), exclude=ALARM_EXCLUDE, window=60),
        ),
        instructions=_I["fire_smoke"],
    ),
    SafetyRule(
        code="electrical_hazard",
        category="electrical",
        label="sparks, burning smell or live wiring",
        patterns=(
            _p(SPARK, exclude=SPARK_EXCLUDE, window=40),
            _p(
                BURN_SMELL,
                exclude=r"\b(?:dust|dusty|polvo|poussiere|staub|poeira|polvere|first time|toast|food|comida)\b",
                window=25,
            ),
            _p(LIVE_WIRE),
            _p(SHOCK, exclude=r"\bstatic\b"),
            _p(_near(ELEC_OBJ, ELEC_BAD, 30), exclude=ELEC_BAD_EXCLUDE, window=40),
            _p(WATER_ON_ELEC),
        ),
        instructions=_I["electrical_hazard"],
    ),
    SafetyRule(
        code="flooding",
        category="plumbing",
        label="active flooding or burst pipe",
        patterns=(
            _p(_near(PIPE, BURST, 25), exclude=DRIP_EXCLUDE, window=40),
            _p(r"\b(?:rohrbruch|wasserrohrbruch|pipe ?burst|burst ?pipe)\w*\b"),
            _p(
                _near(
                    r"\b(?:water heater|hot water (?:tank|heater|cylinder)|water tank|calentador|termotanque|calefon|"
                    r"chauffe-eau|ballon d'eau chaude|warmwasserspeicher|boiler|aquecedor|scaldabagno|boiler)\b",
                    r"\b(?:burst\w*|ruptur\w*|exploded|split open|revent\w*|estall\w*|eclate|a eclate|geplatzt|"
                    r"estour\w*|scoppiat\w*)\b",
                    25,
                )
            ),
            _p(FLOOD, exclude=FLOOD_EXCLUDE, window=30),
            _p(
                OVERFLOW,
                exclude=r"\b(?:once|(?:it'?s|is) fine now|stopped now|yesterday|last (?:night|week)|ayer|hier|gestern|ontem|ieri)\b",
                window=40,
            ),
        ),
        instructions=_I["flooding"],
    ),
    SafetyRule(
        code="sewage_backup",
        category="plumbing",
        label="sewage backing up",
        patterns=(_p(_near(SEWAGE, BACKUP, 50)),),
        instructions=_I["sewage_backup"],
    ),
    SafetyRule(
        code="no_heat_freezing",
        category="hvac",
        label="no heat in freezing weather",
        patterns=(_p(NO_HEAT, neg=False),),
        requires=(
            (
                _p(FREEZING, exclude=FREEZING_EXCLUDE, window=15),
                _p(COLD_INSIDE),
            ),
        ),
        instructions=_I["no_heat_freezing"],
    ),
    SafetyRule(
        code="unsecured_unit",
        category="doors_windows",
        label="unit cannot be secured",
        patterns=(
            _p(BREAK_IN, exclude=BREAK_IN_EXCLUDE, window=40),
            _p(_then(DOOR_ENTRY, DOOR_UNSECURE, 40), inner=False, exclude=UNSECURED_EXCLUDE, window=40),
            _p(
                _then(
                    r"\b(?:lock|deadbolt|cerradura|chapa|serrure|verrou|schloss|fechadura|serratura)\b",
                    r"\b(?:ripped|torn|pulled|broken) (?:out|off)|\b(?:arrancad[ao]|arrachee?|herausgerissen|arrancad[ao]|divelt[ao])\b",
                    20,
                )
            ),
            _p(CANT_SECURE, inner=False, exclude=UNSECURED_EXCLUDE, window=40),
            _p(WINDOW_BROKEN, inner=False, near=GROUND, near_window=60),
        ),
        instructions=_I["unsecured_unit"],
    ),
    SafetyRule(
        code="trapped_in_elevator",
        category="exterior",
        label="person trapped in an elevator",
        patterns=(
            _p(_then(TRAPPED, ELEV, 22), inner=False, exclude=ELEVATOR_EXCLUDE, window=40),
            _p(
                _then(ELEV, r"\b(?:with|w/|con|avec|mit|com|con)\b[^.!?\n]{0,30}?" + PERSON_INSIDE, 40),
                inner=False,
                exclude=ELEVATOR_EXCLUDE,
                window=40,
            ),
            _p(
                _near(
                    ELEV,
                    r"\bbetween (?:floors|two floors)|entre (?:pisos|dos pisos|deux etages|andares|dois andares)|"
                    r"zwischen (?:zwei |den )?(?:stockwerken|etagen)|tra (?:due )?piani",
                    40,
                ),
                inner=False,
                exclude=ELEVATOR_EXCLUDE,
                window=40,
            ),
            _p(
                _then(r"\b(?:quedo|quedaron|se quedo|rimast\w*|ficou|ficaram|resta\w*)\b", ELEV, 25),
                inner=False,
                exclude=ELEVATOR_EXCLUDE,
                window=40,
            ),
            _p(
                _near(
                    ELEV,
                    r"\b(?:fest|festgesteckt|eingeschlossen|eingesperrt|gefangen|steckengeblieben|stecken geblieben|festsitz\w*)\b",
                    30,
                ),
                inner=False,
                exclude=ELEVATOR_EXCLUDE,
                window=40,
            ),
        ),
        instructions=_I["trapped_in_elevator"],
    ),
    SafetyRule(
        code="ceiling_collapse",
        category="structural",
        label="ceiling or structure collapsing",
        patterns=(
            _p(_near(CEILING, COLLAPSE, 35), exclude=CEILING_EXCLUDE, window=15),
            _p(STRUCT_COLLAPSE),
            _p(
                _then(
                    CEILING,
                    r"\b(?:about to (?:fall|collapse|come down|give)|going to (?:fall|collapse|cave|come down)|va a caer|se va a caer|"
                    r"(?:sagging|bulging|bowing) and (?:cracking|cracked|splitting)|"
                    r"menace de (?:tomber|s'effondrer)|droht einzusturzen|vai cair|vai desabar|sta per cadere|sta per crollare)\b",
                    70,
                )
            ),
        ),
        instructions=_I["ceiling_collapse"],
    ),
    SafetyRule(
        code="appliance_overheating",
        category="appliance",
        label="appliance stuck on or overheating",
        patterns=(_p(_then(APPLIANCE_HOT, APPLIANCE_STUCK, 50), neg=False),),
        instructions=_I["appliance_overheating"],
    ),
)

RULES_BY_CODE: dict[str, SafetyRule] = {r.code: r for r in RULES}


# Negated hazard mentions ("no gas smell", "nobody is stuck") are rewritten
# into single tokens before classification, so that the n-gram classifier
# does not read "gas smell" in "there is no gas smell".
_NEGATED_HAZARDS = (
    (
        re.compile(
            r"\b(?:no|without|not any|any|sin|no hay|pas d'|pas de|aucune?|kein\w*|sem|nao (?:tem|ha|sinto)|nessun\w*|non c'e|"
            r"non (?:sento|si sente))\s?(?:\w+ ){0,2}?(?:gas smell|smell of gas|gas odou?r|smell|olor a gas|olor|odeur de gaz|odeur|"
            r"gasgeruch|geruch|cheiro de gas|cheiro|odore di gas|odore)\b(?: (?:of |a |de |di |d')?ga[sz]\b)?|"
            r"\b(?:doesn'?t|does not|don'?t|didn'?t) smell (?:like |of )?(?:any )?ga[sz]\b|\bno huele a gas\b|\bne sent pas le gaz\b|"
            r"\briecht (?:\w+ )?nicht nach gas\b|\bnao cheira a gas\b"
        ),
        " xnogassmellx ",
    ),
    (
        re.compile(
            r"\b(?:nobody|no one|noone|nadie|personne n'|niemand|keiner|ninguem|nessuno)\b[^.!?,;]{0,25}?"
            r"\b(?:stuck|trapped|inside|in it|atrapad\w*|adentro|dentro|coince\w*|dedans|fest|drin|pres[oa]|bloccat\w*)\b|"
            r"\b(?:stuck|trapped|atrapad\w*|coince\w*|pres[oa]|bloccat\w*)\b[^.!?,;]{0,10}?\b(?:nobody|no one|nadie|personne|niemand|ninguem|nessuno)\b"
        ),
        " xnobodytrappedx ",
    ),
    (
        re.compile(r"\b(?:not|no|nicht|pas|nao|non) (?:\w+ )?(?:freezing|helando|gel\w*|frier\w*|congel\w*)\b"),
        " xnotfreezingx ",
    ),
    (
        re.compile(
            r"\b(?:no|not|without|sin|sans|keine|sem|senza) (?:any )?(?:sparks?|sparking|chispas|etincelles|funken|faiscas|scintille)\b"
        ),
        " xnosparksx ",
    ),
    (
        re.compile(
            r"\b(?:no|not|without|sin|sans|kein|sem|senza|nessun) (?:any )?(?:smoke|humo|fumee|rauch|fumaca|fumo)\b"
        ),
        " xnosmokex ",
    ),
)


def mark_negated_hazards(norm: str) -> str:
    """Replace negated hazard mentions in normalised text by marker tokens
    (``xnogassmellx``, ``xnobodytrappedx``...) for the classifier."""
    for rx, token in _NEGATED_HAZARDS:
        norm = rx.sub(token, norm)
    return norm


def find_hits(text: str, language: str | None = None) -> list[RuleHit]:
    """Return every life-safety rule that fires on ``text`` (in rule order).

    ``language`` (en/es/fr/de/pt/it) selects the negation words; it is
    detected when not given.
    """
    norm = normalize(text)
    if not norm:
        return []
    if language is None:
        language = detect_language(text)
    if language in ("pt", "it"):
        # "no" is a preposition in Portuguese ("no elevador") but a negation
        # in Spanish; when the two are close, keep treating it as a negation.
        scores = language_scores(text)
        if scores[language] - scores["es"] < 1.0:
            language = "es"
    neg_text = _blank_hedges(norm)
    hits = []
    for rule in RULES:
        m = rule.match(norm, neg_text, language)
        if m is not None:
            hits.append(RuleHit(rule.code, rule.category, rule.label, m.group(0)))
    return hits


def instructions_for(codes: list[str] | tuple[str, ...], language: str = "en") -> list[str]:
    """Tenant safety instructions for the given rule codes, in ``language``
    (falling back to English), de-duplicated, in order. With no codes, the
    general emergency instructions are returned."""
    out: list[str] = []
    sources = [RULES_BY_CODE[c].instructions for c in codes if c in RULES_BY_CODE] or [GENERAL_EMERGENCY_INSTRUCTIONS]
    for instr in sources:
        for line in instr.get(language) or instr["en"]:
            if line not in out:
                out.append(line)
    return out
