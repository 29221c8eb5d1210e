"""Every text the pages put in _() has its English (shared/web/words.py), and no page takes the
name of an API operation."""
import importlib
import re
from pathlib import Path

from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from doorstroom.chain import SERVICES
from shared.web.words import ENGLISH

ROOT = Path(__file__).resolve().parent.parent
SAID = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""")


def test_every_text_of_the_pages_has_its_english():
    templates = [*ROOT.glob("shared/web/templates/*.html"), *ROOT.glob("services/*/templates/*.html")]
    said = {double or single for path in templates
            for double, single in SAID.findall(path.read_text())}
    assert said and not sorted(said - set(ENGLISH))


def test_no_page_hides_an_operation_of_the_api_or_another_page():
    """A page method of the same name as an API operation (or another page) would replace it
    in the service class, and one of them would be gone."""
    for service in SERVICES:
        service_cls = getattr(importlib.import_module(f"services.{service}.service"),
                              f"{service.title()}Service")
        named = {}
        for cls in service_cls.__mro__:
            for name, member in vars(cls).items():
                if getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, None):
                    named.setdefault(name, []).append(cls.__name__)
        assert not {name: where for name, where in named.items() if len(where) > 1}, service
