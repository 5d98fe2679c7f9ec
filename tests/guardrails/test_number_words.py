"""Number words: the value of cardinals and ordinals in English, German and French, the runs the
grammar rejects, and regexes that find a whole number and nothing else."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from offergen.guardrails.number_words import NumberWords, NumberWordsData

DATA = Path(__file__).resolve().parents[2] / "guardrails" / "data" / "numbers.yaml"


@pytest.fixture(scope="module")
def words() -> NumberWords:
    # The shipped word lists: the values below are what a reader of each language expects.
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return NumberWords(
        {
            name: NumberWordsData.model_validate(lang["words"])
            for name, lang in raw["languages"].items()
        }
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # English
        ("zero", 0),
        ("four", 4),
        ("twelve", 12),
        ("twenty-four", 24),
        ("twenty four", 24),
        ("ninety-nine", 99),
        ("hundred", 100),
        ("one hundred", 100),
        ("one hundred and fifty", 150),
        ("two thousand", 2000),
        ("two thousand five hundred", 2500),
        ("Twelve", 12),
        # German
        ("vier", 4),
        ("zwölf", 12),
        ("sechzehn", 16),
        ("siebzig", 70),
        ("einundzwanzig", 21),
        ("vierundzwanzig", 24),
        ("neunundneunzig", 99),
        ("hundert", 100),
        ("zweihundertfünfzig", 250),
        ("tausendfünfhundert", 1500),
        ("zehntausend", 10000),
        ("Zwölf", 12),
        # French
        ("quatre", 4),
        ("douze", 12),
        ("dix-sept", 17),
        ("vingt et un", 21),
        ("vingt-et-un", 21),
        ("vingt-quatre", 24),
        ("soixante-dix", 70),
        ("soixante et onze", 71),
        ("soixante-dix-sept", 77),
        ("quatre-vingts", 80),
        ("quatre-vingt-douze", 92),
        ("quatre-vingt-dix-neuf", 99),
        ("cent", 100),
        ("deux cents", 200),
        ("cinq cent cinquante", 550),
        ("mille", 1000),
        ("deux mille cinq cents", 2500),
    ],
)
def test_cardinals(words: NumberWords, text: str, value: int) -> None:
    assert words.value(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("first", 1),
        ("second", 2),
        ("twenty-first", 21),
        ("thirty-first", 31),
        ("thirtieth", 30),
        ("erste", 1),
        ("ersten", 1),
        ("achte", 8),
        ("zwanzigsten", 20),
        ("einunddreißigsten", 31),
        ("premier", 1),
        ("deuxième", 2),
        ("vingt et unième", 21),
        ("trente et unième", 31),
    ],
)
def test_ordinals(words: NumberWords, text: str, value: int) -> None:
    assert words.value(text, ordinal=True) == value
    assert words.value(text) is None  # an ordinal is no count


@pytest.mark.parametrize(
    "text",
    [
        "five and ten",  # two numbers
        "four twenty",  # the unit comes first only with "und"
        "twenty fourteen",  # a ten takes a unit, not a teen
        "vingt-dix",  # only 60 and 80 take a teen in French
        "zwanzigundvier",  # "und" puts the unit first
        "one two",
        "hundred hundred",
        "thousand thousand",
        "twenty and",
        "six cents euros",
        "",
    ],
)
def test_runs_the_grammar_rejects_have_no_value(words: NumberWords, text: str) -> None:
    assert words.value(text) is None


def test_one_number_never_mixes_languages(words: NumberWords) -> None:
    # "twenty" (English) and "quatre" (French) are no number together.
    assert words.value("twenty quatre") is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("for twenty-four months", "twenty-four"),
        ("für vierundzwanzig Monate", "vierundzwanzig"),
        ("pendant quatre-vingt-dix jours", "quatre-vingt-dix"),
        ("Einfach bezahlen", None),  # "ein" + "fach" is a word of its own
        ("often, someone, attend", None),  # words that contain number words
        ("Achtung", None),
    ],
)
def test_the_cardinal_pattern_finds_whole_runs(
    words: NumberWords, text: str, found: str | None
) -> None:
    m = re.search(words.pattern(), text)
    assert (m.group() if m else None) == found


def test_the_ordinal_pattern_finds_compound_ordinals(words: NumberWords) -> None:
    pattern = re.compile(words.pattern(ordinal=True))
    for text, found in [
        ("am einunddreißigsten Dezember", "einunddreißigsten"),
        ("the thirty-first of May", "thirty-first"),
        ("die achte Woche", "achte"),
        ("le trente et unième jour", "trente et unième"),
    ]:
        m = pattern.search(text)
        assert m is not None and m.group() == found


def test_the_pattern_can_be_limited_to_some_languages(words: NumberWords) -> None:
    french = re.compile(words.pattern(["fr"]))
    assert french.search("douze mois") is not None
    assert french.search("twelve months") is None


def test_a_long_run_of_number_words_is_matched_in_linear_time(words: NumberWords) -> None:
    # Tokens that also split into smaller tokens ("quatre-vingt" = "quatre" + "vingt") must not
    # make the regex try every split: the guard reads untrusted model output.
    text = "quatre-vingt " * 2000 + "!"
    pattern = re.compile(words.pattern())
    start = time.perf_counter()
    matches = pattern.findall(text)
    assert time.perf_counter() - start < 1.0
    assert matches


@pytest.mark.parametrize(
    "data",
    [
        {"cardinals": {"hundred": 200}},
        {"cardinals": {"one": 1}, "ordinals": {"zeroth": 0}},
        {"cardinals": {"twenty one": 21}},
        {"cardinals": {}},
    ],
)
def test_bad_word_data_is_rejected(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        NumberWordsData.model_validate(data)
