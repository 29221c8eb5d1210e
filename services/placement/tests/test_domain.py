from datetime import date

import pytest

from services.placement.domain import Placement, Status
from shared.errors import Conflict


def test_a_planned_placement_starts_once():
    placement = Placement.plan("m", "p", "e", "v", date(2027, 2, 1), 32)
    placement.start("work-trial", "coach", date(2027, 2, 1))
    assert placement.status is Status.STARTED
    with pytest.raises(Conflict):
        placement.start("work-trial", "coach", date(2027, 2, 2))
