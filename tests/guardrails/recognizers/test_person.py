"""The person-name recognizer (offergen/guardrails/recognizers/person.py), through the pii check:
names that need no template cue (initials, surname endings, a verb or an adverb and a verb after
a subject, a lone surname in mid-sentence, signatures after a dash, verbs and thanks of the EU
languages), and the lists, firms, places and addresses that must stay no names."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.pii import PiiCheck, PiiParams
from offergen.guardrails.recognizers.person import PersonRecognizer
from offergen.schemas import Channel, Jurisdiction, OfferKind, OfferTerms, Severity, Unit

CTX = CheckContext(
    offer=OfferTerms(kind=OfferKind.cashback, merchant="FreshMart", value=10, unit=Unit.percent),
    channel=Channel.email,
    jurisdiction=Jurisdiction.EU,
)


@pytest.fixture(scope="module")
def pii() -> PiiCheck:
    return PiiCheck(PiiParams(), Severity.block)


def _names(check: PiiCheck, text: str) -> list[str]:
    return [text[f.start : f.end] for f in check.check(text, CTX) if f.rule_id == "pii.person_name"]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        # an initial before or after the name
        ("Driver note: left at front desk, signed by K. Obuya.", "K. Obuya"),
        ("Monthly Draw results: E. Fitzgerald, S. Patel, H. Yamamoto.", "H. Yamamoto"),
        ('"No foreign transaction fees, finally." - Olumide A.', "Olumide A."),
        # an unlisted word with a surname's ending is a last name
        ("Nura Masaev just saved 60 EUR with FreshMart's cash back.", "Nura Masaev"),
        ("You can tell she was a huge Dzhamalay Batukayev fan.", "Dzhamalay Batukayev"),
        # a verb (or an adverb and a verb) after the subject, in English and the EU languages
        ("Kenji prefers paper statements, so please mail them.", "Kenji"),
        ("Sanne heeft je uitgenodigd. Open een rekening.", "Sanne"),
        ("Lukas hat dich eingeladen! Eröffne dein Konto bis Freitag.", "Lukas"),
        ("Esperanza revisó los movimientos de su cuenta ayer.", "Esperanza"),
        # a lone listed surname in mid-sentence
        ("The complaint was escalated by Fairweather on Friday.", "Fairweather"),
        # the Title Case test counts common words: names and an address do not make Title Case
        ("Hermann Josef had given Maren his address: 6-7 Kathleen-Hornich-Gasse", "Maren"),
        # two listed names after a place preposition are a person
        ("You received $120 from Stephanie Lin. It's in your balance now.", "Stephanie Lin"),
        # honorifics written out or declined, thanks and "according to" in the EU languages
        ("Bitte beim Nachbarn Herrn Özdemir im Erdgeschoss abgeben.", "Herrn Özdemir"),
        ("Dank je, Anouk, voor je feedback over de app.", "Anouk"),
        ("Laut Schimanski wurde die Lastschrift zurückgegeben.", "Schimanski"),
        ("Your advisor (Tamsin) will reach out within two business days.", "Tamsin"),
        # a listed first name that is also a word, before no English word
        ("Mark Brennan and Faith Oduya joined the call.", "Faith Oduya"),
        # unlisted full names in a list of listed ones
        ("Attendees: Hiroshi Tanaka, Beatriz Costa, Callum Reid.", "Hiroshi Tanaka"),
        # the person a card or a payment names
        ("Name on card: Thanh Hương Phạm", "Thanh Hương Phạm"),
        # a dash that signs a quote or a sign-off
        ("Talk soon,\n- Priyanka (she/her)\nGrowth Marketing", "Priyanka"),
    ],
)
def test_names_without_a_cue(pii: PiiCheck, text: str, span: str) -> None:
    assert span in _names(pii, text)


@pytest.mark.parametrize(
    "text",
    [
        # lists of places, not of names
        "Envío gratuito a Barcelona, Valencia y San Sebastián.",
        "Spedizione gratuita a Milano, Napoli e San Marino.",
        "Gratis verzending naar Amsterdam, Rotterdam en Den Haag.",
        # a web address, a publication after a dash, single words joined by '&'
        "Klant: ik heb een dubbele afschrijving van Bol.com gezien.",
        '"Fast, simple, reliable." - Forbes Advisor',
        "Save at Koret & Martens until Sunday.",
        # a German surname before a German verb in mid-sentence is a shop's
        "Gutscheine von Feinkost Berger gibt es nur solange der Vorrat reicht.",
        # a plural noun is no verb; a verb written capitalised is Title Case copy
        "Austin hotels are 20% off this weekend.",
        "Your Summer Getaway Starts Here: No Foreign Transaction Fees",
        # a lone surname after a determiner and an adjective, or after a joiner
        "The new Morrison report is out.",
        "Earn 2% at Rivera, Hill and Malone this month.",
    ],
)
def test_not_names(pii: PiiCheck, text: str) -> None:
    assert _names(pii, text) == []


def test_two_first_names_joined_by_an_ampersand_are_people(pii: PiiCheck) -> None:
    assert _names(pii, "Thanks Tom & Anna!") == ["Tom", "Anna"]


def test_an_initial_is_part_of_the_span_and_explained(pii: PiiCheck) -> None:
    (finding,) = pii.check("Received by: K. Obuya at 10:42 AM", CTX)
    assert "beside an initial" in finding.explanation
    assert "Obuya" not in finding.explanation


@pytest.mark.parametrize(
    ("text", "span"),
    [
        # the value of a name field, in capitals or with bare initials
        ("Name on card: MARTA KOWALCZYK | Expiry: 09/27", "MARTA KOWALCZYK"),
        ("Name on card: J R Hollis", "J R Hollis"),
        ("Delivered - signed for by OKAFOR.", "OKAFOR"),
        ("Attendees: Hiroshi Tanaka, Beatriz Costa. Apologies: Nadia.", "Nadia"),
        # "as" in brackets after the name is no legal form ("Berg AS")
        ("Card holder: Nguyen Thi Lan (as printed on card)", "Nguyen Thi Lan"),
        # a kinship word right before the name
        ("My son Oliver used my card without permission.", "Oliver"),
        ("Ich habe das Geld an meine Schwester Annika überwiesen.", "Annika"),
        # a subject and where they work; who sent a note
        ("Mark from our team picked his favourite deals for you.", "Mark"),
        ("Note from Siddharth: please ring her back before 5.", "Siddharth"),
        # a task in meeting notes
        ("AI: Lindsey to send the deck by EOD.", "Lindsey"),
        # a name that signs the line after a dash, a bracket or a possessive
        ("Get well soon. Thinking of you - Henrik", "Henrik"),
        ("Sehr zufrieden, nur die App könnte schneller sein. (Jürgen, 58)", "Jürgen"),
        ("Für Oma Hilde - alles Gute! Deine Lena", "Lena"),
        # a cue before a name, or before the list it is in, in text without capitals
        ("hey can u send the money to jamal instead", "jamal"),
        ("ask dominik or leona, they set up the direct debit", "leona"),
        # a listed name that is also a word: thanked before a comma, capitalised after a cue
        ("Thanks Summer, the payment link worked perfectly.", "Summer"),
        ("Order placed by Mark Brown; deliver to the back door.", "Mark Brown"),
        ("A special thank you to Grace for organising the event.", "Grace"),
        # birthday wishes in the EU languages greet
        ("Bon anniversaire Théo ! Gros bisous", "Théo"),
    ],
)
def test_names_in_context(pii: PiiCheck, text: str, span: str) -> None:
    assert span in _names(pii, text)


@pytest.mark.parametrize(
    "text",
    [
        # a kinship word alone is no name; a greeting is no thanks ("Hello Summer")
        "Gros bisous, Mamie",
        "Hello Summer, we are back with new deals.",
        # a field whose value is no name, a label that is part of another one
        "Name: Gold Rewards card",
        "Product name: Aster",
        "Attn: PayPal",
        "Collected by DHL.",
        # no task: a place, a determiner after "to"
        "Anna to the rescue!",
        # in text without capitals, a firm is as likely after "for"
        "i used to work for mizuho financial as a teller",
        # streets, a town after a street or in a signature, a job title's own word
        "Loyer avril - appartement rue des Lilas",
        "Nieuwe winkel geopend aan de Prins Hendrikkade in Amsterdam.",
        "Parcel held at the depot on Jackson Avenue, Charlotte.",
        "Verified buyer, London - 4/5, wish there were more currencies.",
        "« Application claire. » - Avis client vérifié, Lyon",
        "El Director Comercial presentará los resultados el jueves.",
        # a firm's branch after a town
        "Transfer to Lagos branch account confirmed.",
        # a place after a dash signs nothing
        "Free delivery on all orders - London",
        # number words of the copy's languages are in no name list ("Drei" is a name in the
        # leaked data's lists of some countries of origin)
        "Drei Monate ohne Zinsen mit der Karte.",
    ],
)
def test_not_names_in_context(pii: PiiCheck, text: str) -> None:
    assert _names(pii, text) == []


def test_a_field_value_is_explained_by_its_label(pii: PiiCheck) -> None:
    (finding,) = pii.check("Name on card: MARTA KOWALCZYK", CTX)
    assert "the value of the field 'Name on card:'" in finding.explanation
    assert "MARTA" not in finding.explanation


def test_a_long_list_of_names_is_read_in_linear_time(
    pii: PiiCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A text that is one list of a thousand names: each pair of neighbours is compared a bounded
    # number of times and the list judged once (it was once per name, over the whole list).
    calls: Counter[str] = Counter()

    def counting(name: str) -> Callable[..., object]:
        original = getattr(PersonRecognizer, name)

        def wrapper(self: PersonRecognizer, *args: object) -> object:
            calls[name] += 1
            return original(self, *args)

        return wrapper

    for name in ("_joined", "_list_kind"):
        monkeypatch.setattr(PersonRecognizer, name, counting(name))
    names = _names(pii, ", ".join(["Anna Berg", "Tom Weiss"] * 500))
    assert len(names) == 1000
    assert calls["_list_kind"] == 1
    assert calls["_joined"] <= 3 * 1000
