"""Places in the chain's rules are CBS municipality codes: a code or an exact name is taken, any
other spelling is refused, so no rule can be passed by writing a place differently."""
import pytest

from shared.contracts.municipalities import (ALSO_CALLED, MUNICIPALITIES, meant,
                                             municipality_code, named)
from shared.contracts.vocabulary import MUNICIPALITY_LOCATIONS


def test_the_list_is_cbs_classification_of_2025():
    assert len(MUNICIPALITIES) == 342
    assert all(len(code) == 4 and code.isdigit() for code in MUNICIPALITIES)
    assert len(set(MUNICIPALITIES.values())) == len(MUNICIPALITIES)
    assert MUNICIPALITIES["0512"] == "Gorinchem" and MUNICIPALITIES["1992"] == "Voorne aan Zee"
    assert not {"0501", "0530", "0614", "0457"} & set(MUNICIPALITIES)  # merged before 2025
    assert set(ALSO_CALLED.values()) <= set(MUNICIPALITIES)
    assert set(MUNICIPALITY_LOCATIONS) <= set(MUNICIPALITIES)


@pytest.mark.parametrize("given, code", [
    ("0512", "0512"), ("GM0512", "0512"), ("Gorinchem", "0512"), ("'s-Gravenhage", "0518"),
    ("Den Haag", "0518"), ("Súdwest-Fryslân", "1900"), ("Nuenen, Gerwen en Nederwetten", "0820"),
])
def test_a_code_or_an_exact_name_gives_the_code(given, code):
    assert municipality_code(given) == code


@pytest.mark.parametrize("given", [
    "gorinchem", "Gorinchem ", " Gorinchem", "Gorin\u200bchem", "Gorinchem\u00a0", "GORINCHEM",
    "gm0512", "512", "GM512", "05120", "9999", "0501", "", "Nergenshuizen",
])
def test_any_other_spelling_names_no_municipality(given):
    assert municipality_code(given) is None


def test_a_misspelling_is_answered_with_what_it_most_likely_means():
    assert meant("gorin\u200bchem\u00a0") == ("0512", "Gorinchem")
    assert meant("sudwest fryslan") is None  # accents are part of the name
    assert meant("Nergenshuizen") is None


def test_people_read_a_code_with_its_name():
    assert named("0505") == "Dordrecht (0505)"
    assert named("9999") == "9999"
