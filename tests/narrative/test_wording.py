"""How numbers become words (`analysis.narrative.wording`): nouns that agree, lists, bounds that
never understate, and "more" only when a test says so."""

from __future__ import annotations

import pytest

from analysis.narrative.wording import at_most, counted, joined, more_than


def test_joined():
    assert joined([]) == ""
    assert joined(["a"]) == "a"
    assert joined(["a", "b"]) == "a and b"
    assert joined(["a", "b", "c"]) == "a, b and c"


def test_counted():
    assert counted(1, "paper") == "1 paper"
    assert counted(0, "paper") == "0 papers"
    assert counted(2, "entry", "entries") == "2 entries"
    assert counted(1, "entry", "entries") == "1 entry"


@pytest.mark.parametrize(
    "x, bound",
    [
        (0.0045, "0.005"),
        (0.004, "0.004"),
        (0.04, "0.04"),
        (0.5, "0.5"),
        (0.00003, "3e-05"),
        (2.2e-5, "3e-05"),
        (0.0411, "0.05"),
    ],
)
def test_an_upper_bound_is_never_below_the_value(x, bound):
    assert at_most(x) == bound
    assert float(at_most(x)) >= x


def test_more_only_when_the_sign_test_says_so():
    how, p = more_than(59, 54)  # decoder-only against encoder-decoder mentions here
    assert how == "about as many" and p > 0.5
    assert more_than(80, 40)[0] == "more"
    assert more_than(40, 80)[0] == "fewer"
    assert more_than(0, 0) == ("about as many", 1.0)
