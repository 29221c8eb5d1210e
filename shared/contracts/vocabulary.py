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
    "electronic-monitoring",
}

# The risk areas of Justis' general screening profile for a certificate of conduct (VOG).
# A participant restricted on an area cannot get a VOG for work that screens on it.
VOG_RISK_AREAS = {
    "information",
    "money",
    "goods",
    "services",
    "business-transactions",
    "processes",
    "managing-the-organisation",
    "persons",
}

# Occupations the chain trains and matches for, each with its ISCO-08 unit group: the level
# under which ESCO files its occupations, so codes map onto ESCO without a lookup service.
OCCUPATIONS = {
    "office-cleaner": ("9112", "Office cleaner"),
    "industrial-cleaner": ("9129", "Industrial cleaner"),
    "warehouse-worker": ("9333", "Warehouse worker"),
    "forklift-driver": ("8344", "Forklift driver"),
    "construction-labourer": ("9313", "Construction labourer"),
    "road-worker": ("9312", "Road worker"),
    "kitchen-assistant": ("9412", "Kitchen assistant"),
    "cook": ("5120", "Cook"),
    "van-driver": ("8322", "Van driver"),
    "truck-driver": ("8332", "Truck driver"),
    "gardener": ("9214", "Gardener"),
    "production-worker": ("9329", "Production worker"),
    "building-caretaker": ("5153", "Building caretaker"),
}

SKILLS = {
    "teamwork": "Working in a team",
    "punctuality": "Being on time and keeping agreements",
    "following-safety-instructions": "Following safety instructions",
    "operating-forklift": "Operating a forklift",
    "cleaning-techniques": "Professional cleaning techniques",
    "stock-handling": "Receiving, storing and picking goods",
    "food-hygiene": "Working hygienically with food",
    "customer-contact": "Dealing with customers",
    "manual-handling": "Lifting and carrying safely",
    "basic-carpentry": "Basic carpentry",
    "driving": "Driving a vehicle (licence B)",
    "digital-basics": "Using a computer and smartphone for work",
}

CONSENT_PURPOSES = {"training", "matching", "placement-follow-up", "inform-municipality"}
LEGAL_BASES = {"consent", "legal-obligation"}

REJECTION_REASONS = {"not-motivated", "safety-not-cleared", "no-consent", "other"}
WITHDRAWAL_REASONS = {"dropped-out", "transferred", "recalled-to-custody"}
# Why a recorded fact (a release, a result, the start or end of a placement) is put right: codes,
# as the correction is told to the chain and a reason in words could say more of the person.
CORRECTION_REASONS = {"entry-error", "recorded-in-advance", "other"}

VACANCY_CLOSE_REASONS = {"filled-elsewhere", "withdrawn-by-employer", "other"}
# The two sides of a match, each of whom accepts or declines a proposal.
MATCH_PARTIES = ("employer", "candidate")
# Why a proposal lapsed without both answers: timed out, or overtaken by events.
MATCH_EXPIRY_REASONS = {"timed-out", "vacancy-changed", "vacancy-closed", "candidate-withdrawn"}
# How notifications reaches a recipient.
DELIVERY_CHANNELS = {"inbox", "email", "webhook"}
PLACEMENT_END_REASONS = {"contract-ended", "dismissed", "resigned", "returned-to-custody",
                         "moved-away", "health"}
# How a job coach sees a placement, in rising order: a check-in that names a later level raises
# the risk, and a raised risk is never "none".
RISK_LEVELS = ("none", "attention", "at-risk")

# The five basic conditions a municipality arranges for someone returning from detention.
BASIC_CONDITIONS = ("id-document", "housing", "income", "debts", "care")
CONDITION_STATUSES = {"settled", "in-progress", "not-settled"}

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

# The training module that leads to each certificate in the catalogue training starts with:
# what matching advises to close a gap until training's facts told it of any module
# (services/matching/store.py TrainingModules).
MODULE_FOR_CERTIFICATE = {
    "employee-skills": "employee-skills",
    "vca-basic": "vca-basic",
    "bhv": "bhv",
    "forklift": "forklift",
    "code-95": "code-95",
    "cleaning-diploma": "cleaning",
    "hospitality-basic": "hospitality",
    "dutch-for-work": "dutch-for-work",
}
# The certificate of Dutch for work: the module that leads to it closes a gap in language.
LANGUAGE_CERTIFICATE = "dutch-for-work"

# Where municipalities (by CBS code) lie: latitude, longitude of their main town, to estimate
# travel distance; the region of the chain and the larger cities around it.
MUNICIPALITY_LOCATIONS = {
    "0344": (52.091, 5.122),  # Utrecht
    "0482": (51.866, 4.660),  # Alblasserdam
    "0489": (51.856, 4.535),  # Barendrecht
    "0502": (51.929, 4.578),  # Capelle aan den IJssel
    "0505": (51.813, 4.690),  # Dordrecht
    "0512": (51.835, 4.974),  # Gorinchem
    "0513": (52.012, 4.711),  # Gouda
    "0518": (52.078, 4.288),  # Den Haag
    "0531": (51.844, 4.639),  # Hendrik-Ido-Ambacht
    "0542": (51.915, 4.594),  # Krimpen aan den IJssel
    "0590": (51.832, 4.700),  # Papendrecht
    "0597": (51.872, 4.602),  # Ridderkerk
    "0599": (51.922, 4.479),  # Rotterdam
    "0606": (51.919, 4.399),  # Schiedam
    "0610": (51.821, 4.776),  # Sliedrecht
    "0642": (51.815, 4.640),  # Zwijndrecht
    "0758": (51.589, 4.776),  # Breda
    "0779": (51.702, 4.857),  # Geertruidenberg
    "0855": (51.560, 5.091),  # Tilburg
    "1709": (51.700, 4.625),  # Moerdijk
    "1719": (51.705, 4.805),  # Drimmelen
    "1930": (51.845, 4.330),  # Nissewaard
    "1961": (51.960, 5.060),  # Vijfheerenlanden
    "1963": (51.770, 4.450),  # Hoeksche Waard
    "1978": (51.880, 4.830),  # Molenlanden
}
