"""The pages' words: Dutch as the templates write them, with their English; the chain's codes
in words of both; and the messages of marshmallow and of the domains' rules in Dutch, so that
a form's errors and a ranking's reasons read as the page does, while the API keeps them in
English."""
import re

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
    'De hashketen is gebroken bij regel {position}.':
        'The hash chain is broken at entry {position}.',
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
    # The inbox pages.
    "Abonneren": "Subscribe",
    "Abonnementen": "Subscriptions",
    "Abonnementen van {name}": "Subscriptions of {name}",
    "Alleen over deelnemers die terugkeren naar": "Only about participants returning to",
    "Alleen over deelnemers naar": "Only about participants returning to",
    "Bericht": "Message",
    "Berichten": "Messages",
    "Berichten voor {name}, de oudste eerst": "Messages for {name}, oldest first",
    "Een soort, zoals participant.released, of alle van een groep, zoals participant.*.":
        "A type, such as participant.released, or all of a group, such as participant.*.",
    "Geen ongelezen berichten.": "No unread messages.",
    "Nog geen abonnementen.": "No subscriptions yet.",
    "Nog geen berichten.": "No messages yet.",
    "Ontvanger": "Recipient",
    "Opzeggen": "Unsubscribe",
    "Over": "About",
    "Soort": "Type",
    "Soort feit": "Type of fact",
    "Soorten feiten waarover {name} berichten krijgt": "Types of facts {name} is told of",
    "Tijdstip": "Time",
    "Uw organisatie heeft nog geen ontvanger van berichten.":
        "Your organisation has no recipient of messages yet.",
    "alle berichten": "all messages",
    "meerdere soorten": "several types",
    "ongelezen berichten": "unread messages",
    "{total} berichten": "{total} messages",
    "{total} ongelezen berichten": "{total} unread messages",
    # The trainer's pages.
    'Aanwezig': 'Present',
    'Aanwezig (niet aangevinkt: afwezig)': 'Present (not ticked: absent)',
    'Aanwezigheid vastleggen': 'Record attendance',
    'Afgerond op': 'Completed on',
    'Afwezig': 'Absent',
    'Behaalde certificaten': 'Certificates earned',
    'Bezet': 'Taken',
    'Bijeenkomsten': 'Sessions',
    'Certificaat': 'Certificate',
    'Certificaten': 'Certificates',
    'Cohort': 'Cohort',
    'Cohort plannen': 'Plan a cohort',
    'Cohorten': 'Cohorts',
    'Cohorten op startdatum': 'Cohorts by start date',
    'Cohorten van deze module': 'Cohorts of this module',
    'Datum': 'Date',
    'Datum van de bijeenkomst': 'Date of the session',
    'De modules van de catalogus': 'The modules of the catalogue',
    'Deelnemers en hun aanwezigheid': 'Participants and their attendance',
    'Einde': 'End',
    'Geen cohorten gevonden.': 'No cohorts found.',
    'Geldig (jaren)': 'Valid (years)',
    'Geldig tot': 'Valid until',
    'Gepland einde': 'Planned end',
    'Ingeschreven op': 'Enrolled on',
    'Klaar voor de vrijlating': 'Done before the release',
    'Kleine letters, cijfers en streepjes.': 'Lower-case letters, digits and dashes.',
    'Leeg: onbeperkt geldig.': 'Empty: valid without end.',
    'Minimaal taalniveau': 'Minimum language level',
    'Module': 'Module',
    'Module toevoegen': 'Add a module',
    'Modules': 'Modules',
    'Modules van het programma, in volgorde': 'Modules of the programme, in order',
    'Niemand wacht op deze module.': 'Nobody waits for this module.',
    'Nog geen bijeenkomsten vastgelegd.': 'No sessions recorded yet.',
    'Nog geen certificaten behaald.': 'No certificates earned yet.',
    'Nog geen deelnemers in dit cohort.': 'No participants in this cohort yet.',
    'Nog geen resultaten vastgelegd.': 'No results recorded yet.',
    'Nummer': 'Number',
    'Plaats in de rij': 'Place in line',
    'Plaatsen': 'Places',
    'Plaatsen per cohort': 'Places per cohort',
    'Programma': 'Programme',
    'Programma van deelnemer': 'Programme of participant',
    'Resultaat': 'Result',
    'Resultaat vastleggen': 'Record a result',
    'Resultaten': 'Results',
    'Route': 'Route',
    'Sectoren': 'Sectors',
    'Start': 'Start',
    'Trainer': 'Trainer',
    'Uitgegeven op': 'Issued on',
    'Uitgever': 'Issuer',
    'Vastgelegde bijeenkomsten': 'Sessions recorded',
    'Vastgelegde resultaten': 'Results recorded',
    'Vereiste modules': 'Required modules',
    'Wachtlijst': 'Waiting list',
    'Weken': 'Weeks',
    'Wie op een plaats wacht, de eerste eerst': 'Who waits for a place, first in line first',
    'geslaagd': 'passed',
    'ja': 'yes',
    'nee: het programma loopt door na de verwachte vrijlating':
        'no: the programme runs on after the expected release',
    'niet geslaagd': 'not passed',
    'onbeperkt': 'without end',
    '{attended} van {held} bijeenkomsten': '{attended} of {held} sessions',
    '{taken} van {places}': '{taken} of {places}',
    '{taken} van {places} bezet': '{taken} of {places} taken',
    '{total} cohorten': '{total} cohorts',
    '{total} modules': '{total} modules',
    '{total} wachtenden': '{total} waiting',
    'voor {module}': 'for {module}',
    'Module wijzigen': 'Change the module',
    'Alles behalve de code kan veranderen; de keten hoort van elke wijziging.':
        'Everything but the code may change; the chain hears of every change.',
    'Vraag van werkgevers': "Employers' demand",
    'Naar deze vraag krijgt een nieuw toegelaten deelnemer een route voorgesteld.':
        'A newly admitted participant is proposed a route from this demand.',
    'Open vacatures per certificaat en sector': 'Open vacancies per certificate and sector',
    'Open vacatures': 'Open vacancies',
    'elke sector (ingestelde vraag, nog geen vacature bekend)':
        'every sector (configured demand, no vacancy known yet)',
    'Geen open vacatures vragen om een certificaat.': 'No open vacancy asks for a certificate.',
    'Inschrijven voor een module': 'Enrol in a module',
    'Een plaats in het eerste open cohort van de module, of anders op de wachtlijst: voor een '
    'module die nog niet begonnen is, of om een niet gehaalde module over te doen.':
        "A place in the module's first open cohort, or else on its waiting list: for a module "
        'not begun yet, or to take a module not passed again.',
    'Inschrijven': 'Enrol',
    'Rechtgezette resultaten, de oudste eerst': 'Results put right, oldest first',
    'Resultaat van {module} corrigeren': 'Correct the result of {module}',
    'Juist resultaat': 'Correct result',
    'Juist afgerond op': 'Correctly completed on',
    'Resultaat corrigeren': 'Correct the result',
    'Uitval vastleggen': 'Record a drop-out',
    'Het programma stopt; de plaatsen die het in cohorten heeft gaan naar wie erop wacht.':
        'The programme stops; its places in cohorts go to those waiting for them.',
    # The employer desk's and employers' pages.
    "Accepteren": "Accept",
    "Accepteren namens de kandidaat": "Accept for the candidate",
    "Afwijzen namens de kandidaat": "Decline for the candidate",
    "Beschikbaar vanaf": "Available from",
    "Bijna geschikt": "Near misses",
    "Geen geschikte kandidaten.": "No eligible candidates.",
    "Geen kandidaten die bijna geschikt zijn.": "No near misses.",
    "Geen vacatures gevonden.": "No vacancies found.",
    "Geen voorstellen gevonden.": "No proposals found.",
    "Geschikte kandidaten, de beste eerst, met de redenen":
        "Eligible candidates, best first, with the reasons",
    "Kandidaat": "Candidate",
    "Kandidaat akkoord": "Candidate accepted",
    "Kandidaten die met een opleiding geschikt worden":
        "Candidates whom training would make eligible",
    "Leeg: de naam van het beroep.": "Empty: the occupation's name.",
    "Mist": "Misses",
    "Naam of CBS-code van de gemeente.": "The municipality's name or CBS code.",
    "Nog geen voorstellen.": "No proposals yet.",
    "Opbouw van de score": "Parts of the score",
    "Opleiding die het sluit": "Training that closes it",
    "Postcode": "Postcode",
    "Rangschikking": "Ranking",
    "Score": "Score",
    "Sector": "Sector",
    "Titel": "Title",
    "VOG vereist": "VOG required",
    "Vaardigheden": "Skills",
    "Vacature": "Vacancy",
    "Vacature publiceren": "Publish a vacancy",
    "Vacatures": "Vacancies",
    "Vacatures op startdatum": "Vacancies by start date",
    "Vereiste certificaten": "Required certificates",
    "Verloopt": "Expires",
    "Voldoet aan": "Meets",
    "Voorstellen": "Proposals",
    "Voorstellen voor deze vacature": "Proposals for this vacancy",
    "Wat ontbreekt": "What is missing",
    "Wat voor de kandidaat spreekt": "What speaks for the candidate",
    "Werk met minderjarigen": "Work with minors",
    "Werkgever": "Employer",
    "Werkgever akkoord": "Employer accepted",
    "Zoek in titel of omschrijving": "Search the title or description",
    "geen": "none",
    "nee": "no",
    "{total} vacatures": "{total} vacancies",
    "{total} voorstellen": "{total} proposals",
    "Uitgesloten": "Excluded",
    "Kandidaten die de vacature uitsluit, en waarom": "Candidates the vacancy excludes, and why",
    "Waarom": "Why",
    "Niemand uitgesloten.": "No one excluded.",
    "Toon wie de vacature uitsluit, en waarom": "Show whom the vacancy excludes, and why",
    "Contactpersoon": "Contact",
    "De beste eerst, met de redenen": "Best first, with the reasons",
    "E-mailadres": "E-mail address",
    "Geen open vacatures die de kandidaat kan aannemen.":
        "No open vacancies the candidate may take.",
    "Heeft een social-returnverplichting": "Has a social-return obligation",
    "Nog geen werkgevers aangemeld.": "No employers registered yet.",
    "Open vacatures die de kandidaat kan aannemen": "Open vacancies the candidate may take",
    "Vacatures voor kandidaat {candidate}": "Vacancies for candidate {candidate}",
    "Werkgever aanmelden": "Register an employer",
    "Werkgevers": "Employers",
    "Werkgevers op naam": "Employers by name",
    "Omschrijving": "Description",
    "Gewenste certificaten": "Desired certificates",
    "{certificate} (gewenst)": "{certificate} (desired)",
    "Werk met kwetsbare mensen": "Work with vulnerable people",
    "Dienst": "Shift",
    "Dienst vanaf": "Shift from",
    "Dienst tot": "Shift until",
    "Vacature wijzigen": "Change the vacancy",
    "Voorstellen die de gewijzigde vacature niet meer toelaat, vervallen; de kandidaten worden "
    "opnieuw gerangschikt.": "Proposals the changed vacancy no longer allows lapse; the "
                             "candidates are ranked again.",
    "Leeg: de titel blijft zoals hij is.": "Empty: the title stays as it is.",
    "Vacature sluiten": "Close the vacancy",
    "De voorstellen die nog open staan, vervallen.": "The proposals still open lapse.",
    # The job coach's pages.
    'Beëindigd op': 'Ended on',
    'Bij een betaald contract minstens het wettelijk minimumloon, bijvoorbeeld 15.25.': 'For a paid contract at least the statutory minimum wage, for example 15.25.',
    'Bruto uurloon': 'Gross hourly wage',
    'Bruto uurloon in euro': 'Gross hourly wage in euros',
    'Contract': 'Contract',
    'Datum van het gesprek': 'Date of the check-in',
    'Duurzaam (zes maanden aan het werk)': 'Sustained (six months in work)',
    'Geen gewerkte maanden in deze periode.': 'No months worked in this period.',
    'Geen plaatsingen gevonden.': 'No placements found.',
    'Geplande start': 'Planned start',
    'Gestart op': 'Started on',
    'Gestart tot en met': 'Started up to and including',
    'Gestart vanaf': 'Started from',
    'Jobcoach': 'Job coach',
    'Leeftijd op de startdag (alleen bij minimumjeugdloon)': 'Age on the first day (only for the minimum youth wage)',
    'Loonkostensubsidie': 'Wage-cost subsidy',
    'Loonkostensubsidie (leeg: geen)': 'Wage-cost subsidy (empty: none)',
    'Maanden': 'Months',
    'Maanden aan het werk': 'Months in work',
    'Maanden, uren en waarde per werkgever in de periode': 'Months, hours and value per employer in the period',
    'Mijlpaal': 'Milestone',
    'Mijlpalen': 'Milestones',
    'No-riskpolis': 'No-risk policy',
    'Nog geen voortgangsgesprekken vastgelegd.': 'No check-ins recorded yet.',
    'Notities': 'Notes',
    'Notities (alleen voor jobcoaching)': 'Notes (for job coaching only)',
    'Percentage': 'Percentage',
    'Plaatsing': 'Placement',
    'Plaatsing beëindigen': 'End the placement',
    'Plaatsing starten': 'Start the placement',
    'Plaatsingen': 'Placements',
    'Plaatsingen op geplande startdatum': 'Placements by planned start',
    'Risico': 'Risk',
    'Social return': 'Social return',
    'Soort baan': 'Kind of job',
    'Tot (niet meegerekend)': 'To (not included)',
    'Uren': 'Hours',
    'Vastgelegde voortgangsgesprekken': 'Check-ins recorded',
    'Voortgangsgesprek vastleggen': 'Record a check-in',
    'Voortgangsgesprekken': 'Check-ins',
    'Waarde (euro)': 'Value (euros)',
    'Werkgever (id)': 'Employer (id)',
    'bereikt': 'reached',
    'gesubsidieerd of programma': 'subsidised or programme',
    'niet bereikt': 'not reached',
    'nog niet bereikt': 'not reached yet',
    'regulier': 'regular',
    '{months} maand': '{months} month',
    '{months} maanden': '{months} months',
    '{percentage}% van {starts_on} tot {ends_on}': '{percentage}% from {starts_on} to {ends_on}',
    '{total} plaatsingen': '{total} placements',
    '{total} werkgevers': '{total} employers',
    'Correcties': 'Corrections',
    'Door': 'By',
    'Einddag corrigeren': 'Correct the last day',
    'Juiste einddag': 'Correct last day',
    'Juiste startdag': 'Correct first day',
    'Leeftijd op de juiste startdag (alleen bij minimumjeugdloon)':
        'Age on the correct first day (only for the minimum youth wage)',
    'Nog geen correcties vastgelegd.': 'No corrections recorded yet.',
    'Op': 'On',
    'Rechtgezette start- en einddagen, de oudste eerst':
        'First and last days put right, oldest first',
    'Reden van de correctie': 'Reason for the correction',
    'Startdag corrigeren': 'Correct the first day',
    'Was': 'Was',
    'Wat': 'What',
    'Werd': 'Became',
    # An employer's pages in placement.
    'Bereikte mijlpalen': 'Milestones reached',
    'De banen bij uw organisatie; wie ze vervult en de begeleiding blijven bij de jobcoach.':
        'The jobs at your organisation; who fills them and their coaching stay with the job '
        'coach.',
    'Plaatsingen bij uw organisatie op geplande startdatum':
        'Placements at your organisation by planned start',
    'duurzaam': 'sustained',
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
    "de database viel weg terwijl dit werd opgeslagen: het kan wel of niet gebeurd zijn; kijk "
    "na of het er staat voor u het opnieuw stuurt": "the database went away while this was being "
    "saved: it may or may not have been done; check before you send it again",
    "het is uitgevoerd, maar de pagina kon niet worden gemaakt; kijk het na":
        "it was done, but its page could not be made; look it up",
    "de database is even niet bereikbaar; probeer het zo nog eens":
        "the database cannot be reached just now; try again shortly",
    "er ging iets mis; het is gemeld": "something went wrong; it has been logged",
    # A participant's journey through the chain (intake's participant page).
    "Traject door de keten": "Journey through the chain",
    "Toon het formulier": "Show the form",
    "PI": "PI",
    "Werkbedrijf: training": "Work company: training",
    "Werkbedrijf: jobcoach": "Work company: job coach",
    "Sociale dienst": "Social service",
    "Nog niets vastgelegd.": "Nothing recorded yet.",
    "Grondslag voor {purpose} vervallen op {day}: gewist bij {confirmed}":
        "Basis for {purpose} withdrawn on {day}: erased by {confirmed}",
    "nog niemand": "nobody yet",
    "nog niet bij {awaited}": "not yet by {awaited}",
    "{hours} uur per week": "{hours} hours a week",
    "{months} maanden aan het werk": "{months} months in work",
    "certificaat ingetrokken: {certificate}": "certificate taken back: {certificate}",
    # A participant's screening (intake's participant page).
    "Beroepen": "Occupations",
    "Gewenste sectoren": "Preferred sectors",
    "Mag buiten de inrichting werken vanaf": "May work outside the institution from",
    "Leeg: pas na de vrijlating.": "Empty: only after the release.",
    "Drijfveren en ambities": "Drivers and ambitions",
    "akkoord": "cleared",
    "niet akkoord": "not cleared",
    "beoordeeld door {name} op {day}": "assessed by {name} on {day}",
    "Gebiedsverbod": "Area ban",
    "Kies elke gemeente waar een gebiedsverbod geldt; houd Ctrl (of Cmd) ingedrukt om er meer "
    "te kiezen.": "Choose each municipality an area ban covers; hold Ctrl (or Cmd) to choose "
                  "more than one.",
    "VOG-risicogebieden": "VOG risk areas",
    "Avondklok": "Curfew",
    "Avondklok vanaf": "Curfew from",
    "Avondklok tot": "Curfew until",
    "Met enkelband (elektronische monitoring)": "With an ankle monitor (electronic monitoring)",
    "{starts_at} tot {ends_at}": "{starts_at} to {ends_at}",
    "met enkelband": "with an ankle monitor",
    "Nog niet gescreend.": "Not screened yet.",
    "Screening wijzigen": "Change the screening",
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
    # The chain's event types, as the inbox pages name them.
    "employer.registered": "werkgever aangemeld",
    "vacancy.published": "vacature gepubliceerd",
    "vacancy.changed": "vacature gewijzigd",
    "vacancy.closed": "vacature gesloten",
    "match.proposed": "kandidaat voorgesteld",
    "match.accepted": "voorstel geaccepteerd",
    "match.declined": "voorstel afgewezen",
    "match.expired": "voorstel verlopen",
    "matching.participant_erased": "gewist door bemiddeling",
    "notification.delivered": "melding bezorgd",
    "notification.failed": "melding niet bezorgd",
    "notifications.participant_erased": "gewist door berichten",
    "participant.registered": "deelnemer aangemeld",
    "participant.screened": "deelnemer gescreend",
    "participant.admitted": "deelnemer toegelaten",
    "participant.rejected": "deelnemer niet toegelaten",
    "participant.basic_conditions_updated": "basisvoorwaarden bijgewerkt",
    "participant.consent_given": "grondslag vastgelegd",
    "participant.consent_withdrawn": "grondslag vervallen",
    "participant.release_date_changed": "verwachte vrijlating verschoven",
    "participant.release_corrected": "vrijlating gecorrigeerd",
    "participant.released": "deelnemer vrijgelaten",
    "participant.withdrawn": "deelnemer uitgeschreven",
    "placement.planned": "plaatsing gepland",
    "placement.started": "aan het werk",
    "placement.terms_agreed": "arbeidsvoorwaarden afgesproken",
    "placement.start_corrected": "start plaatsing gecorrigeerd",
    "placement.milestone_reached": "mijlpaal van plaatsing bereikt",
    "placement.risk_raised": "risico bij plaatsing gemeld",
    "placement.sustained": "plaatsing duurzaam",
    "placement.ended": "plaatsing beëindigd",
    "placement.end_corrected": "einde plaatsing gecorrigeerd",
    "placement.participant_erased": "gewist door plaatsing",
    "training.enrolled": "ingeschreven voor een module",
    "training.waitlisted": "op de wachtlijst",
    "training.module_completed": "module afgerond",
    "training.result_corrected": "resultaat gecorrigeerd",
    "training.certificate_awarded": "certificaat behaald",
    "training.programme_completed": "programma afgerond",
    "training.dropped_out": "gestopt met het programma",
    "training.module_added": "module toegevoegd",
    "training.module_changed": "module gewijzigd",
    "training.participant_erased": "gewist door training",
    # Training's codes.
    "planned": "gepland",
    "waitlisted": "op de wachtlijst",
    "enrolled": "ingeschreven",
    "passed": "geslaagd",
    "failed": "niet geslaagd",
    "active": "actief",
    "completed": "afgerond",
    "ended": "beëindigd",
    "motivation": "motivatie",
    "health": "gezondheid",
    "released-early": "eerder vrijgelaten",
    "left-the-chain": "uit de keten",
    "cleaning": "schoonmaak",
    "logistics": "logistiek",
    "construction": "bouw",
    "hospitality": "horeca",
    "transport": "vervoer",
    "facility": "facilitair",
    # Training's certificates.
    "employee-skills": "werknemersvaardigheden",
    "vca-basic": "VCA basisveiligheid",
    "bhv": "BHV",
    "forklift": "heftruck",
    "code-95": "code 95",
    "cleaning-diploma": "vakdiploma schoonmaak",
    "hospitality-basic": "horeca basis",
    "dutch-for-work": "Nederlands voor werk",
    # Matching's codes.
    "open": "open",
    "filled": "vervuld",
    "closed": "gesloten",
    "proposed": "voorgesteld",
    "accepted": "geaccepteerd",
    "declined": "afgewezen",
    "expired": "verlopen",
    "filled-elsewhere": "elders vervuld",
    "withdrawn-by-employer": "ingetrokken door de werkgever",
    # Placement's codes.
    "started": "gestart",
    "none": "geen",
    "attention": "aandacht",
    "at-risk": "risico",
    "work-trial": "proefplaatsing",
    "learn-work-job": "leerwerkbaan",
    "paid-temporary": "betaald, tijdelijk",
    "paid-permanent": "betaald, vast",
    "sheltered-work": "beschut werk",
    "contract-ended": "contract afgelopen",
    "dismissed": "ontslagen",
    "resigned": "zelf opgezegd",
    "returned-to-custody": "terug in detentie",
    "moved-away": "verhuisd",
    # Occupations, as matching's reasons name them too ("wants to work as office cleaner").
    "office-cleaner": "kantoorschoonmaker",
    "industrial-cleaner": "industrieel schoonmaker",
    "warehouse-worker": "magazijnmedewerker",
    "forklift-driver": "heftruckchauffeur",
    "construction-labourer": "bouwvakker",
    "road-worker": "wegenbouwer",
    "kitchen-assistant": "keukenhulp",
    "cook": "kok",
    "van-driver": "bestelbuschauffeur",
    "truck-driver": "vrachtwagenchauffeur",
    "gardener": "hovenier",
    "production-worker": "productiemedewerker",
    "building-caretaker": "huismeester",
    # The days of a placement a correction puts right.
    "started_on": "startdag",
    "ended_on": "einddag",
    # The parts of a ranking's score.
    "desired_certificates": "gewenste certificaten",
    "skills": "vaardigheden",
    "occupation": "beroep",
    "distance": "afstand",
    "timing": "aansluiting op vrijlating",
    # Skills.
    "teamwork": "samenwerken in een team",
    "punctuality": "op tijd komen en afspraken nakomen",
    "following-safety-instructions": "veiligheidsinstructies opvolgen",
    "operating-forklift": "heftruck besturen",
    "cleaning-techniques": "professionele schoonmaaktechnieken",
    "stock-handling": "goederen ontvangen, opslaan en verzamelen",
    "food-hygiene": "hygiënisch werken met voedsel",
    "customer-contact": "omgaan met klanten",
    "manual-handling": "veilig tillen en dragen",
    "basic-carpentry": "basis timmerwerk",
    "driving": "autorijden (rijbewijs B)",
    "digital-basics": "computer en smartphone gebruiken voor het werk",
    # The risk areas of Justis' general screening profile, as Justis names them.
    "information": "informatie",
    "money": "geld",
    "goods": "goederen",
    "services": "diensten",
    "business-transactions": "zakelijke transacties",
    "processes": "proces",
    "managing-the-organisation": "aansturen organisatie",
    "persons": "personen",
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
    # Of the inbox pages' subscriptions.
    "An event type or pattern, e.g. participant.*":
        "Een soort feit of een patroon, zoals participant.*",
    "a municipality hears only of the participants returning to it":
        "een gemeente hoort alleen van de deelnemers die naar haar terugkeren",
    "Not a module code (lower-case letters, digits and dashes).":
        "Geen modulecode (kleine letters, cijfers en streepjes).",
    # Of the job coach's forms.
    "Not a valid number.": "Geen geldig getal.",
    # Of the employer desk's forms.
    "Not a valid email address.": "Geen geldig e-mailadres.",
    "Not a Dutch postcode (1234 AB).": "Geen Nederlandse postcode (1234 AB).",
    "a decline needs a reason": "geef een reden voor de afwijzing",
    "Must be greater than or equal to 1 and less than or equal to 40.":
        "Minstens 1 en hoogstens 40.",
    "Must be greater than or equal to 1 and less than or equal to 500.":
        "Minstens 1 en hoogstens 500.",
    # Of other forms.
    "Not a valid id.": "Geen geldig id.",
    "Lower-case letters, digits and dashes.": "Kleine letters, cijfers en streepjes.",
    "a rejection needs a reason": "geef een reden voor de afwijzing",
    "the period ends after it starts": "de periode eindigt na het begin",
    # The domains' rules. A {name} stands for a value, which shows in Dutch where it is itself
    # a message or a code (quoted or not), or codes listed with commas.
    "{day} lies in the future: today is {today}":
        "{day} ligt in de toekomst: vandaag is het {today}",
    "{day} lies in the past: today is {today}":
        "{day} ligt in het verleden: vandaag is het {today}",
    # Intake's.
    "a name is required": "een naam is verplicht",
    "not a valid BSN: it must be nine digits that pass the eleven-test":
        "geen geldig BSN: een BSN heeft negen cijfers en doorstaat de elfproef",
    "give at least one word of the name, in letters or digits":
        "geef minstens één woord van de naam, in letters of cijfers",
    "a participant with this BSN is already in the chain":
        "er is al een deelnemer met dit BSN in de keten",
    "unknown basic condition {condition}": "onbekende basisvoorwaarde {condition}",
    "unknown status {status}": "onbekende status {status}",
    "unknown purpose {purpose}": "onbekend doel {purpose}",
    "sharing for {purpose} rests on a {basis}, not on consent: it cannot be withdrawn":
        "het delen voor {purpose} rust op de grondslag {basis}, niet op toestemming: u kunt het "
        "niet intrekken",
    "cannot admit without consent for {purposes}":
        "toelaten kan alleen met toestemming voor {purposes}",
    "cannot admit a participant without safety clearance":
        "toelaten kan alleen als de veiligheid akkoord is",
    "cannot admit with motivation below {minimum}":
        "toelaten kan niet met een motivatie lager dan {minimum}",
    "the expected release date is already {day}": "de verwachte vrijlating staat al op {day}",
    "each basic condition at most once per update":
        "noem elke basisvoorwaarde maar één keer per wijziging",
    "unknown reason for correcting a release {reason}":
        "onbekende reden om een vrijlating te corrigeren: {reason}",
    "the release is already recorded on {day}": "de vrijlating staat al op {day}",
    "unknown withdrawal reason {reason}": "onbekende reden van uitschrijving: {reason}",
    "cannot {action} a participant who is {status}": "dit kan niet: de deelnemer is {status}",
    # Training's.
    "a cohort cannot end before it starts": "een cohort kan niet eindigen voordat het begint",
    "{module} is not in this programme": "module {module} hoort niet bij dit programma",
    "already in this cohort": "al ingeschreven in dit cohort",
    "the cohort is full or has started": "het cohort is vol of al begonnen",
    "the session is outside the cohort's dates":
        "de bijeenkomst valt buiten de data van het cohort",
    "attendance for {day} is already recorded": "de aanwezigheid op {day} is al vastgelegd",
    "not in this cohort: {participants}": "niet in dit cohort: {participants}",
    "a participant is either present or absent":
        "een deelnemer is aanwezig of afwezig, niet allebei",
    "{module} needs {modules} passed first":
        "voor module {module} moet eerst {modules} behaald zijn",
    "{module} needs Dutch at {level} or {language_module} passed":
        "voor module {module} is Nederlands op niveau {level} nodig, of een behaalde module "
        "{language_module}",
    "the cohort is for {module}": "het cohort is voor module {module}",
    "{module} is already {status}": "module {module} heeft al de status {status}",
    "{module} is {status}, not followed in a cohort":
        "module {module} heeft de status {status} en wordt niet in een cohort gevolgd",
    "unknown correction reason {reason}": "onbekende reden van correctie: {reason}",
    "the placement's {name} is now {day}: look at it again before correcting it":
        "de {name} van de plaatsing is inmiddels {day}: bekijk die opnieuw voordat u hem "
        "corrigeert",
    "the latest result of {module} is now {result} on {day}: look at it again before correcting "
    "it": "het laatste resultaat van module {module} is nu {result} op {day}: bekijk het opnieuw "
          "voordat u het corrigeert",
    "a pass": "geslaagd",
    "a fail": "niet geslaagd",
    "the result of {module} is recorded so already":
        "dit resultaat van module {module} staat er al",
    "no result of {module} is recorded": "er is geen resultaat van module {module} vastgelegd",
    "{modules} was taken after the pass of {module}: correct what came after it first":
        "{modules} is gevolgd na het slagen voor module {module}: corrigeer eerst wat daarna kwam",
    "no certificate for {module}: it is not passed":
        "geen certificaat voor module {module}: die is niet behaald",
    "the certificate for {module} is already awarded":
        "het certificaat voor module {module} is al uitgereikt",
    "the programme is {status}": "het programma heeft de status {status}",
    "module {module} exists; change it instead": "module {module} bestaat al; wijzig die",
    "required modules must be other modules of the catalogue: {modules}":
        "vereiste modules moeten andere modules uit de catalogus zijn: {modules}",
    # Matching's.
    "{accepted} positions are already taken": "alle {accepted} plaatsen zijn al bezet",
    "unknown occupation {occupation}": "onbekend beroep {occupation}",
    "risk areas are screened only when a VOG is required":
        "risicogebieden worden alleen getoetst als een VOG vereist is",
    "a shift has a start and an end": "een dienst heeft een begin en een einde",
    "cannot {action} a vacancy that is {status}": "dit kan niet: de vacature is {status}",
    "only an eligible candidate is proposed": "alleen een geschikte kandidaat wordt voorgesteld",
    "the proposal is already {status}": "het voorstel is al {status}",
    "unknown expiry reason {reason}": "onbekende reden van verlopen: {reason}",
    "unknown party {party}": "onbekende partij {party}",
    # Notifications'.
    "credentials do not belong in a webhook URL":
        "inloggegevens horen niet in het adres van een webhook",
    "a webhook URL needs a host": "het adres van een webhook heeft een host nodig",
    "a webhook URL must use https": "het adres van een webhook moet met https beginnen",
    "a webhook may not point into a private network":
        "een webhook mag niet naar een privénetwerk wijzen",
    "unknown organisation {organisation}": "onbekende organisatie {organisation}",
    "one of {languages}": "kies uit {languages}",
    "matches no event type {kind} may hear of":
        "dit past bij geen soort feit waarvan deze organisatie mag horen",
    "only a failed delivery is sent again; this one is {status}":
        "alleen een mislukte bezorging wordt opnieuw verstuurd; deze heeft de status {status}",
    "only inbox entries are acknowledged":
        "alleen berichten in de inbox worden als gelezen gemarkeerd",
    "a recipient named {name} exists": "er is al een ontvanger met de naam {name}",
    # Placement's.
    "a subsidy cannot end before it starts": "een subsidie kan niet eindigen voordat ze begint",
    "the youth minimum wage holds from {youngest} to {oldest} years of age; from {adult} leave "
    "it out": "het minimumjeugdloon geldt van {youngest} tot en met {oldest} jaar; laat de "
              "leeftijd vanaf {adult} jaar leeg",
    "below the statutory minimum wage of {wage} an hour in force on {day} for {adult} and over; "
    "for a younger employee give age_on_start":
        "lager dan het wettelijk minimumloon van {wage} per uur dat op {day} geldt vanaf {adult} "
        "jaar; geef bij een jongere werknemer de leeftijd op de startdag",
    "below the statutory minimum youth wage of {wage} an hour in force on {day} at the age given":
        "lager dan het wettelijk minimumjeugdloon van {wage} per uur dat op {day} geldt bij deze "
        "leeftijd",
    "unknown end reason {reason}": "onbekende reden van beëindiging: {reason}",
    "cannot correct the start of a placement that never started":
        "een plaatsing die niet gestart is, heeft geen start om te corrigeren",
    "a placement cannot start after it ended":
        "een plaatsing kan niet starten nadat ze is beëindigd",
    "a check-in was held before that day": "er was al een voortgangsgesprek vóór die dag",
    "cannot correct the end of a placement that has not ended":
        "een plaatsing die niet beëindigd is, heeft geen einde om te corrigeren",
    "a placement cannot end before it started": "een plaatsing kan niet eindigen voordat ze start",
    "the placement's {name} is {value} already": "de plaatsing staat al op {value}",
    "unknown risk level {risk}": "onbekend risiconiveau {risk}",
    "a check-in before the start of the placement":
        "een voortgangsgesprek kan niet vóór de start van de plaatsing",
    "cannot {action} a placement that is {status}": "dit kan niet: de plaatsing is {status}",
    # Matching's reasons for a ranking and a proposal: why a candidate is excluded...
    "lacks required certificate {certificates}": "mist het vereiste certificaat {certificates}",
    "Dutch at {level}, the vacancy needs {needed}":
        "Nederlands op {level}, de vacature vraagt {needed}",
    "area ban covers {municipality}": "gebiedsverbod voor {municipality}",
    "no VOG possible for risk area {areas}": "geen VOG mogelijk voor risicogebied {areas}",
    "no VOG possible for risk area {areas}, unknown here":
        "geen VOG mogelijk voor risicogebied {areas}, dat hier onbekend is",
    "may not work with minors": "mag niet werken met minderjarigen",
    "may not work with vulnerable people": "mag niet werken met kwetsbare mensen",
    "has a driving ban": "heeft een rijverbod",
    "restriction {restrictions} is not known here": "beperking {restrictions} is hier onbekend",
    "the shift falls in curfew hours ({starts}-{ends})":
        "de dienst valt binnen de avondklok ({starts}-{ends})",
    "available from {day}, after the start date": "beschikbaar vanaf {day}, na de startdatum",
    "already placed": "al geplaatst",
    # ...what speaks for them or against them...
    "holds every required certificate": "heeft alle vereiste certificaten",
    "Dutch at {level} (asked: {asked})": "Nederlands op {level} (gevraagd: {asked})",
    "available from {day}": "beschikbaar vanaf {day}",
    "holds desired certificates {certificates}": "heeft de gewenste certificaten {certificates}",
    "holds none of the desired certificates": "heeft geen van de gewenste certificaten",
    "has the skills {skills}": "heeft de vaardigheden {skills}",
    "has none of the skills asked for": "heeft geen van de gevraagde vaardigheden",
    "wants to work as {occupation}": "wil werken als {occupation}",
    "prefers another occupation": "wil liever een ander beroep",
    "prefers the {sector} sector": "werkt het liefst in de sector {sector}",
    "prefers another sector than {sector}": "werkt liever in een andere sector dan {sector}",
    "lives in the vacancy's municipality": "woont in de gemeente van de vacature",
    "lives about {km} km away": "woont op ongeveer {km} km afstand",
    "travel distance unknown": "reisafstand onbekend",
    "starts work soon after release": "kan kort na de vrijlating beginnen",
    "waits {days} days between release and start": "wacht {days} dagen tussen vrijlating en start",
    # ...and all of it, as a proposal keeps it.
    "excluded: {reason}": "uitgesloten: {reason}",
    "met: {reason}": "pluspunt: {reason}",
    "missed: {reason}": "minpunt: {reason}",
    "training would close the gap: {module}": "een opleiding lost het op: {module}",
    # Of the screening form.
    "Not a time of day (HH:MM).": "Geen tijdstip (UU:MM).",
    "Must be greater than or equal to 1 and less than or equal to 48.":
        "Minstens 1 en hoogstens 48.",
    "Longer than maximum length 2000.": "Langer dan 2000 tekens.",
}


# A code's words in English: participant.release_date_changed reads "participant release date
# changed".
IN_WORDS = str.maketrans("-_.", "   ")


def label(code, language):
    if code is None:
        return ""
    code = getattr(code, "value", code)
    return DUTCH.get(code, code) if language == "nl" else code.translate(IN_WORDS)


# A value in a template of MESSAGES: {name}.
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _pattern(english):
    """The texts a template fits: its own words as they are, and any value for each {name}."""
    parts = PLACEHOLDER.split(english)  # words, a name, words, a name, ..., words
    return re.compile("".join(f"(?P<{part}>.+?)" if index % 2 else re.escape(part)
                              for index, part in enumerate(parts)))


# The templates, the one with the most words of its own first: "available from {day}, after the
# start date" must win over "available from {day}".
TEMPLATES = [(_pattern(english), MESSAGES[english]) for english in sorted(
    (english for english in MESSAGES if PLACEHOLDER.search(english)),
    key=lambda english: -len(PLACEHOLDER.sub("", english)))]
# A code as a message may read it: "office cleaner" for office-cleaner.
BY_WORDS = {code.translate(IN_WORDS): dutch for code, dutch in DUTCH.items()}


def message(text, language):
    """A message of the pages (Dutch) or of a schema or rule (English), in `language`."""
    if language != "nl":
        return ENGLISH.get(text, text)
    return in_dutch(text) or text


# Longer than any message the rules make (their values are codes, ids, days and amounts): left
# as it is rather than matched, so that no text makes the templates' matching slow; and a value
# is read as a message itself to this depth (a reason naming a message) at most
# (test_a_long_or_nested_text_is_left_as_it_is).
LONGEST_MATCHED = 400
DEEPEST_MATCHED = 2


def in_dutch(text, depth=0):
    """The Dutch of an English message, as MESSAGES has it or as one of its templates fits it
    with the values filled in; None where MESSAGES has neither."""
    if text in MESSAGES:
        return MESSAGES[text]
    if len(text) > LONGEST_MATCHED or depth > DEEPEST_MATCHED:
        return None
    for pattern, dutch in TEMPLATES:
        if fits := pattern.fullmatch(text):
            return dutch.format(**{name: _value_in_dutch(value, depth + 1)
                                   for name, value in fits.groupdict().items()})
    return None


def _value_in_dutch(value, depth):
    """A value a message names: itself a message, or a code or codes listed, which a message
    may quote ('matching') or read as their words; else as it is."""
    if len(value) > 1 and value[0] == value[-1] == "'":
        value = value[1:-1]
    return in_dutch(value, depth) or ", ".join(DUTCH.get(code) or BY_WORDS.get(code, code)
                                               for code in value.split(", "))
