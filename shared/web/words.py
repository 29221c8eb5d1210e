"""The pages' words: Dutch as the templates write them, with their English; the chain's codes
in words of both; and marshmallow's messages in Dutch, so that a form's errors read as the
page does."""

# Dutch → English, for every text a template puts in _() (tests/test_web_words.py checks that
# none is missing).
ENGLISH = {
    "Inloggen": "Sign in",
    "Naam": "Name",
    "Wachtwoord": "Password",
    "Uitloggen": "Sign out",
    "Code": "Code",
    "Tweede factor": "Second factor",
    "Geef de zescijferige code uit uw authenticator-app.": "Enter the six-digit code from your "
                                                           "authenticator app.",
    "Bevestigen": "Confirm",
    "Hoofdmenu": "Main menu",
    "Ingelogd als {name}": "Signed in as {name}",
    "Naar de inhoud": "Skip to content",
    "Er ging iets mis": "Something went wrong",
    "Terug naar het begin": "Back to the start",
    "Probeer het over {seconds} seconden opnieuw.": "Try again in {seconds} seconds.",
    "Controleer de velden hieronder.": "Check the fields below.",
    "verplicht": "required",
    # The PI's pages.
    'Afwijzen': 'Reject',
    'BSN': 'BSN',
    'Basisvoorwaarden vastleggen': 'Record basic conditions',
    'Beoordeeld door': 'Assessed by',
    'Beoordeeld op': 'Assessed on',
    'Beperkingen': 'Restrictions',
    'Beroep': 'Occupation',
    'Deelnemer': 'Participant',
    'Deelnemer registreren': 'Register a participant',
    'Deelnemers': 'Participants',
    'Deelnemers op verwachte vrijlatingsdatum': 'Participants by expected release date',
    'Doel': 'Purpose',
    'Doelen en hun grondslag': 'Purposes and their legal basis',
    'Doelgroep': 'Target group',
    'Geboortedatum': 'Date of birth',
    'Geen werk met kwetsbare mensen': 'No work with vulnerable people',
    'Geen werk met minderjarigen': 'No work with minors',
    'Gemeente': 'Municipality',
    'Gemeente van terugkeer': 'Municipality of return',
    'Grondslag': 'Legal basis',
    'Identiteit': 'Identity',
    'Inrichting': 'Institution',
    'Intrekken': 'Withdraw',
    'Motivatie (1 tot 5)': 'Motivation (1 to 5)',
    'Naam, BSN en geboortedatum worden alleen op verzoek getoond; elk verzoek wordt '
    'vastgelegd.': 'Name, BSN and date of birth are shown only on request; every request is '
                   'logged.',
    'Naar de deelnemer met dit BSN': 'To the participant with this BSN',
    'Negen cijfers.': 'Nine digits.',
    'Nieuwe verwachte vrijlating': 'New expected release',
    'Nog geen toestemming of grondslag vastgelegd.': 'No consent or legal basis recorded yet.',
    'Pagina’s': 'Pages',
    'Reden': 'Reason',
    'Reden van afwijzing': 'Reason for rejection',
    'Registreren': 'Register',
    'Rijverbod': 'Driving ban',
    'Screening': 'Screening',
    'Screening vastleggen': 'Record screening',
    'Selectie': 'Selection',
    'Sinds': 'Since',
    'Stand': 'State',
    'Status': 'Status',
    'Taalniveau': 'Language level',
    'Toelaten tot de keten': 'Admit to the chain',
    'Toestemming per doel': 'Consent per purpose',
    'Toestemming vastleggen': 'Record consent',
    'Toon': 'Show',
    'Toon identiteit': 'Show identity',
    'Uitgeschreven op': 'Withdrawn on',
    'Uitschrijven': 'Withdraw from the chain',
    'Uren per week': 'Hours per week',
    'Veiligheid': 'Safety',
    'Veiligheid akkoord': 'Safety cleared',
    'Versie van de verklaring': 'Version of the statement',
    'Verwachte vrijlating': 'Expected release',
    'Verwachte vrijlating verzetten': 'Move the expected release',
    'Verzetten': 'Move',
    'Vijf basisvoorwaarden': 'Five basic conditions',
    'Volgende': 'Next',
    'Volgorde': 'Order',
    'Vorige': 'Previous',
    'Vrijgelaten op': 'Released on',
    'Vrijlating': 'Release',
    'Vrijlating vastleggen': 'Record the release',
    'vrijlating: eerst de laatste': 'release: latest first',
    'vrijlating: eerst de vroegste': 'release: soonest first',
    '{first}–{last} van {total}': '{first}–{last} of {total}',
    '{total} deelnemers': '{total} participants',
    # The privacy officer's pages.
    'Auditlog': 'Audit log',
    'Auditlog: wie las welke persoonsgegevens': 'Audit log: who read which personal data',
    'De hashketen is heel: {entries} regels.': 'The hash chain is intact: {entries} entries.',
    'De hashketen is gebroken bij regel {position}.': 'The hash chain is broken at entry {position}.',
    'Deelnemer (id)': 'Participant (id)',
    'Lezer': 'Reader',
    'Vanaf': 'From',
    'Tot en met': 'Up to and including',
    'Filter': 'Filter',
    'Exporteer als CSV': 'Export as CSV',
    '{total} regels': '{total} entries',
    'Leesacties, in de volgorde van vastleggen': 'Reads, in the order logged',
    'Moment': 'Moment',
    'Rol': 'Role',
    'Gelezen': 'Read',
    'Uitkomst': 'Outcome',
    # What the pages say when they refuse.
    "naam of wachtwoord onjuist": "wrong name or password",
    "te veel mislukte pogingen": "too many failed attempts",
    "dit account heeft een tweede factor nodig, maar er is er geen ingesteld: vraag de "
    "beheerder erom": "this account needs a second factor, but none is set up: ask the "
                      "administrator for one",
    "deze code klopt niet, of is al gebruikt": "this code is wrong, or was used before",
    "deze pagina is niet voor uw rol": "this page is not for your role",
    "het formulier is verlopen of niet van deze site: open de pagina opnieuw en probeer het "
    "nog eens": "the form has expired or is not of this site: open the page again and retry",
    "niet gevonden": "not found",
    "dit mag uw rol niet": "your role may not do this",
    "de database is even niet bereikbaar; probeer het zo nog eens":
        "the database cannot be reached just now; try again shortly",
    "er ging iets mis; het is gemeld": "something went wrong; it has been logged",
}

# The chain's codes in Dutch; in English a code reads as its words.
DUTCH = {
    "registered": "geregistreerd",
    "screened": "gescreend",
    "admitted": "toegelaten",
    "rejected": "afgewezen",
    "released": "vrijgelaten",
    "withdrawn": "uitgeschreven",
    "detainee-last-phase": "gedetineerde in laatste fase",
    "penitentiary-programme": "penitentiair programma",
    "community-service": "taakstraf",
    "disability": "arbeidsbeperking",
    "long-term-unemployed": "langdurig werkloos",
    "refugee-with-permit": "statushouder",
    "training": "training",
    "matching": "bemiddeling",
    "placement-follow-up": "nazorg plaatsing",
    "inform-municipality": "gemeente informeren",
    "consent": "toestemming",
    "legal-obligation": "wettelijke plicht",
    "not-motivated": "niet gemotiveerd",
    "safety-not-cleared": "veiligheid niet akkoord",
    "no-consent": "geen toestemming",
    "other": "anders",
    "dropped-out": "afgehaakt",
    "transferred": "overgeplaatst",
    "recalled-to-custody": "teruggeplaatst in detentie",
    "entry-error": "invoerfout",
    "recorded-in-advance": "vooraf vastgelegd",
    "id-document": "identiteitsbewijs",
    "housing": "huisvesting",
    "income": "inkomen",
    "debts": "schulden",
    "care": "zorg",
    "settled": "geregeld",
    "in-progress": "in behandeling",
    "not-settled": "niet geregeld",
}

# marshmallow's messages, and those of our own fields, in Dutch.
MESSAGES = {
    "Missing data for required field.": "Dit veld is verplicht.",
    "Not a valid date.": "Geen geldige datum.",
    "Not a valid integer.": "Geen geldig geheel getal.",
    "Not a valid boolean.": "Geen geldige ja/nee-waarde.",
    "Not a valid string.": "Geen geldige tekst.",
    "Not a valid BSN: nine digits that pass the eleven-test.":
        "Geen geldig BSN: negen cijfers die de elfproef doorstaan.",
    "Not a plausible date of birth.": "Geen aannemelijke geboortedatum.",
}


def label(code, language):
    if code is None:
        return ""
    code = getattr(code, "value", code)
    return DUTCH.get(code, code) if language == "nl" else code.replace("-", " ")


def message(text, language):
    """A message of the pages (Dutch) or of a schema or rule (English), in `language`."""
    return MESSAGES.get(text, text) if language == "nl" else ENGLISH.get(text, text)
