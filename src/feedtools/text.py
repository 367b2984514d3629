"""One place for how the package reads words: folding, hashtag keys, month and weekday names, date patterns.

Every module that compares words or reads dates imports them from here, so a hashtag is
one key everywhere and a date is read the same everywhere:

* **folding** — :func:`fold_text` / :func:`fold_text_expr`: case and accents (``Séville`` ->
  ``seville``), for comparing names, places and cue words;
* **hashtag keys** — :func:`fold_tag` / :func:`fold_tags`: a hashtag's key is its text
  without ``#``, NFKC-normalised, case-folded, accents, punctuation (``_``, ``-``...) and
  format marks removed (``#DíaMundial``, ``#dia_mundial`` and ``#DIA-MUNDIAL`` are all
  ``diamundial``). Campaigns, timelines (event keys, hashtag counts) and observances
  (``data/observances.csv``) all compare these keys;
* **month and weekday names** — :data:`MONTHS`, :data:`WEEKDAYS` (English, Spanish, French,
  full names and the abbreviations people write, with and without accents);
* **day-month mentions** — :data:`DAY_FIRST`, :data:`MONTH_FIRST` and
  :func:`day_month_mentions`: ``5 abr``, ``3 de marzo``, ``1er mai``, ``October 5th``,
  ranges such as ``1-4 de abril``, ``30 June - 3 July 2025``, ``du 1er au 4 avril``.
  :mod:`feedtools.dates` (date evidence) and :mod:`feedtools.campaigns` (dates shared by
  two posts) both read dates through :func:`day_month_mentions`.

To extend a table, add words to the space-separated groups below (lower case; the
accented and unaccented spellings are both matched because lookups fold first).
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from feedtools.series import map_unique

__all__ = [
    "DAY_FIRST",
    "MONTHS",
    "MONTH_FIRST",
    "WEEKDAYS",
    "alternation",
    "day_month_mentions",
    "fold_tag",
    "fold_tags",
    "fold_text",
    "fold_text_expr",
    "month_number",
    "name_table",
    "weekday_number",
]


# --------------------------------------------------------------------------------------------- folding
def fold_text(text: str) -> str:
    """Case- and accent-folded ``text`` (NFKC, case-folded, combining marks removed, NFC): ``'Séville'`` ->
    ``'seville'``, ``'ＭＡＹＯ'`` -> ``'mayo'``. Spaces and punctuation are kept."""
    t = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return unicodedata.normalize("NFC", "".join(ch for ch in t if unicodedata.category(ch) not in {"Mn", "Me"}))


def fold_text_expr(e: pl.Expr) -> pl.Expr:
    """Polars expression: lower case, combining marks removed (the vectorised :func:`fold_text` for keys;
    it lower-cases rather than case-folds, which differs only for a few letters such as ``ß``)."""
    return e.str.to_lowercase().str.normalize("NFKD").str.replace_all(r"\p{Mn}", "").str.normalize("NFC")


_TAG_DROP = {"Mn", "Me", "Cf", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"}


def fold_tag(tag: str) -> str:
    """A hashtag's key: no ``#``, case-folded, accents removed, punctuation and format marks removed.

    >>> fold_tag("#CiudadesYTerritoriosDePaz"), fold_tag("UCLGmeets"), fold_tag("Día_Mundial"), fold_tag("ＯＤＳ")
    ('ciudadesyterritoriosdepaz', 'uclgmeets', 'diamundial', 'ods')

    Letters, digits and emoji are kept (``#SDG3`` stays ``sdg3``); variation selectors
    and zero-width joiners are dropped. NFKC first, so full-width letters fold too.
    """
    t = unicodedata.normalize("NFKC", tag).lstrip("#＃").casefold()
    t = unicodedata.normalize("NFKD", t)
    return unicodedata.normalize("NFC", "".join(ch for ch in t if unicodedata.category(ch) not in _TAG_DROP))


def fold_tags(tags: pl.Series) -> pl.Series:
    """:func:`fold_tag` over a String Series, each distinct value folded once; nulls stay null, order kept."""
    return map_unique(tags.cast(pl.String), fold_tag)


# --------------------------------------------------------------------------------------------- names
def name_table(groups: list[str]) -> dict[str, int]:
    """``{name: n}`` for each space-separated name in ``groups[n - 1]`` (numbers start at 1), plus the folded
    spelling of each name (so ``février`` brings ``fevrier``)."""
    out: dict[str, int] = {}
    for num, names in enumerate(groups, start=1):
        for name in names.split():
            out.setdefault(name, num)
            out.setdefault(fold_text(name), num)
    return out


#: Month names and abbreviations (lower case) -> month number; English, Spanish, French.
MONTHS: dict[str, int] = name_table(
    [
        "january jan enero ene janvier janv",
        "february feb febrero février févr",
        "march mar marzo mars",
        "april apr abril abr avril avr",
        "may mayo mai",
        "june jun junio juin",
        "july jul julio juillet juil",
        "august aug agosto ago août",
        "september sep sept septiembre setiembre set septembre",
        "october oct octubre octobre",
        "november nov noviembre novembre",
        "december dec diciembre dic décembre déc",
    ]
)

#: Weekday names (lower case) -> ISO weekday (Monday = 1); English, Spanish, French.
WEEKDAYS: dict[str, int] = name_table(
    [
        "monday lunes lundi",
        "tuesday martes mardi",
        "wednesday miércoles mercredi",
        "thursday jueves jeudi",
        "friday viernes vendredi",
        "saturday sábado samedi",
        "sunday domingo dimanche",
    ]
)


def alternation(words) -> str:
    """A regex alternation of ``words`` (escaped, longest first, so ``sept`` wins over ``sep``)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _lookup(e: pl.Expr, table: dict[str, int]) -> pl.Expr:
    folded = {fold_text(k): v for k, v in table.items()}
    return fold_text_expr(e).str.strip_chars(".").replace_strict(folded, default=None, return_dtype=pl.Int64)


def month_number(e: pl.Expr) -> pl.Expr:
    """Month number (1-12) of a month name or abbreviation in :data:`MONTHS` (any case, accents optional,
    a trailing dot allowed); null for anything else."""
    return _lookup(e, MONTHS)


def weekday_number(e: pl.Expr) -> pl.Expr:
    """ISO weekday (Monday = 1) of a weekday name in :data:`WEEKDAYS`; null for anything else."""
    return _lookup(e, WEEKDAYS)


# --------------------------------------------------------------------------------------------- date patterns
B = r"(?-u:\b)"  # ASCII word boundary: ~40x faster than Unicode \b in polars (docs/design.md, "Toolchain facts")
_MON = f"(?:{alternation(MONTHS)})"
_WD = f"(?:{alternation(WEEKDAYS)})"
_ORD = r"(?:st|nd|rd|th|er|re|ème|eme|e|º|°|ª|\.º|o|a|\.o)?"  # º and ª become o and a under NFKC
_SEP = r"(?:\s*[-–—]\s*|\s+(?:to|al|au|a|y|et|and|&)\s+(?:el\s+|le\s+|the\s+)?)"
_PRE = (
    r"(?:(until|till|through|hasta(?:\s+el)?|jusqu['’]\s?(?:au|à)|deadline:?|before|antes\s+del?|avant\s+le|by"
    r"|since|desde\s+el|depuis\s+le|after|después\s+del?|après\s+le)\s+)?"
)
_WDP = rf"(?:({_WD}),?\s+(?:the\s+|el\s+|le\s+)?)?"
_FROM = r"(?:(?:from|del|du|entre|between)\s+(?:el\s+|le\s+|the\s+)?)?"
_YEAR = r"(?:,?\s+(?:de\s+)?(20\d\d)" + B + ")?"
#: Day-first mention (``3 de marzo``, ``1-4 de abril``, ``30 June - 3 July 2025``, ``5 abr``);
#: groups: cue before (``until``...), weekday, day 1, month 1, day 2, month 2, year.
DAY_FIRST = (
    rf"(?i){_PRE}{_WDP}{_FROM}{B}(\d{{1,2}}){_ORD}(?:\s+(?:de\s+|of\s+)?({_MON}){B}\.?)?"
    rf"(?:{_SEP}(\d{{1,2}}){_ORD})?\s+(?:de\s+|of\s+)?({_MON}){B}\.?{_YEAR}"
)
#: Month-first mention (``October 5th``, ``May 2-3``, ``June 30 - July 3``);
#: groups: cue before, weekday, month 1, day 1, month 2, day 2, year.
MONTH_FIRST = (
    rf"(?i){_PRE}{_WDP}{B}({_MON}){B}\.?\s+(?:the\s+)?(\d{{1,2}}){_ORD}"
    rf"(?:{_SEP}(?:({_MON}){B}\.?\s+)?(\d{{1,2}}){_ORD})?{B}{_YEAR}"
)


def day_month_mentions(frame: pl.DataFrame, text: str, keep: list[str]) -> pl.DataFrame:
    """Every day-month mention in ``frame[text]``, read by :data:`DAY_FIRST` and :data:`MONTH_FIRST`.

    Returns one row per mention (the same span matched by both patterns counts once, the
    day-first reading first): the ``keep`` columns, ``m`` (the text matched), ``pre`` (a cue
    word right before it, e.g. ``until``, or null), ``wd`` (weekday name or null), ``y``
    (explicit year, Int64 or null), ``sm``/``sd`` (first month and day) and ``em``/``ed``
    (last month and day: equal to the first for a single day). One month named for two
    days applies to both; impossible days (``31 abril``) are returned as read, the caller
    decides. Rows with a null text are skipped.
    """
    parts = []
    for regex, order in (
        (DAY_FIRST, ("pre", "wd", "d1", "m1", "d2", "m2", "y")),
        (MONTH_FIRST, ("pre", "wd", "m1", "d1", "m2", "d2", "y")),
    ):
        names = {str(i + 1): n for i, n in enumerate(order)}
        got = (
            frame.select(*keep, m=pl.col(text).str.extract_all(regex))
            .explode("m")
            .drop_nulls("m")
            .with_columns(g=pl.col("m").str.extract_groups(regex))
            .unnest("g")
            .rename(names)
        )
        if regex is DAY_FIRST:  # one month named: applies to both days; two: the first belongs to day 1
            got = got.with_columns(
                sm=month_number(pl.col("m1")).fill_null(month_number(pl.col("m2"))), em=month_number(pl.col("m2"))
            )
        else:
            got = got.with_columns(
                sm=month_number(pl.col("m1")), em=month_number(pl.col("m2")).fill_null(month_number(pl.col("m1")))
            )
        parts.append(
            got.select(
                *keep,
                "m",
                "pre",
                "wd",
                y=pl.col("y").cast(pl.Int64),
                sm="sm",
                sd=pl.col("d1").cast(pl.Int64),
                em="em",
                ed=pl.coalesce(pl.col("d2").cast(pl.Int64), pl.col("d1").cast(pl.Int64)),
            )
        )
    return pl.concat(parts).unique(subset=[*keep, "m"], keep="first", maintain_order=True)


# --------------------------------------------------------------------------------------------- cue tables
# Each table maps what a cue says to language -> regular-expression fragments (case-insensitive; ``\b`` is
# written as usual and compiled to an ASCII word boundary, ~40x faster in polars). To extend a table, add a
# fragment to the right list (or a new language key): :func:`cue_pattern` compiles the lists into one regex.

#: Tense: how a post stands to the event it names. ``on``: present (the post is within the event's days);
#: ``after``: past (on or after its first day); ``before``: future or announcement (at most its last day).
TENSE_CUES: dict[str, dict[str, list[str]]] = {
    "on": {
        "en": [
            r"\btoday",
            r"tonight",
            r"this (?:morning|afternoon|evening)",
            r"is here\b",
            r"are here\b",
            r"has begun",
            r"have begun",
            r"has started",
            r"\bstarted\b",
            r"kicks? off",
            r"kicking off",
            r"about to (?:begin|start)",
            r"underway",
            r"happening now",
            r"watch live",
            r"we['’]re live",
            r"we are live",
            r"tune in",
            r"this #",
        ],
        "es": [
            r"\bhoy\b",
            r"esta (?:mañana|tarde|noche)",
            r"en directo",
            r"en vivo",
            r"¡\s*(?:empieza|comienza|arranca)",
            r"está a punto de (?:empezar|comenzar)",
        ],
        "fr": [
            r"aujourd['’]hui",
            r"ce (?:matin|soir)",
            r"cet après-midi",
            r"en direct",
            r"\bcommence\b",
            r"se réuni(?:t|ssent)",
            r"est sur le point de commencer",
        ],
    },
    "after": {
        "en": [
            r"has just (?:finished|ended|concluded|closed)",
            r"just (?:finished|ended|concluded|wrapped)",
            r"wrapped up",
            r"took place",
            r"was held",
            r"were held",
            r"held on",
            r"last (?:night|week)",
            r"yesterday",
            r"we represented",
            r"concluded",
        ],
        "es": [r"\banoche", r"\bayer\b", r"se celebró", r"tuvo lugar", r"concluyó", r"finalizó"],
        "fr": [r"\bhier\b", r"s['’]est (?:réuni|tenu|terminé|achevé)", r"a eu lieu", r"ont eu lieu"],
    },
    "before": {
        "en": [
            r"\bwill\b",
            r"['’]ll\b",
            r"going to",
            r"upcoming",
            r"coming soon",
            r"mark your calendars?",
            r"save the date",
            r"\bregister",
            r"\bapply\b",
            r"applications? (?:are |is )?open",
            r"deadline",
            r"don['’]t miss",
            r"join us",
            r"stay tuned",
            r"\btomorrow\b",
        ],
        "es": [
            r"\bserán?(?:[^\p{L}]|$)",
            r"\b\p{L}+(?:remos|rán)\b",
            r"\bpróxim[oa]s?",
            r"no olvides",
            r"inscríbete",
            r"último día",
            r"(?:^|[^\p{L}])mañana (?:empieza|comienza|arranca|inicia)",
        ],
        "fr": [
            r"aura lieu",
            r"se tiendra",
            r"\bseront?\b",
            r"\bprochaine?s?",
            r"ne manquez pas",
            r"dernier jour pour",
            r"\bdemain\b",
        ],
    },
}

#: Day-relative words: the post is ``offset`` days from the moment it describes (``today`` 0, ``yesterday``
#: +1: the post is a day after; ``tomorrow`` -1: a day before). Spanish ``mañana`` counts as ``tomorrow`` only
#: when not part of ``esta/la/por la mañana`` (morning).
RELATIVE_CUES: dict[int, dict[str, list[str]]] = {
    0: {
        "en": [r"\btoday", r"tonight", r"this (?:morning|afternoon|evening)"],
        "es": [r"\bhoy\b", r"esta (?:mañana|tarde|noche)"],
        "fr": [r"aujourd['’]hui", r"ce (?:matin|soir)", r"cet après-midi"],
    },
    1: {"en": [r"last night", r"yesterday"], "es": [r"\banoche", r"\bayer\b"], "fr": [r"\bhier(?: soir)?\b"]},
    -1: {
        "en": [r"\btomorrow\b"],
        "es": [r"(?:^|[^\p{L}])mañana (?:empieza|comienza|arranca|inicia|será|es)"],
        "fr": [r"\bdemain\b"],
    },
}

#: Words naming an event (English, Spanish, French) -> one key per kind of event.
EVENT_NOUNS: dict[str, str] = {
    "retreat": "retreat",
    "retiro": "retreat",
    "séminaire": "retreat",
    "seminaire": "retreat",
    "bureau": "bureau",
    "exbu": "bureau",
    "council": "council",
    "consejo": "council",
    "conseil": "council",
    "summit": "summit",
    "cumbre": "summit",
    "sommet": "summit",
    "forum": "forum",
    "foro": "forum",
    "fórum": "forum",
    "academy": "academy",
    "academia": "academy",
    "académie": "academy",
    "conference": "conference",
    "conferencia": "conference",
    "conférence": "conference",
    "congress": "congress",
    "congreso": "congress",
    "congrès": "congress",
    "assembly": "assembly",
    "asamblea": "assembly",
    "assemblée": "assembly",
    "town hall": "town hall",
    "townhall": "town hall",
    "course": "course",
    "curso": "course",
    "cours": "course",
    "mooc": "course",
    "webinar": "webinar",
    "webinaire": "webinar",
    "week": "week",
    "semana": "week",
    "semaine": "week",
}
_NOUN = "(?:" + alternation(EVENT_NOUNS) + ")"
_NAME = r"[^.!?\n]{0,60}?"  # the rest of the event's name, within the sentence

#: Which day of the event a post describes, from words that name its beginning or its end: ``first``
#: (``the Forum begins``, ``is about to begin``, ``opening session``, ``¡Empieza el Foro…!``, ``inauguración``,
#: ``ouverture du Forum``) and ``last`` (``comes to a close``, ``closing session``, ``se clausura``,
#: ``clôture du Forum``). ``Day N`` and ordinal words (``final day``, ``dernier jour``) are read by
#: :data:`EVENT_DAY_NUM`, :data:`EVENT_DAY_ORD` and :data:`EVENT_DAY_WORD`.
EVENT_MOMENT_CUES: dict[str, dict[str, list[str]]] = {
    "first": {
        "en": [
            (
                rf"{_NOUN}(?:\s+20\d\d)?\s+(?:is\s+)?"
                r"(?:about to (?:begin|start|kick off)|begins|starts|opens|kicks off)"
            ),
            rf"(?:official\s+)?opening(?:\s+(?:session|ceremony|plenary))?\s+of\s+(?:the\s+|our\s+){_NAME}{_NOUN}",
        ],
        "es": [
            rf"(?:empieza|comienza|arranca|inicia|abre)\s+(?:el|la)\s+{_NAME}{_NOUN}",
            rf"{_NOUN}{_NAME}\s+(?:está a punto de (?:empezar|comenzar)|arranca|empieza|comienza)",
            rf"inauguración\s+(?:oficial\s+)?del?\s+{_NAME}{_NOUN}",
        ],
        "fr": [
            rf"(?:ouverture|début|lancement)\s+(?:officiel(?:le)?\s+)?d[ue]s?\s+(?:la\s+|l['’])?{_NAME}{_NOUN}",
            rf"{_NOUN}{_NAME}\s+(?:est sur le point de commencer|commence|s['’]ouvre)",
        ],
    },
    "last": {
        "en": [
            rf"{_NOUN}(?:\s+20\d\d)?\s+(?:comes|came|is coming|draws|drew)\s+to\s+(?:a|an|its)\s+(?:close|end)",
            rf"clos(?:ing|e)\s+(?:session|ceremony|plenary|day)\s+of\s+(?:the\s+|our\s+){_NAME}{_NOUN}",
            rf"{_NOUN}(?:\s+20\d\d)?\s+(?:closes|ends|wraps up)\b",
        ],
        "es": [
            rf"(?:se\s+)?clausura\s+(?:del?\s+|el\s+|la\s+)?{_NAME}{_NOUN}",
            rf"{_NOUN}{_NAME}\s+se clausura",
            rf"cierre\s+del?\s+{_NAME}{_NOUN}",
            rf"{_NOUN}{_NAME}\s+(?:llega a su fin|termina hoy|concluye hoy)",
        ],
        "fr": [
            rf"clôture\s+d[ue]s?\s+(?:la\s+|l['’])?{_NAME}{_NOUN}",
            rf"{_NOUN}{_NAME}\s+(?:touche à sa fin|se termine|s['’]achève)",
        ],
    },
}

#: Ordinal words in ``first day``, ``primer día``, ``dernier jour``... -> day number (-1: the last day).
ORDINAL_WORDS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "final": -1,
    "last": -1,
    "closing": -1,
    "opening": 1,
    "primer": 1,
    "primera": 1,
    "segundo": 2,
    "segunda": 2,
    "tercer": 3,
    "tercera": 3,
    "cuarto": 4,
    "cuarta": 4,
    "quinto": 5,
    "quinta": 5,
    "último": -1,
    "última": -1,
    "ultimo": -1,
    "ultima": -1,
    "premier": 1,
    "première": 1,
    "deuxième": 2,
    "troisième": 3,
    "quatrième": 4,
    "cinquième": 5,
    "dernier": -1,
    "dernière": -1,
}
#: Number words after ``Day``/``Día``/``Jour``.
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "un": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
}
_DAY_WORD = r"(?:day|día|dia|jour|journée|jornada)"
#: ``Day 2``, ``Día 2``, ``#Día2``, ``jour 3``, ``jornada 2``, ``day two``; group 1: the number.
EVENT_DAY_NUM = r"(?i)(?:^|[^\p{L}])" + _DAY_WORD + r"\s*(\d{1,2}|" + alternation(NUMBER_WORDS) + r")" + B
#: ``4e jour``, ``2ème journée``, ``3º día``, ``2nd day``; group 1: the number.
EVENT_DAY_ORD = r"(?i)" + B + r"(\d{1,2})(?:e|er|ère|ème|eme|ᵉ|º|°|ª|o|a|st|nd|rd|th)\s+" + _DAY_WORD + B
#: ``first day``, ``final day``, ``primer día``, ``dernier jour``; group 1: the ordinal word, group 2 (when
#: present) marks a deadline (``último día de solicitudes``), which is not an event day.
EVENT_DAY_WORD = (
    r"(?i)(?:^|[^\p{L}])("
    + alternation(k for k in ORDINAL_WORDS if k not in ("closing", "opening"))
    + r")\s+"
    + _DAY_WORD
    + r"(\s+(?:de|for|to|pour|of)\s+(?:solicitud|inscrip|applica|apply|regist|candidat|submission))?"
)


def cue_pattern(table: dict) -> str:
    """One case-insensitive regex (a single group around the whole alternation) from a cue table: either
    ``{lang: [fragment, ...]}`` or a nesting of such dicts; ``\\b`` becomes an ASCII word boundary."""
    frags: list[str] = []

    def walk(t) -> None:
        for v in t.values():
            if isinstance(v, dict):
                walk(v)
            else:
                frags.extend(v)

    walk(table)
    return "(?i)(" + "|".join(f.replace(r"\b", B) for f in frags) + ")"
