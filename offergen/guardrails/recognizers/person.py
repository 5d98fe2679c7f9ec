"""Person names: capitalised word runs, a first/last-name dictionary, and the words around them.

No NER model runs here. A run of capitalised words is cut into name parts at words that are
never names (common English words, the knowledge base's own vocabulary, brands, the merchant);
each part is scored by the dictionary (a listed first name then a listed last name scores high,
an unlisted capitalised word low; an unlisted word with a surname's ending, "Batukayev", counts
as a listed last name) and by its context, read from the sentence's structure rather than from
set phrases: an honorific, a greeting, a job title before it, an initial beside it ("K. Obuya",
"Hannah K."), a verb after it (an adverb may sit between: "Nura just saved"; the line's own
language's verbs: "Sanne heeft", "Lukas hat"), or other names beside it ("Kleist and Arnold");
a listed name capitalised in mid-sentence ("Please forward this to Lisa", "escalated by
Fairweather"), addressed ("Kevin, call me"), alone on the line above an address or signing a
quote after a dash; less when it is a place (a country, a city after "in", a list of towns) or
a firm (a row of surnames, "Koret & Martens", a legal form after it). Title Case copy is told
by its common words, not by the capitals that names and addresses bring to any line.
Text written wholly in lower case has no capitals to go by: there, listed names that are no
common word are read as if capitalised, and score `boosts.lower_case` less unless a cue stands
before them or before the list they are in ("paid sarah back", "ask dominik or leona").
Beyond the sentence: the value of a name field is a name, in capitals or with bare initials too
("Name on card: J R Hollis", "signed for by OKAFOR"); a kinship word before a name ("my son
Oliver", "Oma Hilde"), a subject "from our team" or given a task ("Lindsey to send the deck"),
and a name that signs its line after a dash, a bracket or a possessive ("- Gareth, Cardiff",
"(Jürgen, 58)", "Deine Lena") count as context; a street word or ending ("rue des Lilas",
"Hendrikkade") and a town after a comma in a signature or after a street are no person.
German capitalises every noun, and the name lists hold many German and French words ("Konto",
"Wer", "Bonne"): on a German line a capitalised word in no name list is a noun, German words
the lists hold are common words, a capital in mid-sentence says nothing and only a listed first
name that starts the clause is the subject of a verb; anywhere, a word set off by a comma must
be a listed first name and no interjection ("Klar, ...") to be addressed, and a label before a
colon needs a name-list hit ("Hinweis: ...").
The dictionary is data built offline from names-dataset (guardrails/data/names/README.md); the
places are libphonenumber's country and area-code names (names/places.txt).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from offergen.guardrails.recognizers.base import (
    Recognition,
    RecognizerOptions,
    Scan,
    read_list,
    word_set,
    words,
)


class PersonScores(RecognizerOptions):
    """Base scores of a name part, before context."""

    first_last: float  # listed first name, then listed last name(s)
    listed: float  # every word listed, in another order
    listed_and_unknown: float  # at least one listed word, the others unlisted
    ambiguous_only: float  # listed words that are also common words ("Grace", "Will")
    unknown: float  # capitalised words found in no list
    single_listed: float
    single_unknown: float
    single_ambiguous: float


class PersonBoosts(RecognizerOptions):
    honorific: float
    greeting: float
    title: float
    cue: float
    possessive: float  # "Wendy's daughter"
    initial: float  # an initial right before or after it: "J. Castellanos", "Hannah K."
    speaker: float  # "Sandy: ..." at a line start (a dialogue)
    verb: float
    # Kinship right before it: "my son Oliver", "meine Schwester Annika", "Oma Hilde".
    kinship: float
    # A cue of `lower_case_cues` before a name in text without capitals ("paid sarah back").
    lower_case_cue: float
    # A clause's subject followed by "from" and where they work ("Mark from our team").
    affiliation: float
    name_list: float
    # A listed name capitalised in mid-sentence, not after a determiner ("to Lisa").
    mid_sentence: float
    # Addressed: at a line start before a comma ("Kevin, ..."), or after a comma at a clause end
    # ("Thanks again, Angela!").
    vocative: float
    # Alone on its line above a line with a figure (an address, a phone) or below a closing
    # ("Best regards,").
    own_line: float
    # Negative: a place preposition before a lone word ("in Paris"), an organisation word after.
    place: float
    # Negative: the run is a listed place: a country, a place of several words, or a city after
    # a preposition ("to Lisbon").
    place_name: float
    # Negative: a name read in text written wholly in lower case.
    lower_case: float
    organisation: float
    # Negative: one of several listed words is also a common word ("Grace Kelly" vs "Jane Doe").
    ambiguous_part: float
    # The score of the value of a name field ("Name on card: MARTA KOWALCZYK").
    field_value: float


class LanguageOptions(RecognizerOptions):
    """A language other than English whose words the name lists hold ("Konto", "Bonne")."""

    # Its function words, none an English one: a line with more of these than of
    # `english_words` (one at least) is in this language. A particle between two capitalised
    # words with one that is no marker ("von der", "de la") belongs to a name and does not count.
    markers: list[str]
    # Its words that the name lists hold (files like common_words_files): common words on its
    # lines, names elsewhere ("says van der Berg", "Mille" in Danish copy).
    common_words_files: list[str] = Field(default_factory=list)
    # It capitalises its nouns (German): on a line with `nouns_min` of its markers a capital in
    # mid-sentence says nothing, an English verb after a capital is none ("was" is "what"), and
    # a capitalised word in no name list is a noun unless a listed first name or an honorific
    # is right before it.
    capitalises_nouns: bool = False
    nouns_min: int = Field(default=2, ge=1)
    # Its verbs right after a subject ("Lukas hat ...", "Camille a ..."): on its lines these,
    # and the English `verbs` only where it does not capitalise its nouns ("was" is "what").
    verbs: list[str] = Field(default_factory=list)


class PersonOptions(RecognizerOptions):
    # One capitalised name word (regex); an initial ("Q.") and `particles` may sit between two.
    name_word: str
    particles: list[str] = Field(default_factory=list)
    # Word lists (files relative to the data file's folder, one entry a line).
    first_names_file: str
    last_names_file: str
    common_words_files: list[str] = Field(default_factory=list)
    # Words that are never a name, even when a name list has them (the knowledge base's own
    # vocabulary, offer words): files, and the lists below.
    never_name_files: list[str] = Field(default_factory=list)
    common_words: list[str] = Field(default_factory=list)
    months_and_days: list[str] = Field(default_factory=list)
    eu_function_words: list[str] = Field(default_factory=list)
    nationalities: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)
    brands_files: list[str] = Field(default_factory=list)
    greetings: list[str] = Field(default_factory=list)
    honorifics: list[str] = Field(default_factory=list)
    # Honorifics that are also other words ("Ocean Dr", "Don't Miss Out"): only at a clause
    # start or after a greeting.
    honorifics_need_context: list[str] = Field(default_factory=list)
    titles: list[str] = Field(default_factory=list)
    # Phrases (1-3 words) right before a name: "says", "call me", "friends like", "ship to".
    cues: list[str] = Field(default_factory=list)
    # Labels of a name field before a colon ("Name on card:", "First name:"): the value after
    # it, up to the next separator, is a name even in capitals or with bare initials. A label
    # ending in "by" needs no colon ("signed for by OKAFOR").
    field_labels: list[str] = Field(default_factory=list)
    # Kinship and relationship words right before a name ("my son Oliver", "Oma Hilde"); alone
    # they are no name ("Gros bisous, Mamie").
    kinship: list[str] = Field(default_factory=list)
    # Greetings that thank: after them a listed name that is also a word is addressed when a
    # comma follows ("Thanks Summer, ..."; not "Hello Summer").
    thanks: list[str] = Field(default_factory=list)
    # Words before a name in text without capitals ("send it to jamal", "thx chris"), beyond
    # `cues`.
    lower_case_cues: list[str] = Field(default_factory=list)
    # Possessives that sign a message before the name that ends it ("Deine Lena").
    signoff_words: list[str] = Field(default_factory=list)
    # Words after a clause's subject that say where the person works ("Mark from our team").
    affiliation_words: list[str] = Field(default_factory=list)
    # Words after a clause's subject that give them a task, as in meeting notes ("Lindsey to
    # send the deck").
    task_words: list[str] = Field(default_factory=list)
    # Street words before a street's name ("rue des Lilas") and endings of one-word street names
    # ("Prins Hendrikkade", "Goethestraße"): no person there.
    street_prefixes: list[str] = Field(default_factory=list)
    street_endings: list[str] = Field(default_factory=list)
    verbs: list[str] = Field(default_factory=list)
    joiners: list[str] = Field(default_factory=list)
    # Endings of surnames (Slavic, Nordic, Baltic, Greek, Romanian, Turkish, Caucasian): an
    # unlisted word with one is read as a listed last name ("Batukayev", "Jónmundsson").
    surname_endings: list[str] = Field(default_factory=list)
    # Adverbs between a subject and its verb ("Nura just saved ...").
    adverbs: list[str] = Field(default_factory=list)
    place_prepositions: list[str] = Field(default_factory=list)
    # Prepositions that make a listed place a place ("to Lisbon"), beyond place_prepositions.
    travel_prepositions: list[str] = Field(default_factory=list)
    organisation_words: list[str] = Field(default_factory=list)
    # Places of a firm that count after a name in lower case too ("Lagos branch", "Berlin
    # office"): no one is a branch.
    branch_words: list[str] = Field(default_factory=list)
    # Capitalised words that start a place name before a person's name ("North David",
    # "Lake Stephanie", "Saint Christiane").
    place_prefixes: list[str] = Field(default_factory=list)
    # Words before a name that make it a firm's ("Stichting", "Transportes").
    organisation_prefixes: list[str] = Field(default_factory=list)
    # Place names (file; countries marked with a leading '!').
    places_file: str | None = None
    # Phrases before a place ("returned to", "flights to"): the word after is a place.
    travel_phrases: list[str] = Field(default_factory=list)
    # Words right before a brand or a shop ("Shop Nike", "Book with Hertz"): a capital there
    # is a brand's.
    brand_cues: list[str] = Field(default_factory=list)
    # Words after which a capitalised word names a thing, not a person ("the Allen novel").
    determiners: list[str] = Field(default_factory=list)
    # A lower-case word ending so, right after a name, is a verb ("Cox scored").
    verb_endings: list[str] = Field(default_factory=list)
    # Closings above a signature ("Best regards,").
    closings: list[str] = Field(default_factory=list)
    # Other languages of the copy (German, French), told apart from English line by line.
    languages: dict[str, LanguageOptions] = Field(default_factory=dict)
    english_words: list[str] = Field(default_factory=list)
    # Interjections and sentence adverbs that stand before a comma at a clause start ("Klar,
    # ...", "Zack, ...", "Bref, ..."): set off by a comma, they are no one addressed.
    interjections: list[str] = Field(default_factory=list)
    # A line with at least this share of its (4 or more) words capitalised is Title Case copy.
    title_case_share: float = Field(default=0.6, ge=0, le=1)
    # ... of its common words, where it has at least this many (names and addresses are
    # capitalised in any copy); of all its words where it has fewer.
    title_case_common_min: int = Field(default=3, ge=1)
    max_words: int = Field(default=4, ge=1)
    scores: PersonScores
    boosts: PersonBoosts


_ADJACENT = re.compile(r"[^\W\d_][ \t:,(\"'\u201c\u2018]*$")
# What ends a clause before a name: no capital after it is in mid-sentence.
_CLAUSE_MARKS = ".!?:;-\u2013\u2014\u2022|/"
# Spaces and quotation marks around a name.
_OPENING = " \t\"'\u201c\u2018\u00ab"
_CLOSING = " \t\"'\u201d\u2019\u00bb"
_LETTERS = re.compile(r"[^\W\d_]+")
_NUMBERED = re.compile(r"[0-9][^\W_]*$")  # "12", "12b": a house number or a postcode
_WORD_BEFORE = re.compile(r"[^\W\d_]+\.?[ \t]+$")
# Initials right before a name ("J. Castellanos", "J.P. van den Heuvel") or one right after it
# ("Hannah K."): written with a full stop, and not after a capitalised word ("Zone A. Berlin").
_INITIALS_BEFORE = re.compile(r"(?<![\w.])(?:[A-Z]\.[ \t]?){1,3}[ \t]*$")
_INITIAL_AFTER = re.compile(r"[ \t]+[A-Z]\.(?![\w.])")
_CAPITAL_WORD_BEFORE = re.compile(r"[A-Z][^\W\d_]*[ \t]*$")
# A word right before a web domain's dot ("Bol.com"), a single word joined by '&' to another
# ("Harper & Finch").
_DOMAIN_AFTER = re.compile(r"\.[a-z]{2,}(?![\w])")
_AMPERSAND_BEFORE = re.compile(r"(?<![\w])([A-Z][^\W\d_]+)[ \t]*&[ \t]*$")
_AMPERSAND_AFTER = re.compile(r"[ \t]*&[ \t]*([A-Z][^\W\d_]+)(?![\w])")
_NEXT_CAPITAL = re.compile(r"[ \t]+[A-Z]")
# A dash that signs a quote or a line (the text is normalised: "—" reads "-"): after a closing
# quotation mark ('"... finally." — Olumide A.') or at the start of a line below a sign-off
# ending in a comma ("Talk soon,\n— Priyanka").
_ATTRIBUTION = re.compile(
    r"(?:[\"'\u201d\u2019\u00bb\u201c][ \t]*|,[ \t]*\n[ \t]*)[-\u2014\u2013][ \t]*$"
)
# The value of a name field: words or initials ("J R Hollis", "KEVIN J. O'BRIEN"), then what
# ends a field: a line end, a separator or a full stop.
_FIELD_WORD = r"(?:[^\W\d_]\.|[^\W\d_]+(?:['\u2019-][^\W\d_]+)*)"
_FIELD_VALUE = re.compile(rf"{_FIELD_WORD}(?:[ \t]+{_FIELD_WORD})*")
_FIELD_END = re.compile(r"[ \t]*(?:$|[\n|(),;<\[]|[-\u2013\u2014][ \t]|[.!?](?:\s|$))")
# Signing a line: after a spaced dash or an opening bracket ("Thinking of you - Henrik",
# "(Jürgen, 58)"), the name ends the line or its sentence, a place or an age after a comma at
# most (a fix may add a sentence after it: "- Henrik. Terms apply.").
_SPACED_DASH = re.compile(r"[ \t][-\u2013\u2014][ \t]")
_SIGN_BEFORE = re.compile(r"(?:[ \t][-\u2013\u2014]|\()[ \t]*$")
_SIGN_AFTER = re.compile(
    r"(?:,[ \t]*[^\W_][^\n,;().!]{0,30})?(?:[.!)]*[ \t]*(?:\n|$)|[.!)]+[ \t]+(?=[A-Z]))"
)
# Context is read at most this far from a name on its line: a text that is one long line (a
# thousand names joined by commas) would cost quadratic time otherwise.
_CONTEXT = 300
_SENTENCE = re.compile(r"[.!?]+[\"'\u201d\u2019)]*[ \t]+|\n")


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    key: str  # lower case
    after_initial: bool = False  # "Jane Q. Public": a word after an initial is a surname
    lowered: bool = False  # written in lower case (text without capitals)


@dataclass(frozen=True)
class _Line:
    """What the language of a line says about its capitals."""

    nouns: bool = False  # it capitalises its nouns (German): a capital alone is no name
    common: frozenset[str] = frozenset()  # its words that the name lists hold: no names there
    verbs: frozenset[str] | None = None  # its verbs after a subject; None: `verbs` (English)


_NO_LANGUAGE = _Line()

_Part = tuple[list[_Token], list[str], str | None]  # a name part's tokens, kinds, honorific


class _Parts(list[_Part]):
    """The name parts of one text, with the lists of names they form, each worked out once:
    a text of a thousand names joined by commas costs linear time, not quadratic."""

    def __init__(self) -> None:
        super().__init__()
        self.chains: dict[int, tuple[int, int]] = {}  # part -> (first, last) of its list
        self.kinds: dict[int, str | None] = {}  # a list's first part -> what the list is


@dataclass(frozen=True)
class _Language:
    markers: frozenset[str]
    common: frozenset[str]
    nouns: bool
    nouns_min: int
    verbs: frozenset[str]


def _line_start(text: str, at: int) -> int:
    """Where the line of `at` starts, or `_CONTEXT` characters before `at` on a longer line."""
    return max(text.rfind("\n", 0, at) + 1, at - _CONTEXT)


@functools.lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    """Lower case without accents: "José" and "Jose" meet in the lists."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.cache
def _lexicon(path: Path) -> frozenset[str]:
    entries = read_list(path.parent, path.name)
    return frozenset(e.lower() for e in entries) | frozenset(_fold(e) for e in entries)


class PersonRecognizer:
    name: ClassVar[str] = "person_name"
    Options: ClassVar[type[RecognizerOptions]] = PersonOptions

    def __init__(self, options: Any, data_dir: Path) -> None:
        o: PersonOptions = options
        self.o = o
        self._word = re.compile(o.name_word)
        particles = "|".join(re.escape(p) for p in sorted(o.particles, key=len, reverse=True))
        # What may separate two words of one name: spaces, an initial, particles.
        self._gap = re.compile(
            r"[ \t]+(?:[A-Z]\.?[ \t]+)?" + (rf"(?:(?:{particles})[ \t]+)*" if particles else "")
        )
        self._initial = re.compile(r"[A-Z]\.?[ \t]")
        self._first = _lexicon((data_dir / o.first_names_file).resolve())
        self._last = _lexicon((data_dir / o.last_names_file).resolve())
        never = set(
            word_set([*o.common_words, *o.months_and_days, *o.eu_function_words, *o.nationalities])
        )
        kb: set[str] = set()
        for name in o.never_name_files:
            kb |= _lexicon((data_dir / name).resolve())
        self._never = frozenset(never | kb)
        # The knowledge base's words may still be a surname after a first name ("Joshua Wood").
        self._kb_never = frozenset(kb - never)
        self._places: frozenset[str] = frozenset()
        self._countries: frozenset[str] = frozenset()
        if o.places_file:
            entries = read_list(data_dir, o.places_file)
            self._countries = frozenset(_fold(e[1:]) for e in entries if e.startswith("!"))
            self._places = self._countries | frozenset(
                _fold(e) for e in entries if not e.startswith("!")
            )
        self._determiners = word_set(o.determiners)
        self._brand_cues = word_set(o.brand_cues)
        self._travel_phrases = word_set(o.travel_phrases)
        self._closings = word_set(o.closings)
        self._interjections = word_set(o.interjections)
        self._particle_words = frozenset(p.lower() for p in o.particles)
        self._verb_endings = tuple(o.verb_endings)
        common: set[str] = set()
        for name in o.common_words_files:
            common |= _lexicon((data_dir / name).resolve())
        self._common = frozenset(common)
        self._languages_: list[_Language] = []
        for lang in o.languages.values():
            local: set[str] = set()
            for name in lang.common_words_files:
                local |= _lexicon((data_dir / name).resolve())
            self._languages_.append(
                _Language(
                    word_set(lang.markers),
                    frozenset(local),
                    lang.capitalises_nouns,
                    lang.nouns_min,
                    word_set(lang.verbs),
                )
            )
        # A listed name that is a word in any of the languages is no name in lower-case text.
        self._any_common = frozenset().union(*(lang.common for lang in self._languages_))
        self._english = word_set(o.english_words)
        brands = [*o.brands, *(b for name in o.brands_files for b in read_list(data_dir, name))]
        self._brands = word_set(brands)
        self._brand_span = max((len(b.split()) for b in self._brands), default=0)
        # Brands written with '&' or an apostrophe ("Marks & Spencer", "Wendy's") are found in
        # the text itself: the runs split them at the '&' or the 's.
        marked = sorted((b for b in brands if "&" in b or "'" in b), key=len, reverse=True)
        self._marked_brands = re.compile(
            r"(?<![\w])(?:"
            + "|".join(re.escape(b).replace("'", "['\u2019]") for b in marked)
            + r")(?![\w])"
            if marked
            else r"(?!)"
        )
        self._brand_words = frozenset(w for b in self._brands for w in b.split())
        self._greetings = word_set(o.greetings)
        self._greeting_words = frozenset(w for g in self._greetings for w in g.split())
        self._honorifics = word_set(o.honorifics)
        self._need_context = word_set(o.honorifics_need_context)
        self._titles = word_set(o.titles)
        self._verbs = word_set(o.verbs)
        self._joiners = word_set(o.joiners)
        self._adverbs = word_set(o.adverbs)
        endings = sorted({_fold(e) for e in o.surname_endings}, key=len, reverse=True)
        self._surname_ending = re.compile(
            "(?:" + "|".join(map(re.escape, endings)) + ")$" if endings else r"(?!)"
        )
        joiners = "|".join(re.escape(j) for j in o.joiners)
        self._joiner_gap = re.compile(
            rf"[ \t]*(?:,|&)[ \t]*|(?:[ \t]*,)?[ \t]+(?:{joiners})[ \t]+"
            if joiners
            else r"[ \t]*,[ \t]*"
        )
        self._place_preps = word_set(o.place_prepositions)
        self._travel_preps = self._place_preps | word_set(o.travel_prepositions)
        self._branch_words = word_set(o.branch_words)
        self._organisations = word_set(o.organisation_words) | self._branch_words
        self._organisation_prefixes = word_set(o.organisation_prefixes)
        self._cues = word_set(o.cues)
        self._cue_words = frozenset(c for c in self._cues if " " not in c)
        particles_before = "|".join(
            re.escape(p) for p in sorted(o.particles, key=len, reverse=True)
        )
        self._particles_before = re.compile(
            rf"(?<![\w])(?:(?:{particles_before})[ \t]+)+$" if particles_before else r"(?!)"
        )
        self._place_prefixes = word_set(o.place_prefixes)
        self._kinship = word_set(o.kinship)
        self._thanks = word_set(o.thanks)
        self._lower_cues = self._cues | word_set(o.lower_case_cues)
        self._signoff_words = word_set(o.signoff_words)
        self._affiliation = word_set(o.affiliation_words)
        self._task_words = word_set(o.task_words)
        self._street_prefixes = word_set(o.street_prefixes)
        street_endings = sorted({_fold(e) for e in o.street_endings}, key=len, reverse=True)
        self._street_ending = re.compile(
            "(?:" + "|".join(map(re.escape, street_endings)) + ")$" if street_endings else r"(?!)"
        )
        self._field_label = self._label_pattern(o.field_labels)
        # What may stand before the name in a field's value ("Attn: Mrs Adeyemi").
        self._field_lead = self._honorifics | self._titles | self._kinship
        self._stops = (
            self._greeting_words
            | self._honorifics
            | self._titles
            | self._organisations
            | word_set(o.organisation_prefixes)
            | self._place_prefixes
            | self._kinship
            | self._street_prefixes
        )

    @staticmethod
    def _label_pattern(labels: list[str]) -> re.Pattern[str]:
        """A field label at a line start or after a separator, then its colon (none needed after
        "by": "signed for by OKAFOR")."""
        if not labels:
            return re.compile(r"(?!)")
        keys = sorted(word_set(labels), key=len, reverse=True)
        alternatives = "|".join(r"[ \t]+".join(map(re.escape, k.split())) for k in keys)
        return re.compile(
            rf"(?:^|(?<=[\n|(,;.:\u2013\u2014-]))[ \t]*(?P<label>{alternatives})"
            r"(?:[ \t]*:|(?<=by)(?=[ \t]))[ \t]*",
            re.IGNORECASE | re.MULTILINE,
        )

    # -- tokens and runs -------------------------------------------------------------------

    def _shadow(self, text: str) -> tuple[str, frozenset[int]]:
        """In each sentence without a capital, listed names that are no common word capitalised
        (same length); and where they start."""
        chars = list(text)
        starts: list[int] = []
        pos = 0
        for m in _SENTENCE.finditer(text + "\n"):
            sentence = text[pos : m.start()]
            if sentence.strip() and not any(ch.isupper() for ch in sentence):
                self._shadow_sentence(text, pos, m.start(), chars, starts)
            pos = m.end()
        return ("".join(chars), frozenset(starts)) if starts else (text, frozenset())

    def _shadow_sentence(
        self, text: str, start: int, end: int, chars: list[str], starts: list[int]
    ) -> None:
        tokens = list(_LETTERS.finditer(text, start, end))
        listed = [self._plain_name(m.group()) for m in tokens]
        for i, m in enumerate(tokens):
            key = m.group()
            follows = i > 0 and listed[i - 1] and self._in(tokens[i - 1].group(), self._first)
            if not listed[i]:
                if (
                    len(key) == 1
                    and i > 0
                    and listed[i - 1]
                    and i + 1 < len(tokens)
                    and listed[i + 1]
                ):
                    pass  # an initial between two names: "ansel m masson"
                elif not (
                    follows
                    and len(key) > 2
                    and key not in self._never
                    and key not in self._common
                    and key not in self._stops
                ):
                    continue  # an unlisted word after a listed first name: its surname
            chars[m.start()] = chars[m.start()].upper()
            starts.append(m.start())

    def _plain_name(self, key: str) -> bool:
        """A listed name that is no common word, no stop and no word that is never a name."""
        return (
            len(key) > 1
            and key not in self._never
            and key not in self._common
            and key not in self._any_common
            and key not in self._stops
            and self._listed(key)
        )

    def _runs(self, text: str, lowered: frozenset[int] = frozenset()) -> Iterator[list[_Token]]:
        """Runs of capitalised words that may be one name (spaces, initials, particles between;
        a full stop only after an honorific: "Mrs. Garcia")."""
        run: list[_Token] = []
        for m in self._word.finditer(text):
            token = _Token(m.start(), m.end(), m.group().lower(), lowered=m.start() in lowered)
            if run:
                prev = run[-1]
                gap = self._gap.fullmatch(text, prev.end, token.start)
                if (
                    gap is None
                    and prev.key in self._honorifics
                    and text[prev.end : prev.end + 1] == "."
                ):
                    gap = self._gap.fullmatch(text, prev.end + 1, token.start)
                if gap is None:
                    yield run
                    run = []
                elif self._initial.search(gap.group()):
                    token = _Token(token.start, token.end, token.key, True, token.lowered)
            run.append(token)
        if run:
            yield run

    def _kind(self, token: _Token, line: _Line = _NO_LANGUAGE) -> str:
        """'name' (listed, not a common word), 'ambiguous' (listed and common), 'common',
        'unknown', or 'stop' (a greeting, honorific or title: context, never a name)."""
        key = token.key
        if key in self._stops:
            return "stop"
        if key in self._never or self._street_name(key):
            return "common"
        listed = self._listed(key) or (
            "-" in key and all(self._listed(p) for p in key.split("-"))  # Smith-Jones
        )
        if token.after_initial:
            return "name"
        common = key in self._common or key in line.common
        if listed:
            return "ambiguous" if common else "name"
        if common:
            return "common"
        return "name" if self._surname_shape(key) else "unknown"

    def _street_name(self, key: str) -> bool:
        """A one-word street name ("Hendrikkade", "Goethestraße"), its stem three letters at
        least."""
        m = self._street_ending.search(_fold(key))
        return m is not None and m.start() >= 3

    def _surname_shape(self, key: str) -> bool:
        """An unlisted word with a surname's ending ("Batukayev", "Jónmundsson"), its stem three
        letters at least."""
        m = self._surname_ending.search(_fold(key))
        return m is not None and m.start() >= 3

    def _is_last(self, key: str) -> bool:
        return self._in(key, self._last) or (not self._listed(key) and self._surname_shape(key))

    def _listed(self, key: str) -> bool:
        folded = _fold(key)
        return (
            key in self._first or key in self._last or folded in self._first or folded in self._last
        )

    # -- analysis --------------------------------------------------------------------------

    def analyze(self, scan: Scan) -> list[Recognition]:
        text = scan.text
        lowered: frozenset[int] = frozenset()
        if not text.isupper() and any(ch.islower() for ch in text):
            text, lowered = self._shadow(text)
        lines = self._languages(text)
        parts = _Parts()
        marked = [m.span() for m in self._marked_brands.finditer(text)]
        for run in self._runs(text, lowered):
            if any(s < run[-1].end and run[0].start < e for s, e in marked):
                continue
            keys = [w for t in run for w in words(t.key)]
            if any(w in scan.merchant_words for w in keys):
                continue  # the merchant's own name ("Jane Doe Bakery")
            if _DOMAIN_AFTER.match(text, run[-1].end):
                continue  # a web address ("Bol.com")
            # A one-word brand ("Douglas") only stands alone; "Kirk Douglas" is a person.
            if self._brand_words.intersection(keys) and self._has_brand(keys):
                continue
            line = lines.get(text.rfind("\n", 0, run[0].start) + 1, _NO_LANGUAGE)
            parts.extend(self._name_parts(text, run, line))
        found = []
        for i, (tokens, kinds, honorific) in enumerate(parts):
            line = lines.get(text.rfind("\n", 0, tokens[0].start) + 1, _NO_LANGUAGE)
            hit = self._score(text, tokens, kinds, honorific, parts, i, line)
            if hit is not None:
                found.append(hit)
        found.extend(self._fields(text, scan.merchant_words))
        return found

    def _fields(self, text: str, merchant: frozenset[str]) -> Iterator[Recognition]:
        """The values of name fields ("Name on card: MARTA KOWALCZYK | Expiry ..."): a label
        says what the value is, so capitals and bare initials do not matter."""
        for label in self._field_label.finditer(text):
            value = _FIELD_VALUE.match(text, label.end())
            if value is None:
                continue
            span = self._field_name(text, value.start(), value.end(), merchant)
            # It ends the field, or a place preposition follows ("R. Douglas at 10:42").
            if span is not None and (span[1] < value.end() or _FIELD_END.match(text, span[1])):
                name = " ".join(words(label.group("label")))
                yield Recognition(
                    span[0],
                    span[1],
                    self.o.boosts.field_value,
                    f"the value of the field '{name.capitalize()}:'",
                )

    def _field_name(
        self, text: str, start: int, end: int, merchant: frozenset[str] = frozenset()
    ) -> tuple[int, int] | None:
        """The name in a field's value, after any honorific, title or kinship word ("Grandpa
        Joe"); None where a word is no name (a common word, the merchant, a brand written
        in CamelCase, a place: "All customers", "Attn: PayPal", "Attn: Lisbon")."""
        found: tuple[int, int] | None = None
        for m in re.finditer(r"\S+", text[start:end]):
            word = m.group().rstrip(".")
            key = word.lower()
            if len(word) == 1 and word.isupper():
                pass  # an initial
            elif not word[:1].isupper():
                if found is not None and key in self._place_preps:
                    break
                if key not in self._particle_words:
                    return None
            elif found is None and key in self._field_lead:
                continue  # "Mrs Adeyemi", "Grandpa Joe"
            elif (
                key in self._never
                or key in self._stops
                or key in merchant
                or (key in self._common and not self._listed(key))
                or not (word.isupper() or self._word.fullmatch(word))
            ):
                return None
            lo, hi = start + m.start(), start + m.start() + len(word)
            found = (lo if found is None else found[0], hi)
        if found is None:
            return None
        value = words(text[found[0] : found[1]])
        # one word that is a brand ("Attn: Douglas") or a place; "R. Douglas" is a person
        if not any(len(w) > 1 for w in value) or _fold(" ".join(value)) in self._places:
            return None
        if len(value) == 1 and value[0] in self._brands:
            return None
        # one word in capitals may be a firm's acronym ("collected by DHL"): a listed name only
        written = text[found[0] : found[1]]
        if len(value) == 1 and written.isupper() and not self._listed(value[0]):
            return None
        return found

    def _has_brand(self, keys: list[str]) -> bool:
        """A brand of several words among the run's words, or a one-word brand alone."""
        if len(keys) == 1:
            return keys[0] in self._brands
        return any(
            " ".join(keys[i : i + n]) in self._brands
            for n in range(2, min(self._brand_span, len(keys)) + 1)
            for i in range(len(keys) - n + 1)
        )

    def _languages(self, text: str) -> dict[int, _Line]:
        """By line start, the lines in one of `languages`: more of its markers than of English
        words, and more than of another language's."""
        if not self._languages_:
            return {}
        found: dict[int, _Line] = {}
        for line in re.finditer(r"[^\n]+", text):
            tokens = _LETTERS.findall(line.group())
            keys = [t.lower() for t in tokens]
            best, best_hits = None, sum(k in self._english for k in keys)
            for lang in self._languages_:
                hits = sum(
                    1
                    for j, key in enumerate(keys)
                    if key in lang.markers and not self._in_a_name(tokens, j, lang.markers)
                )
                if hits > best_hits:
                    best, best_hits = lang, hits
            if best is not None:
                nouns = best.nouns and best_hits >= best.nouns_min
                verbs = best.verbs if nouns else best.verbs | self._verbs
                found[line.start()] = _Line(nouns, best.common, verbs)
        return found

    def _in_a_name(self, tokens: list[str], j: int, markers: frozenset[str]) -> bool:
        """`tokens[j]` is a particle between two capitalised words beside one that is no marker
        of the language: part of a name ("Ursula von der Leyen", "Ana de la Cruz"); a lone "der"
        there is an article ("Ende der Aktion")."""
        if tokens[j] not in self._particle_words:
            return False
        lo, hi = j - 1, j + 1
        while lo >= 0 and tokens[lo] in self._particle_words:
            lo -= 1
        while hi < len(tokens) and tokens[hi] in self._particle_words:
            hi += 1
        if lo < 0 or hi >= len(tokens):
            return False
        foreign = any(t not in markers for t in tokens[lo + 1 : hi])
        return foreign and tokens[lo][:1].isupper() and tokens[hi][:1].isupper()

    def _name_parts(
        self, text: str, run: list[_Token], line: _Line = _NO_LANGUAGE
    ) -> Iterator[tuple[list[_Token], list[str], str | None]]:
        """Split a run at words that are no names; keep an honorific right before a part. On a
        line that capitalises its nouns, a capitalised word in no name list is a noun unless it
        follows a listed first name ("Anna Kowalczyk") or an honorific."""
        part: list[_Token] = []
        kinds: list[str] = []
        honorific: str | None = None
        for i, token in enumerate(run):
            kind = self._kind(token, line)
            if (
                line.nouns
                and kind == "unknown"
                and not token.after_initial
                and not (part and kinds[-1] == "name" and self._is_first(part[-1].key))
                and not (honorific is not None and not part)
            ):
                kind = "common"
            if (
                kind in ("ambiguous", "name")
                and not part
                and i + 1 < len(run)
                and token.key in self._cue_words
            ):
                continue  # a cue written capitalised before the name: "Ring Ernst Novak"
            if (
                kind == "common"
                and part
                and kinds[-1] == "name"
                and token.key in self._kb_never
                and self._in(token.key, self._last)
            ) or (
                kind == "stop"
                and part
                and kinds[-1] == "name"
                and token.key in self._titles
                and self._in(token.key, self._last)
                and self._in(part[-1].key, self._first)
            ):
                # A knowledge-base word or a title as a listed surname: "Joshua Wood",
                # "Richard King".
                kind = "ambiguous"  # a knowledge-base word as a listed surname: "Joshua Wood"
            if token.key in self._honorifics and self._honorific_here(text, run, i):
                if part:
                    yield part, kinds, honorific
                part, kinds, honorific = [], [], token.key
                continue
            # A listed first name that is also a word joins only before a listed last name:
            # "Grace Kelly", "Will Smith"; not "May Sale", "Rose Gold".
            is_name = (
                kind in ("name", "unknown")
                or (kind == "ambiguous" and (bool(part) or self._starts_full_name(run, i, line)))
                # Right after an honorific any capitalised word is the name: "Mr. Brown".
                or (honorific is not None and not part and kind != "stop")
            )
            if is_name and len(part) < self.o.max_words:
                part.append(token)
                kinds.append(kind)
                continue
            if part:
                yield part, kinds, honorific
            part, kinds, honorific = [], [], None
            if is_name or kind == "ambiguous":
                part, kinds = [token], [kind]  # a lone ambiguous word scores low
        if part:
            yield part, kinds, honorific

    def _starts_full_name(self, run: list[_Token], i: int, line: _Line = _NO_LANGUAGE) -> bool:
        if i + 1 >= len(run) or not self._in(run[i].key, self._first):
            return False
        nxt = run[i + 1]
        return self._kind(nxt, line) == "name" and self._is_last(nxt.key)

    @staticmethod
    def _in(key: str, lexicon: frozenset[str]) -> bool:
        return key in lexicon or _fold(key) in lexicon

    def _honorific_here(self, text: str, run: list[_Token], i: int) -> bool:
        token = run[i]
        if i + 1 >= len(run):
            return False  # nothing after it to be the name
        if token.key not in self._need_context:
            return True
        # "Ocean Dr Miami": only at a clause start or right after a greeting.
        if i > 0:
            return run[i - 1].key in self._greeting_words
        before = text[max(0, token.start - 40) : token.start].rstrip(" \t")
        if not before or not before[-1].isalpha():
            return True
        prev = words(before)
        return bool(prev) and prev[-1] in self._greeting_words

    def _score(
        self,
        text: str,
        tokens: list[_Token],
        kinds: list[str],
        honorific: str | None,
        parts: _Parts,
        i: int,
        line: _Line = _NO_LANGUAGE,
    ) -> Recognition | None:
        s, b = self.o.scores, self.o.boosts
        start, end = tokens[0].start, tokens[-1].end
        named = sum(k == "name" for k in kinds)
        ambiguous = sum(k == "ambiguous" for k in kinds)
        if len(tokens) == 1:
            kind = kinds[0]
            score, why = {
                "name": (s.single_listed, "a listed name"),
                "ambiguous": (s.single_ambiguous, "a listed name that is also a common word"),
                "unknown": (s.single_unknown, "a capitalised word"),
                # only right after an honorific ("Mr. Black")
                "common": (s.single_ambiguous, "a common word"),
                "stop": (s.single_ambiguous, "a common word"),
            }[kind]
        else:
            listed = named + ambiguous
            first_ok = self._in(tokens[0].key, self._first)
            last_ok = self._is_last(tokens[-1].key)
            if named == 0 and ambiguous and "unknown" in kinds and first_ok:
                # "Faith Oduya": a listed first name that is also a word, then no English word
                score, why = s.listed_and_unknown, "a listed first name beside capitalised words"
            elif named == 0:
                score, why = (
                    (s.ambiguous_only, "listed names that are also common words")
                    if ambiguous
                    else (s.unknown, "capitalised words in no name list")
                )
            elif listed == len(tokens) and first_ok and last_ok:
                score, why = s.first_last, "a listed first name and a listed last name"
            elif listed == len(tokens):
                score, why = s.listed, "listed names"
            else:
                score, why = s.listed_and_unknown, "a listed name beside capitalised words"
            if ambiguous:
                score -= b.ambiguous_part
        reasons = [why]
        if tokens[0].lowered:
            score -= b.lower_case
            reasons.append("in text without capitals")
        # Context is read on the same line: a job title on the line above is no title of this.
        line_start = _line_start(text, start)
        # Lower-case particles before the name belong to it: "says van der Pol".
        particles = self._particles_before.search(text, max(line_start, start - 30), start)
        if particles is not None and particles.start() > line_start:
            start = particles.start()
        prev = words(text[max(line_start, start - 40) : start])
        # A title or cue counts only right before the name ("Producer Svitlana"), not a few
        # words back ("Calle Mayor 5 Madrid").
        adjacent = (
            bool(prev) and _ADJACENT.search(text, max(line_start, start - 40), start) is not None
        )
        if (
            honorific is None
            and prev
            and prev[-1] in self._honorifics
            and prev[-1] not in self._need_context  # "Ocean Dr Miami"
            and _WORD_BEFORE.search(text, max(line_start, start - 20), start) is not None
        ):
            honorific = prev[-1]  # written in lower case: "with ms. Garcia"
        greeting = self._phrase_before(self._same_sentence(text, start, prev), self._greetings)
        # An honorific or a greeting outweighs a place reading ("Hey Georgia!").
        strong = honorific is not None or greeting is not None
        context = True
        if honorific is not None:
            score += b.honorific
            reasons.append(f"after the honorific '{honorific.title()}'")
            start = self._honorific_start(text, start)
        elif greeting is not None:
            # "Hello Summer", "Hi June" greet a season; "Thanks Summer, ..." a person.
            thanked = greeting.lower() in self._thanks and text[end : end + 1] == ","
            if len(tokens) > 1 or kinds[0] != "ambiguous" or thanked:
                score += b.greeting
                reasons.append(f"after the greeting '{greeting}'")
        elif adjacent and prev[-1] in self._titles:
            if not self._job_title_part(prev, kinds):
                score += b.title
                reasons.append(f"after the title '{prev[-1]}'")
        elif adjacent and prev[-1] in self._kinship:
            score += b.kinship
            reasons.append(f"after the kinship word '{prev[-1]}'")
        elif tokens[0].lowered and (cue := self._lower_case_cue(text, parts, i)) is not None:
            score += b.lower_case_cue
            reasons.append(f"after '{cue}' in text without capitals")
        elif adjacent and (cue := self._phrase_before(prev, self._cues)) is not None:
            score += b.cue
            reasons.append(f"after '{cue.lower()}'")
            score += self._capital_bonus(text, line_start, start, prev, kinds, reasons)
        elif prev and prev[-1] in self._place_preps and named < 2:
            # Two listed names that are no words are a person's: "from Stephanie Lin".
            score -= b.place
            reasons.append(f"after '{prev[-1]}'")
        elif (travel := self._phrase_before(prev, self._travel_phrases)) is not None:
            score -= b.place
            reasons.append(f"after '{travel.lower()}'")
        else:
            context = False
        place = self._place(text, tokens, line)
        if (
            place is not None
            and not strong
            and (
                place != "city"
                or (prev and prev[-1] in self._travel_preps and prev[-1] not in self._place_preps)
            )
        ):
            score -= b.place_name
            reasons.append(f"a listed {place if place != 'several' else 'place'} name")
        if honorific is None and (initials := self._initials(text, line_start, start, end)):
            start, end = initials
            score += b.initial
            reasons.append("beside an initial")
        if text[end : end + 2] in ("'s", "\u2019s"):
            # "Sharon's daughter"; not a shop or a brand: "Sam's Club", "at Kohl's, ...".
            owned = text[end + 2 : end + 3] == " " and text[end + 3 : end + 4].islower()
            if owned and not (prev and prev[-1] in self._brand_cues):
                score += b.possessive
                reasons.append("before a possessive 's")
        elif (
            self._speaker_label(text, tokens)
            # A name-list hit, or a dialogue around it: "Bot: ...", "Note: ...", "Systemprompt:
            # ..." are no speakers.
            and ("name" in kinds or self._dialogue(text, parts, i))
        ):
            score += b.speaker
            reasons.append("as a speaker label at a line start")
        elif self._own_line(text, line_start, start, end):
            score += b.own_line
            reasons.append("alone on its line in an address or a signature")
        elif _ATTRIBUTION.search(text, max(0, line_start - 2), start) and not _NEXT_CAPITAL.match(
            text, end
        ):  # not a title or a publication's name: "— Forbes Advisor"
            score += b.own_line
            reasons.append("signing a quote or a line (after a dash)")
        elif (
            ("name" in kinds or (len(tokens) > 1 and "ambiguous" in kinds))
            and place is None
            and self._signs_line(text, line_start, start, end)
        ):
            score += b.own_line
            reasons.append("signing the line (after a dash or a bracket, at its end)")
        elif (
            "name" in kinds
            # a town may be a first name too ("Deine Lena"); "Dein Berlin" is a slogan
            and (place is None or self._is_first(tokens[0].key))
            and self._signed_off(text, line_start, start, end, prev)
        ):
            score += b.own_line
            reasons.append(f"signing the message after '{prev[-1]}'")
        elif (
            self._addressable(tokens, kinds, line)
            and self._vocative(text, line_start, start, end)
            # "- Avis client vérifié, Lyon": a town in a signature
            and not (
                self._town_after_comma(text, line_start, start, end, place)
                and _SPACED_DASH.search(text, line_start, start) is not None
            )
        ):
            score += b.vocative
            reasons.append("addressed (set off by a comma)")
        elif (
            not context
            and place in (None, "city")
            and not self._town_after_comma(text, line_start, start, end, place)
            and len(tokens) == 1
            and kinds[0] == "name"
            # A surname alone may be a firm's: not after a joiner ("Rivera, Hill and Malone"),
            # nor two joined by a hyphen ("Mccarthy-Sherman").
            # A lone surname that is also a listed town is the town ("flights from Hamburg").
            and (
                self._is_first(tokens[0].key)
                or not (
                    place is not None
                    or "-" in tokens[0].key
                    or (prev and prev[-1] in self._joiners)
                )
            )
            and not tokens[0].lowered
            and not (prev and self._phrase_before(prev, self._brand_cues) is not None)
            and not line.nouns
            and self._mid_sentence(text, line_start, start, prev)
        ):
            score += b.mid_sentence
            reasons.append("capitalised in mid-sentence")
        nxt = words(text[end : end + 30])
        # The verbs are the line's language's: on a German line "was" is "what" ("Mach, was
        # ..."), and a capital before a verb is a noun unless it is a listed first name that
        # starts the clause ("Lukas hat ...", not "Feinkost Berger gibt ...").
        # An adverb may come between ("Nura just saved"); a verb written capitalised is Title
        # Case copy, no sign of a subject ("Your Summer Getaway Starts Here").
        written = _LETTERS.findall(text, end, end + 30)
        skip = 1 if nxt[:1] and nxt[0] in self._adverbs else 0
        verb = nxt[skip:]
        if (
            verb
            and written[skip][:1].islower()
            and (
                not line.nouns
                or (
                    kinds[0] == "name"
                    and self._is_first(tokens[0].key)
                    and self._clause_start(text, line_start, start)
                )
            )
            and text[end : end + 1] in (" ", ",")
            and self._is_verb(verb[0], text, end, line)
        ):
            score += b.verb
            reasons.append(f"before '{verb[0]}'")
        if ("name" in kinds or "ambiguous" in kinds) and self._affiliated(
            text, line_start, start, end, nxt, place
        ):
            score += b.affiliation
            reasons.append(f"before '{nxt[0]}' and where they work")
        elif kinds == ["name"] and place is None and self._assigned(text, line_start, start, end):
            score += b.verb
            reasons.append("given a task ('... to <verb>')")
        if nxt and text[end : end + 1] == " " and (org := self._organisation_after(text, end, nxt)):
            score -= b.organisation
            reasons.append(f"before '{org}'")
        elif adjacent and prev[-1] in self._organisation_prefixes:
            score -= b.organisation
            reasons.append(f"after '{prev[-1]}'")
        elif adjacent and prev[-1] in self._street_prefixes:
            score -= b.organisation
            reasons.append(f"after the street word '{prev[-1]}'")
        listed_in = self._in_name_list(text, parts, i)
        if listed_in is None and self._ampersand_firm(text, tokens):
            listed_in = "firm"
        if listed_in == "firm":
            score -= b.organisation
            reasons.append("in a list of surnames that names a firm")
        elif listed_in == "places" and place is not None and not strong:
            score -= b.place_name
            reasons.append("a listed place in a list of places")
        elif listed_in == "names" and ("name" in kinds or (len(tokens) > 1 and "unknown" in kinds)):
            score += b.name_list
            reasons.append("in a list of names")
        if score <= 0:
            return None
        return Recognition(start, end, min(1.0, score), "; ".join(reasons))

    def _place(self, text: str, tokens: list[_Token], line: _Line = _NO_LANGUAGE) -> str | None:
        """'country', 'several' (a place of several words) or 'city' when the run is a listed
        place; 'several' too right after a capitalised place prefix ("North David") and for a
        country among words that are no listed names (an agency, a brand: "France Travail")."""
        before = _WORD_BEFORE.search(text, max(0, tokens[0].start - 12), tokens[0].start)
        if before is not None:
            word = before.group().strip(" \t.")
            if word[:1].isupper() and word.lower() in self._place_prefixes:
                return "several"
        if not self._places:
            return None
        key = _fold(" ".join(w for t in tokens for w in words(t.key)))
        if key in self._countries:
            return "country"
        if key in self._places:
            return "several" if len(tokens) > 1 else "city"
        countries = [t for t in tokens if _fold(t.key) in self._countries]
        if (
            len(tokens) > 1
            and countries
            and all(t in countries or self._kind(t, line) != "name" for t in tokens)
        ):
            return "several"  # a country among words that are no names: "France Travail"
        return None

    @staticmethod
    def _initials(text: str, line_start: int, start: int, end: int) -> tuple[int, int] | None:
        """The span with the initials right before the name ("J. Castellanos") or the one right
        after it ("Hannah K."); None without."""
        before = _INITIALS_BEFORE.search(text, line_start, start)
        if before is not None and not _CAPITAL_WORD_BEFORE.search(text, line_start, before.start()):
            return before.start(), end
        after = _INITIAL_AFTER.match(text, end)
        if after is not None:
            return start, after.end()
        return None

    def _organisation_after(self, text: str, end: int, nxt: list[str]) -> str | None:
        """An organisation word (or two: "a s", "et fils") right after the name; a legal form
        that is also a common word counts only capitalised ("Berg AS", not "Berg as a user")."""
        for phrase in (" ".join(nxt[:2]), nxt[0]):
            if phrase in self._organisations:
                # the first letter after it: "(as printed on card)" is no legal form
                written = _LETTERS.search(text, end, end + 40)
                lower = written is not None and written.group()[:1].islower()
                common = phrase in self._common and phrase not in self._branch_words
                return None if common and lower else phrase
        return None

    def _is_verb(self, word: str, text: str, end: int, line: _Line = _NO_LANGUAGE) -> bool:
        if word in (self._verbs if line.verbs is None else line.verbs):
            return True
        # "Cox scored": a lower-case past tense right after the name.
        return (
            not line.nouns
            and len(word) > 4
            and word.endswith(self._verb_endings)
            and text[end : end + 1] == " "
            and text[end + 1 : end + 2].islower()
        )

    @staticmethod
    def _speaker_label(text: str, tokens: list[_Token]) -> bool:
        """At a line start, right before a colon: "Sandy: ..."."""
        start, end = tokens[0].start, tokens[-1].end
        line_start = _line_start(text, start)
        return text[end : end + 1] == ":" and not text[line_start:start].strip()

    def _dialogue(self, text: str, parts: _Parts, i: int) -> bool:
        """Another line of the text starts with a speaker label that is a listed name or this
        one again: a dialogue."""
        own = [t.key for t in parts[i][0]]
        return any(
            j != i
            and self._speaker_label(text, tokens)
            and ("name" in kinds or [t.key for t in tokens] == own)
            for j, (tokens, kinds, _) in enumerate(parts)
        )

    def _addressable(self, tokens: list[_Token], kinds: list[str], line: _Line) -> bool:
        """What may be addressed: several name words, or one listed name that is no
        interjection ("Kevin, ..."; not "Klar, ...", "Zack, ..."); on a German line, where
        every noun and imperative is capitalised, a listed first name ("Mach, was ...")."""
        if len(tokens) > 1:
            return "name" in kinds and tokens[0].key not in self._interjections
        key = tokens[0].key
        if kinds[0] != "name" or key in self._interjections:
            return False
        return not line.nouns or self._is_first(key)

    def _mid_sentence(self, text: str, line_start: int, start: int, prev: list[str]) -> bool:
        """Capitalised where a common word would not be: not at a line, sentence or clause
        start, not after a determiner or a place preposition, not in Title Case copy (a line in
        a language that capitalises its nouns is left out before)."""
        before = text[line_start:start].rstrip(_OPENING + "(")
        if not before or before[-1] in _CLAUSE_MARKS or _NUMBERED.search(before) or not prev:
            return False  # a line, sentence or clause start; after a number: an address
        if prev[-1] in self._determiners or prev[-1] in self._place_preps:
            return False
        if len(prev) > 1 and prev[-2] in self._determiners and prev[-1] in self._common:
            return False  # after a determiner and an adjective: "the new Morrison report"
        line_end = text.find("\n", start, start + _CONTEXT)
        line = text[line_start : min(len(text), start + _CONTEXT) if line_end < 0 else line_end]
        return not self._title_case(line)

    def _title_case(self, line: str) -> bool:
        """Title Case copy: at least `title_case_share` of the line's (4 or more) words
        capitalised, counting its common words only where it has a few ("Thank You For Shopping
        With Douglas"): names and an address on the line are capitalised in any copy ("Hermann
        Josef had given Maren his address: 6 Kathleen-Hornich-Gasse")."""
        line_words: list[str] = _LETTERS.findall(line)
        if len(line_words) < 4:
            return False
        common = [w for w in line_words if w.lower() in self._common or w.lower() in self._never]
        counted = common if len(common) >= self.o.title_case_common_min else line_words
        capitals = sum(w[0].isupper() for w in counted)
        return capitals >= self.o.title_case_share * len(counted)

    @staticmethod
    def _clause_start(text: str, line_start: int, start: int) -> bool:
        before = text[line_start:start].rstrip(_OPENING + "(")
        return not before or before[-1] in _CLAUSE_MARKS

    def _vocative(self, text: str, line_start: int, start: int, end: int) -> bool:
        """Set off by commas as one addressed: "Kevin, ...", "..., Angela!", "me, Theo?"."""
        before = text[line_start:start].rstrip(_OPENING)
        after = text[end : end + 3].lstrip(_CLOSING)
        if not before or before[-1] in ".!?":
            return after[:1] in (",", "!", "?")
        # "..., 28001 Madrid." or "Calle Mayor 5, Madrid": a town after an address, no one
        # addressed.
        clause = before.rstrip(",").rsplit(",", 1)[-1]
        if any(ch.isdigit() for ch in clause[-25:]):
            return False
        # "... on Jackson Avenue, Charlotte.": a town after a street
        last = words(clause[-25:])
        if last and last[-1] in self._organisations:
            return False
        return before[-1] == "," and (after == "" or after[:1] in ("!", "?", ".", "\n"))

    def _capital_bonus(
        self,
        text: str,
        line_start: int,
        start: int,
        prev: list[str],
        kinds: list[str],
        reasons: list[str],
    ) -> float:
        """After a cue, listed names that are also words count when capitalised in
        mid-sentence, where the words would not be ("thank you to Grace for ...", "placed by
        Mark Brown")."""
        if set(kinds) != {"ambiguous"} or not self._mid_sentence(text, line_start, start, prev):
            return 0.0
        reasons.append("capitalised in mid-sentence")
        return self.o.boosts.mid_sentence

    def _job_title_part(self, prev: list[str], kinds: list[str]) -> bool:
        """One unlisted word after a title after a determiner is the title's own ("El Director
        Comercial", "the Sales Director Europe"), no one's name."""
        return kinds == ["unknown"] and len(prev) > 1 and prev[-2] in self._determiners

    @staticmethod
    def _town_after_comma(
        text: str, line_start: int, start: int, end: int, place: str | None
    ) -> bool:
        """A listed town after a comma and before no '!' or '?' ends an address or a signature
        ("Verified buyer, London", "Avis client vérifié, Lyon"), no one addressed."""
        if place != "city" or not text[line_start:start].rstrip(_OPENING).endswith(","):
            return False
        return text[end : end + 3].lstrip(_CLOSING)[:1] not in ("!", "?")

    def _lower_case_cue(self, text: str, parts: _Parts, i: int) -> str | None:
        """A cue right before the name, or before the first of a list of names it is in ("ask
        dominik or leona"), in text without capitals."""
        first = self._chain(text, parts, i)[0]
        lead = parts[first][0][0].start
        line_start = _line_start(text, lead)
        lo = max(line_start, lead - 40)
        if _ADJACENT.search(text, lo, lead) is None:
            return None
        cue = self._phrase_before(words(text[lo:lead]), self._lower_cues)
        return None if cue is None else cue.lower()

    def _signs_line(self, text: str, line_start: int, start: int, end: int) -> bool:
        """After a spaced dash or an opening bracket, at the end of its line (a place or an
        age after a comma at most): "Thinking of you - Henrik", "- Gareth, Cardiff",
        "(Jürgen, 58)"."""
        return (
            _SIGN_BEFORE.search(text, line_start, start) is not None
            and _SIGN_AFTER.match(text, end) is not None
        )

    def _signed_off(
        self, text: str, line_start: int, start: int, end: int, prev: list[str]
    ) -> bool:
        """After a possessive that starts its clause, at the end of the line: "Alles Gute!
        Deine Lena" (not "Réserve ta Clio")."""
        if not prev or prev[-1] not in self._signoff_words:
            return False
        before = _WORD_BEFORE.search(text, max(line_start, start - 20), start)
        if before is None or not self._clause_start(text, line_start, before.start()):
            return False
        return _SIGN_AFTER.match(text, end) is not None

    def _affiliated(
        self,
        text: str,
        line_start: int,
        start: int,
        end: int,
        nxt: list[str],
        place: str | None,
    ) -> bool:
        """A clause's subject, then "from" and a team, a branch or a town: "Mark from our
        team", "Obinna from Manchester"; a place before a place is none ("Rome from Milan")."""
        if len(nxt) < 2 or nxt[0] not in self._affiliation:
            return False
        if not self._clause_start(text, line_start, start):
            return False
        line_end = text.find("\n", end)
        after = _LETTERS.findall(text, end, min(end + 40, len(text) if line_end < 0 else line_end))
        if len(after) < 2:
            return False
        return nxt[1] in self._determiners or (after[1][:1].isupper() and place is None)

    def _assigned(self, text: str, line_start: int, start: int, end: int) -> bool:
        """A clause's subject given a task, as in meeting notes: "Lindsey to send the deck",
        "Felipe to model the economics" (not "Paris to Berlin", "Anna to the rescue")."""
        after = _LETTERS.findall(text, end, end + 40)
        return (
            len(after) > 1
            and after[0] in self._task_words
            and after[1][:1].islower()
            and after[1] not in self._determiners
            and text[end : end + 1] == " "
            and self._clause_start(text, line_start, start)
        )

    def _own_line(self, text: str, line_start: int, start: int, end: int) -> bool:
        """Alone on its line, above a line with a figure or below a closing."""
        line_end = text.find("\n", end)
        if text[line_start:start].strip() or text[
            end : len(text) if line_end < 0 else line_end
        ].strip(" \t,"):
            return False
        below = (
            [ln for ln in text[line_end + 1 :].split("\n") if ln.strip()] if line_end >= 0 else []
        )
        # A name of several words may head a block of a few lines (a job, a firm, a street).
        reach = 4 if len(words(text[start:end])) > 1 else 1
        if any(any(ch.isdigit() for ch in ln) for ln in below[:reach]):
            return True
        above = [ln for ln in text[: max(0, line_start - 1)].split("\n") if ln.strip()]
        return bool(above) and self._phrase_before(words(above[-1]), self._closings) is not None

    @staticmethod
    def _same_sentence(text: str, start: int, prev: list[str]) -> list[str]:
        """The words of `prev` after the last sentence end before `start`: a greeting that ends
        its sentence ("exclamation marks welcome. Tagline") is no greeting of the next word."""
        cut = max(text.rfind(mark, max(0, start - 40), start) for mark in ".!?")
        return prev if cut < 0 else prev[len(prev) - len(words(text[cut + 1 : start])) :]

    @staticmethod
    def _phrase_before(prev: list[str], phrases: frozenset[str]) -> str | None:
        for n in (3, 2, 1):
            if len(prev) >= n and " ".join(prev[-n:]) in phrases:
                return " ".join(prev[-n:]).title()
        return None

    def _honorific_start(self, text: str, start: int) -> int:
        m = re.search(r"[^\W\d_]+\.?[ \t]+$", text[max(0, start - 20) : start])
        return start - (len(m.group()) if m else 0)

    def _in_name_list(self, text: str, parts: _Parts, i: int) -> str | None:
        """What a list around it is: 'names', 'firm' (a firm's name) or 'places'; None outside
        a list. Exactly one other listed name beside it, joined by 'and', '&', ',' or 'or'
        ("Kleist and Arnold"); a longer chain mostly of first names ("Olga, Maria, Kyle and
        Donna"): surnames in a row are more often a firm ("Barnett, Melton and Garcia"), and so
        are single words joined by '&' ("Koret & Martens"). A list followed by an organisation
        word ("Jensen & Larsen ApS", "Perera y Pons S.L.") is a firm's name; one with a listed
        place that is no first name, or one right after "to", is a list of places ("a Milano,
        Napoli e San Marino")."""
        first, last = self._chain(text, parts, i)
        if first not in parts.kinds:
            parts.kinds[first] = self._list_kind(text, parts, first, last)
        return parts.kinds[first]

    def _list_kind(self, text: str, parts: _Parts, first: int, last: int) -> str | None:
        chain = last - first + 1
        if chain == 1:
            return None
        tail = parts[last][0][-1].end
        nxt = words(text[tail : tail + 30])
        if nxt and self._organisation_after(text, tail, nxt):
            return "firm"
        members = [parts[k] for k in range(first, last + 1)]
        lead = words(text[max(0, members[0][0][0].start - 20) : members[0][0][0].start])
        after_travel = bool(lead) and lead[-1] in self._travel_preps
        if any(
            self._place(text, tokens) is not None
            and (not self._is_first(tokens[0].key) or (k == 0 and after_travel))
            for k, (tokens, _, _) in enumerate(members)
        ):
            return "places"
        gap = text[members[0][0][-1].end : members[1][0][0].start]
        if lead and lead[-1] in self._place_preps:
            # "bei Müller und Schmidt": a shop's or a place's name; "at Koret & Martens": a firm
            return "firm" if "&" in gap else None
        firsts = sum(self._is_first(tokens[0].key) for tokens, _, _ in members)
        if chain == 2:
            single = all(len(tokens) == 1 for tokens, _, _ in members)
            if "&" in gap and (firsts == 0 or (firsts == 1 and single)):
                return "firm"
            return "names" if all("name" in kinds for _, kinds, _ in members) else None
        if firsts * 3 >= chain * 2:
            return "names"
        return "firm"  # "Rivera, Hill and Malone": a row of surnames is a firm

    def _chain(self, text: str, parts: _Parts, i: int) -> tuple[int, int]:
        """The first and last part of the list of names that part `i` is in ((i, i) outside a
        list); recorded for every part of the list."""
        if i not in parts.chains:
            first = last = i
            while first > 0 and self._joined(text, parts, first - 1, first):
                first -= 1
            while last + 1 < len(parts) and self._joined(text, parts, last, last + 1):
                last += 1
            parts.chains.update(dict.fromkeys(range(first, last + 1), (first, last)))
        return parts.chains[i]

    def _ampersand_firm(self, text: str, tokens: list[_Token]) -> bool:
        """One word joined by '&' to one other word, not both listed first names: "Harper &
        Finch" (a firm), not "Tom & Anna" nor "Mark Brennan & Faith Oduya"."""
        if len(tokens) != 1:
            return False
        start, end = tokens[0].start, tokens[0].end
        before = _AMPERSAND_BEFORE.search(text, max(0, start - 30), start)
        if before is not None:
            other = before.group(1)
            lo = before.start(1)
            several = _CAPITAL_WORD_BEFORE.search(text, max(0, lo - 30), lo) is not None
        else:
            after = _AMPERSAND_AFTER.match(text, end)
            if after is None:
                return False
            other = after.group(1)
            several = _NEXT_CAPITAL.match(text, after.end()) is not None
        if several:
            return False
        return not (self._is_first(tokens[0].key) and self._is_first(other.lower()))

    def _is_first(self, key: str) -> bool:
        """A listed first name, or a hyphenated one of listed first names ("Karl-Heinrich")."""
        if self._in(key, self._first):
            return True
        return "-" in key and all(self._in(p, self._first) for p in key.split("-"))

    def _joined(self, text: str, parts: _Parts, a: int, b: int) -> bool:
        # Both listed names; in a longer list one may be unlisted ("Marija, Ilja and Karl").
        kinds_a, kinds_b = parts[a][1], parts[b][1]
        if "name" not in kinds_a and "name" not in kinds_b:
            return False
        if not {"name", "unknown"} & set(kinds_a) or not {"name", "unknown"} & set(kinds_b):
            return False
        return (
            self._joiner_gap.fullmatch(text, parts[a][0][-1].end, parts[b][0][0].start) is not None
        )
