from datetime import date

import pytest

from services.training.domain import Programme, Status
from shared.errors import Conflict, Invalid

DAY = date(2026, 11, 2)


def test_a_programme_starts_with_employee_skills_then_the_preferred_route():
    programme = Programme.enrol("p", ["logistics", "cleaning"], DAY)
    assert programme.modules == ("employee-skills", "forklift")
    assert programme.planned_end == date(2026, 12, 14)


def test_passing_every_module_awards_certificates_and_completes():
    programme = Programme.enrol("p", ["construction"], DAY)
    assert programme.record_result("employee-skills", True, DAY).expires_on is None
    vca = programme.record_result("vca-basic", True, DAY)
    assert (vca.certificate, vca.expires_on) == ("vca-basic", date(2036, 11, 2))
    assert programme.status is Status.COMPLETED


def test_a_failed_module_earns_nothing_and_can_be_retaken():
    programme = Programme.enrol("p", [], DAY)
    assert programme.record_result("employee-skills", False, DAY) is None
    assert programme.record_result("employee-skills", True, DAY) is not None


def test_refused_results():
    programme = Programme.enrol("p", [], DAY)
    with pytest.raises(Invalid):
        programme.record_result("forklift", True, DAY)
    programme.record_result("employee-skills", True, DAY)
    with pytest.raises(Conflict):
        programme.record_result("employee-skills", True, DAY)


def test_a_dropped_out_programme_takes_no_results():
    programme = Programme.enrol("p", ["cleaning"], DAY)
    programme.drop_out("motivation")
    with pytest.raises(Conflict):
        programme.record_result("employee-skills", True, DAY)


def test_certificates_issued_on_29_february_expire_on_28_february():
    programme = Programme.enrol("p", ["logistics"], DAY)
    programme.record_result("employee-skills", True, DAY)
    assert programme.record_result("forklift", True, date(2028, 2, 29)).expires_on == date(2033, 2, 28)
