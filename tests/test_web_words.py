"""Every text the pages put in _() has its English (shared/web/words.py), every message a
domain's rule refuses with and every reason of matching's ranking has its Dutch, and no page
takes the name of an API operation."""
import ast
import importlib
import re
from pathlib import Path

from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from doorstroom.chain import SERVICES
from services.matching.domain import HARD_CONSTRAINTS
from shared.errors import DomainError, Forbidden, Invalid, NotFound
from shared.web.words import ENGLISH, MESSAGES, PLACEHOLDER, message

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


# Where the domains' rules refuse with words a page shows (shared/web/pages.py shows
# "niet gevonden" for NotFound and "dit mag uw rol niet" for Forbidden, whatever they say).
RULES = [*ROOT.glob("services/*/domain.py"), *ROOT.glob("services/*/handlers.py"),
         *ROOT.glob("services/*/store.py"), ROOT / "shared/clock.py"]


def shape(node):
    """A message as the source builds it, each formatted value a {}; None for one the source
    does not spell out."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(shape(part) if isinstance(part, ast.Constant) else "{}"
                       for part in node.values)
    return None


def refusals(path):
    """The messages the rules of `path` are refused with: the message of each DomainError
    made there, and of each DomainError class's own."""
    module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))

    def shown(name):
        cls = getattr(module, name, None)
        return (isinstance(cls, type) and issubclass(cls, DomainError)
                and not issubclass(cls, (NotFound, Forbidden)))
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and shown(node.func.id):
            given = node.args[1:] if issubclass(getattr(module, node.func.id), Invalid) \
                else node.args
            if given and shape(given[0]) is not None:
                yield shape(given[0])
        if isinstance(node, ast.ClassDef) and shown(node.name):
            yield from (shape(call.args[0]) for call in ast.walk(node)
                        if isinstance(call, ast.Call) and ast.unparse(call.func) ==
                        "super().__init__" and call.args)


def reasons():
    """The reasons matching's domain gives for a ranking and a proposal: what the hard
    constraints, `assess` and Assessment.reasons say."""
    builders = {rule.__name__ for rule in HARD_CONSTRAINTS.values()} | {"assess", "reasons"}
    tree = ast.parse((ROOT / "services/matching/domain.py").read_text())
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and function.name in builders:
            for node in ast.walk(function):
                if isinstance(node, ast.Return) and node.value is not None:
                    yield from said(node.value)
                elif isinstance(node, ast.Call) and ast.unparse(node.func) in (
                        "note", "shareable.append"):
                    yield from said(node.args[-1])
                elif isinstance(node, ast.ListComp):
                    yield from said(node.elt)


def said(node):
    if isinstance(node, ast.IfExp):
        yield from said(node.body)
        yield from said(node.orelse)
    elif shape(node) is not None:
        yield shape(node)


def test_every_refusal_of_a_rule_has_its_dutch():
    refused = {text for path in RULES for text in refusals(path)}
    templates = {PLACEHOLDER.sub("{}", english) for english in MESSAGES}
    assert len(refused) > 70 and not sorted(refused - templates)


def test_every_reason_of_a_ranking_has_its_dutch():
    given = set(reasons())
    templates = {PLACEHOLDER.sub("{}", english) for english in MESSAGES}
    assert {"met: {}", "may not work with minors", "wants to work as {}"} <= given
    assert not sorted(given - templates)


def test_a_message_shows_in_dutch_with_its_values_and_in_english_as_it_is():
    assert message("cannot release a participant who is withdrawn", "nl") == \
        "dit kan niet: de deelnemer is uitgeschreven"
    assert message("sharing for 'matching' rests on a legal-obligation, not on consent: it "
                   "cannot be withdrawn", "nl") == ("het delen voor bemiddeling rust op de "
                                                    "grondslag wettelijke plicht, niet op "
                                                    "toestemming: u kunt het niet intrekken")
    # A reason within a reason, an occupation by its words, the longer template first.
    assert message("met: wants to work as office cleaner", "nl") == \
        "pluspunt: wil werken als kantoorschoonmaker"
    assert message("excluded: available from 2026-05-01, after the start date", "nl") == \
        "uitgesloten: beschikbaar vanaf 2026-05-01, na de startdatum"
    assert message("cannot admit without consent for matching, training", "nl") == \
        "toelaten kan alleen met toestemming voor bemiddeling, training"
    assert message("the proposal is already accepted", "en") == "the proposal is already accepted"
    assert message("a text no one wrote", "nl") == "a text no one wrote"


def test_a_long_or_nested_text_is_left_as_it_is():
    """No text makes the templates' matching slow or deep: one longer than any rule's message,
    or reasons nested past a reason within a reason, stays as it came."""
    long = "a wage of " + "9" * 20_000 + " is below the minimum"
    assert message(long, "nl") == long
    nested = "excluded: " * 1200 + "wants to work as office cleaner"
    assert message(nested, "nl") == nested
    deep = "excluded: " * 4 + "wants to work as office cleaner"
    assert message(deep, "nl").startswith("uitgesloten: ")
