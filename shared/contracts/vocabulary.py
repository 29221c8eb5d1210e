"""Codes the whole chain agrees on. Codes travel in events; free text about a person never does."""

TARGET_GROUPS = {
    "detainee-last-phase",
    "penitentiary-programme",
    "community-service",
    "disability",
    "long-term-unemployed",
    "refugee-with-permit",
}

LANGUAGE_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")

# Restriction categories, never the offence behind them.
RESTRICTIONS = {
    "no-work-with-minors",
    "no-work-with-vulnerable-people",
    "area-ban",
    "vog-risk-area",
    "driving-ban",
    "curfew",
}

SECTORS = {"cleaning", "logistics", "construction", "hospitality", "transport", "facility"}

CERTIFICATES = {
    "employee-skills",
    "vca-basic",
    "bhv",
    "forklift",
    "code-95",
    "cleaning-diploma",
    "hospitality-basic",
    "dutch-for-work",
}

CONTRACT_TYPES = {
    "work-trial",
    "learn-work-job",
    "paid-temporary",
    "paid-permanent",
    "sheltered-work",
}


def language_rank(level):
    return LANGUAGE_LEVELS.index(level)
