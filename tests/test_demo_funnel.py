"""The demo prints the funnel it measured beside the one it planned and names where they
differ (run against the whole chain in tests/test_chain_e2e.py)."""
from doorstroom.demo import print_funnels

PLANNED = {"registered": 10, "admitted": 9, "trained": 8, "matched": 7, "placed": 7}


def test_the_funnels_side_by_side_and_where_they_differ(capsys):
    measured = {**PLANNED, "trained": 7, "placed": 6}
    assert print_funnels(PLANNED, measured) == ["trained", "placed"]
    assert capsys.readouterr().out.splitlines() == [
        "stage         planned  measured",
        "registered         10        10",
        "admitted            9         9",
        "trained             8         7   <- differs",
        "matched             7         7",
        "placed              7         6   <- differs",
    ]


def test_funnels_that_agree_differ_nowhere(capsys):
    assert print_funnels(PLANNED, dict(PLANNED)) == []
    assert "differs" not in capsys.readouterr().out
