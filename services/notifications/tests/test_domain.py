from services.notifications.domain import recipients_for


def test_default_rules_route_facts_to_the_organisations_that_act_on_them():
    assert recipients_for("participant.released") == ["municipality", "probation"]
    assert recipients_for("placement.started") == ["municipality", "pi", "probation",
                                                   "social-service"]
    assert recipients_for("employer.registered") == []
