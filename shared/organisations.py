"""Organisations of the chain by name: a kind (`pi`, `municipality`, `employer`…) and, where
there are many of a kind, which one: `municipality:0505` (its CBS code), `employer:<id>`,
`pi:<institution>`. Each such organisation is a tenant: it sees only its own set-up and, for a
municipality, only the participants returning to it (services/notifications/tests/test_tenants.py).
"""
import re

from shared.contracts.fields import UUID_PATTERN
from shared.contracts.municipalities import municipality_code

# Kinds of which the chain has many, each its own tenant: a name without which one names nobody.
MANY_OF_A_KIND = {"employer": "employer:<employer id>", "municipality": "municipality:0505"}


class OfAnOrganisation:
    """What belongs to one organisation (its `organisation`): a key's caller, a recipient."""

    @property
    def kind(self):
        return kind_of(self.organisation)

    @property
    def employer_id(self):
        """The employer's id, for an employer's."""
        return which(self.organisation, "employer")

    @property
    def municipality(self):
        """The municipality's CBS code, for a municipality's."""
        return which(self.organisation, "municipality")


def kind_of(organisation):
    return organisation.partition(":")[0]


def which(organisation, kind):
    """Which one of `kind` the organisation is (a municipality's code, an employer's id), or
    None."""
    named_kind, _, one = organisation.partition(":")
    return (one or None) if named_kind == kind else None


def organisation_named(name, kind, *, whole=False):
    """`name` as the chain writes it, when it names an organisation of `kind`: a municipality by
    its CBS code, so "municipality:Dordrecht" is "municipality:0505". With `whole`, a kind of
    many must say which one. Raises ValueError saying what is wrong."""
    named_kind, _, one = name.partition(":")
    if named_kind != kind:
        raise ValueError(f"{name!r} is not a {kind}")
    if kind == "municipality" and one:
        code = municipality_code(one)
        if code is None:
            raise ValueError(f"{one!r} is not a CBS municipality code")
        one = code
    if kind == "employer" and one and not re.match(UUID_PATTERN, one):
        raise ValueError(f"{one!r} is not an employer id")
    if whole and kind in MANY_OF_A_KIND and not one:
        raise ValueError(f"say which {kind}: {MANY_OF_A_KIND[kind]}")
    return f"{kind}:{one}" if one else kind
