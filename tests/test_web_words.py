"""Every text the pages put in _() has its English (shared/web/words.py)."""
import re
from pathlib import Path

from shared.web.words import ENGLISH

ROOT = Path(__file__).resolve().parent.parent
SAID = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""")


def test_every_text_of_the_pages_has_its_english():
    templates = [*ROOT.glob("shared/web/templates/*.html"), *ROOT.glob("services/*/templates/*.html")]
    said = {double or single for path in templates
            for double, single in SAID.findall(path.read_text())}
    assert said and not sorted(said - set(ENGLISH))
