"""Plain data the synthetic area is drawn from: names, streets, conditions, admission
reasons, medicines and social care services.

Nothing here is about a real person or place. The town is "Joinedup", postcode area
"JU". Telephone numbers come from Ofcom's ranges reserved for drama (07700 900xxx and
01632 960xxx). Codes are SNOMED CT concept ids (http://snomed.info/sct).
"""

from __future__ import annotations

from dataclasses import dataclass

SNOMED = "http://snomed.info/sct"
TOWN = "Joinedup"
POSTCODE_AREA = "JU"

# --- People -----------------------------------------------------------------------

# England-like age pyramid (ONS 2021 census, England, per cent by five-year band).
# (lowest age in band, highest age in band, weight)
AGE_BANDS_5Y: tuple[tuple[int, int, float], ...] = (
    (0, 4, 5.4),
    (5, 9, 5.9),
    (10, 14, 6.0),
    (15, 19, 5.6),
    (20, 24, 6.0),
    (25, 29, 6.6),
    (30, 34, 6.9),
    (35, 39, 6.6),
    (40, 44, 6.3),
    (45, 49, 6.3),
    (50, 54, 6.9),
    (55, 59, 6.7),
    (60, 64, 5.8),
    (65, 69, 4.9),
    (70, 74, 4.9),
    (75, 79, 3.6),
    (80, 84, 2.4),
    (85, 89, 1.5),
    (90, 100, 0.8),
)

# Given names with weights for three birth cohorts: (born before 1960, 1960-1989,
# 1990 and later). A zero weight means the name is not drawn for that cohort.
MALE_NAMES: tuple[tuple[str, tuple[int, int, int]], ...] = (
    ("William", (20, 8, 10)),
    ("Robert", (20, 8, 2)),
    ("James", (18, 15, 12)),
    ("John", (30, 20, 3)),
    ("David", (15, 25, 4)),
    ("Michael", (10, 25, 3)),
    ("Thomas", (12, 8, 12)),
    ("Richard", (10, 12, 1)),
    ("Christopher", (3, 15, 3)),
    ("Anthony", (8, 10, 1)),
    ("Peter", (15, 10, 1)),
    ("Paul", (6, 15, 1)),
    ("Mark", (2, 15, 1)),
    ("Andrew", (4, 15, 2)),
    ("Stephen", (6, 14, 1)),
    ("Kenneth", (15, 1, 0)),
    ("George", (15, 2, 10)),
    ("Edward", (12, 3, 3)),
    ("Frederick", (10, 0, 1)),
    ("Albert", (10, 0, 1)),
    ("Arthur", (12, 0, 8)),
    ("Henry", (6, 1, 6)),
    ("Charles", (10, 4, 5)),
    ("Joseph", (8, 5, 5)),
    ("Daniel", (1, 10, 10)),
    ("Matthew", (1, 10, 8)),
    ("Samuel", (2, 4, 10)),
    ("Alexander", (1, 3, 7)),
    ("Benjamin", (1, 3, 7)),
    ("Oliver", (1, 1, 12)),
    ("Jack", (2, 2, 10)),
    ("Harry", (3, 1, 10)),
    ("Oscar", (1, 0, 6)),
    ("Noah", (0, 0, 8)),
    ("Leo", (0, 0, 7)),
    ("Muhammad", (0, 2, 8)),
    ("Mohammed", (1, 3, 4)),
    ("Imran", (0, 3, 1)),
    ("Arjun", (0, 1, 3)),
    ("Rajesh", (0, 3, 0)),
    ("Sanjay", (1, 2, 0)),
    ("Piotr", (0, 1, 2)),
    ("Jakub", (0, 0, 3)),
    ("Tomasz", (0, 1, 2)),
    ("Delroy", (1, 2, 0)),
    ("Winston", (3, 1, 0)),
    ("Gareth", (1, 5, 1)),
    ("Dylan", (0, 1, 5)),
    ("Rhys", (0, 3, 4)),
    ("Callum", (0, 2, 5)),
    ("Gordon", (5, 1, 0)),
    ("Ian", (4, 10, 0)),
    ("Brian", (10, 4, 0)),
    ("Keith", (8, 4, 0)),
    ("Ronald", (10, 1, 0)),
    ("Leonard", (8, 0, 0)),
    ("Raymond", (9, 2, 0)),
    ("Dennis", (8, 1, 0)),
    ("Gary", (0, 10, 0)),
    ("Darren", (0, 8, 0)),
    ("Jason", (0, 8, 1)),
    ("Jacob", (0, 1, 7)),
    ("Ethan", (0, 0, 7)),
)

FEMALE_NAMES: tuple[tuple[str, tuple[int, int, int]], ...] = (
    ("Margaret", (30, 3, 0)),
    ("Elizabeth", (12, 6, 4)),
    ("Catherine", (6, 8, 2)),
    ("Patricia", (15, 5, 0)),
    ("Susan", (6, 15, 0)),
    ("Jennifer", (3, 10, 2)),
    ("Dorothy", (15, 0, 0)),
    ("Barbara", (15, 2, 0)),
    ("Joan", (15, 0, 0)),
    ("Jean", (15, 0, 0)),
    ("Mary", (20, 4, 1)),
    ("Kathleen", (12, 1, 0)),
    ("Doris", (8, 0, 0)),
    ("Irene", (10, 0, 0)),
    ("Sheila", (10, 1, 0)),
    ("Joyce", (10, 0, 0)),
    ("Pauline", (6, 4, 0)),
    ("Christine", (5, 10, 0)),
    ("Linda", (3, 12, 0)),
    ("Karen", (0, 14, 0)),
    ("Julie", (0, 12, 0)),
    ("Deborah", (1, 10, 0)),
    ("Sarah", (1, 15, 6)),
    ("Rebecca", (0, 6, 5)),
    ("Victoria", (0, 6, 4)),
    ("Helen", (3, 12, 1)),
    ("Amanda", (0, 10, 0)),
    ("Nicola", (0, 10, 1)),
    ("Claire", (0, 10, 1)),
    ("Emma", (0, 10, 6)),
    ("Laura", (0, 8, 5)),
    ("Rachel", (0, 9, 3)),
    ("Jessica", (0, 3, 7)),
    ("Charlotte", (1, 3, 7)),
    ("Emily", (1, 2, 8)),
    ("Olivia", (0, 0, 10)),
    ("Amelia", (0, 0, 9)),
    ("Isla", (0, 0, 7)),
    ("Ava", (0, 0, 7)),
    ("Sophie", (0, 2, 8)),
    ("Grace", (2, 1, 6)),
    ("Lily", (1, 0, 7)),
    ("Chloe", (0, 1, 6)),
    ("Hannah", (0, 3, 6)),
    ("Freya", (0, 0, 5)),
    ("Priya", (0, 2, 3)),
    ("Aisha", (0, 1, 4)),
    ("Fatima", (0, 2, 4)),
    ("Sunita", (0, 2, 0)),
    ("Zofia", (0, 0, 3)),
    ("Agnieszka", (0, 2, 1)),
    ("Anna", (3, 3, 3)),
    ("Marcia", (1, 2, 0)),
    ("Janet", (6, 6, 0)),
    ("Valerie", (8, 1, 0)),
    ("Gillian", (2, 6, 0)),
    ("Alexandra", (0, 2, 3)),
    ("Josephine", (6, 1, 0)),
    ("Eileen", (10, 0, 0)),
    ("Brenda", (8, 1, 0)),
    ("Maureen", (10, 1, 0)),
    ("Florence", (6, 0, 2)),
    ("Evelyn", (6, 0, 2)),
)

# The name someone goes by in a less formal system (council records, reception
# desks). Identity matching has to see through these.
NICKNAMES: dict[str, str] = {
    "William": "Bill",
    "Robert": "Bob",
    "James": "Jim",
    "David": "Dave",
    "Michael": "Mike",
    "Thomas": "Tom",
    "Richard": "Rick",
    "Christopher": "Chris",
    "Anthony": "Tony",
    "Peter": "Pete",
    "Andrew": "Andy",
    "Stephen": "Steve",
    "Kenneth": "Ken",
    "Edward": "Ted",
    "Frederick": "Fred",
    "Albert": "Bert",
    "Henry": "Harry",
    "Charles": "Charlie",
    "Joseph": "Joe",
    "Daniel": "Dan",
    "Matthew": "Matt",
    "Samuel": "Sam",
    "Alexander": "Alex",
    "Benjamin": "Ben",
    "Ronald": "Ron",
    "Leonard": "Len",
    "Raymond": "Ray",
    "Jacob": "Jake",
    "Margaret": "Peggy",
    "Elizabeth": "Liz",
    "Catherine": "Kate",
    "Patricia": "Pat",
    "Susan": "Sue",
    "Jennifer": "Jenny",
    "Dorothy": "Dot",
    "Barbara": "Babs",
    "Kathleen": "Kath",
    "Christine": "Chris",
    "Deborah": "Debbie",
    "Rebecca": "Becky",
    "Victoria": "Vicky",
    "Amanda": "Mandy",
    "Nicola": "Nicky",
    "Jessica": "Jess",
    "Janet": "Jan",
    "Valerie": "Val",
    "Gillian": "Gill",
    "Alexandra": "Alex",
    "Josephine": "Jo",
    "Maureen": "Mo",
    "Florence": "Flo",
    "Evelyn": "Evie",
}

# Common surnames in England and Wales, Scotland, and of South Asian, Polish and
# Caribbean heritage, with rough relative frequencies.
FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    ("Smith", 60),
    ("Jones", 45),
    ("Williams", 35),
    ("Taylor", 30),
    ("Brown", 30),
    ("Davies", 28),
    ("Evans", 22),
    ("Wilson", 22),
    ("Thomas", 20),
    ("Johnson", 20),
    ("Roberts", 19),
    ("Robinson", 16),
    ("Thompson", 16),
    ("Wright", 16),
    ("Walker", 15),
    ("White", 15),
    ("Edwards", 14),
    ("Hughes", 14),
    ("Green", 14),
    ("Hall", 14),
    ("Lewis", 13),
    ("Harris", 13),
    ("Clarke", 13),
    ("Patel", 13),
    ("Jackson", 12),
    ("Wood", 12),
    ("Turner", 11),
    ("Martin", 11),
    ("Cooper", 11),
    ("Hill", 11),
    ("Ward", 10),
    ("Morris", 10),
    ("Moore", 10),
    ("Clark", 10),
    ("Lee", 10),
    ("King", 10),
    ("Baker", 10),
    ("Harrison", 9),
    ("Morgan", 9),
    ("Allen", 9),
    ("James", 9),
    ("Scott", 9),
    ("Phillips", 8),
    ("Watson", 8),
    ("Davis", 8),
    ("Parker", 8),
    ("Price", 8),
    ("Bennett", 8),
    ("Young", 8),
    ("Griffiths", 8),
    ("Mitchell", 7),
    ("Kelly", 7),
    ("Cook", 7),
    ("Carter", 7),
    ("Richardson", 7),
    ("Bailey", 7),
    ("Collins", 7),
    ("Bell", 7),
    ("Shaw", 7),
    ("Murphy", 7),
    ("Miller", 6),
    ("Cox", 6),
    ("Richards", 6),
    ("Khan", 8),
    ("Marshall", 6),
    ("Anderson", 6),
    ("Simpson", 6),
    ("Ellis", 6),
    ("Adams", 6),
    ("Singh", 7),
    ("Begum", 6),
    ("Wilkinson", 5),
    ("Foster", 5),
    ("Chapman", 5),
    ("Powell", 5),
    ("Webb", 5),
    ("Rogers", 5),
    ("Gray", 5),
    ("Mason", 5),
    ("Ali", 6),
    ("Hunt", 5),
    ("Hussain", 6),
    ("Campbell", 5),
    ("Matthews", 5),
    ("Owen", 5),
    ("Palmer", 5),
    ("Holmes", 4),
    ("Mills", 4),
    ("Barnes", 4),
    ("Knight", 4),
    ("Lloyd", 4),
    ("Butler", 4),
    ("Russell", 4),
    ("Fisher", 4),
    ("Stevens", 4),
    ("Jenkins", 4),
    ("Murray", 4),
    ("Dixon", 4),
    ("MacDonald", 4),
    ("Fraser", 3),
    ("Stewart", 4),
    ("Reid", 3),
    ("Ahmed", 5),
    ("Shah", 4),
    ("Kaur", 4),
    ("Mistry", 2),
    ("Chowdhury", 2),
    ("Nowak", 3),
    ("Kowalczyk", 2),
    ("Wójcik", 2),
    ("Francis", 3),
    ("Grant", 3),
    ("Samuels", 2),
    ("Gordon", 3),
    ("O'Brien", 3),
    ("Smith-Jones", 1),
)

STREETS: tuple[str, ...] = (
    "Station Road",
    "High Street",
    "Church Lane",
    "Mill Lane",
    "Victoria Road",
    "Park Avenue",
    "Queens Road",
    "Kings Road",
    "The Crescent",
    "Manor Way",
    "Chapel Street",
    "Orchard Close",
    "Elm Grove",
    "Beech Drive",
    "Willow Walk",
    "Oak Tree Road",
    "Castle Street",
    "Bridge Street",
    "Market Place",
    "School Lane",
    "New Road",
    "North Street",
    "South Street",
    "West End",
    "East Parade",
    "Albert Road",
    "Alexandra Road",
    "Riverside",
    "Canal Side",
    "Meadow View",
    "Hillside",
    "Green Lane",
    "Windsor Close",
    "York Road",
    "Cambridge Road",
    "Granville Street",
    "Brunswick Terrace",
    "Nelson Street",
    "Wellington Road",
    "Garden Court",
    "Priory Road",
    "Abbey Way",
    "Forge Lane",
    "Tannery Row",
    "Foundry Street",
    "Weavers Walk",
    "Colliery Road",
    "Railway Terrace",
    "Heol y Felin",
    "Stirling Place",
    "Dunmore Gardens",
    "Primrose Hill",
    "Bluebell Way",
    "Foxglove Close",
    "Heather Drive",
    "Lime Street",
    "Cedar Avenue",
    "Ash Grove",
    "Hawthorn Road",
    "Sycamore Close",
    "Rowan Way",
    "Cherry Tree Walk",
    "Moorland Road",
    "Vale View",
    "Brook Street",
    "Fountain Square",
    "Princess Street",
    "St Mary's Road",
    "St John's Close",
    "Bishops Walk",
    "Holly Bank",
    "Ivy Cottages",
    "Jubilee Road",
    "Coronation Street",
    "Commercial Road",
    "Union Street",
    "Quarry Lane",
    "Pit Lane",
    "Ferry Road",
    "Harbour View",
)

# Inward-code unit letters (C, I, K, M, O and V are not used in UK inward codes).
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Deprivation of the nine districts: 1 most deprived .. 10 least (IMD decile).
DISTRICT_IMD_BASE: tuple[int, ...] = (2, 2, 3, 4, 5, 6, 7, 8, 9)

# --- Long-term conditions ------------------------------------------------------------

# Age bands for prevalence: upper bound (exclusive) of each band.
CONDITION_AGE_BANDS: tuple[int, ...] = (18, 40, 65, 75, 85, 200)


@dataclass(frozen=True)
class Condition:
    key: str
    snomed: str
    display: str
    category: str  # access category of the diagnosis: "health" or "mental_health"
    prevalence: tuple[float, ...]  # per CONDITION_AGE_BANDS band
    female_factor: float  # prevalence multiplier for women (men get 1.0)
    efi_deficit: str  # DESIGN 4.5 eFI deficit key, or "" when none
    medications: tuple[str, ...]
    mental_health_service: float  # chance of being on the mental health trust's books


CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "hypertension", "38341003", "Hypertensive disorder", "health",
        (0.001, 0.03, 0.17, 0.40, 0.52, 0.58), 0.95, "hypertension",
        ("Amlodipine 5mg tablets", "Ramipril 5mg capsules",
         "Indapamide 2.5mg tablets"), 0.0,
    ),
    Condition(
        "type_2_diabetes", "44054006", "Type 2 diabetes mellitus", "health",
        (0.0005, 0.012, 0.08, 0.16, 0.19, 0.17), 0.8, "diabetes",
        ("Metformin 500mg tablets", "Gliclazide 80mg tablets",
         "Dapagliflozin 10mg tablets"), 0.0,
    ),
    Condition(
        "copd", "13645005", "Chronic obstructive lung disease", "health",
        (0.0, 0.002, 0.02, 0.06, 0.08, 0.08), 0.9, "respiratory_disease",
        ("Tiotropium 2.5micrograms/dose inhaler",
         "Salbutamol 100micrograms/dose inhaler"), 0.0,
    ),
    Condition(
        "asthma", "195967001", "Asthma", "health",
        (0.08, 0.07, 0.07, 0.07, 0.06, 0.05), 1.1, "respiratory_disease",
        ("Salbutamol 100micrograms/dose inhaler",
         "Beclometasone 100micrograms/dose inhaler"), 0.0,
    ),
    Condition(
        "heart_failure", "84114007", "Heart failure", "health",
        (0.0, 0.001, 0.005, 0.025, 0.06, 0.12), 0.8, "heart_failure",
        ("Bisoprolol 2.5mg tablets", "Furosemide 40mg tablets",
         "Ramipril 2.5mg capsules"), 0.0,
    ),
    Condition(
        "atrial_fibrillation", "49436004", "Atrial fibrillation", "health",
        (0.0, 0.001, 0.008, 0.05, 0.11, 0.16), 0.8, "atrial_fibrillation",
        ("Apixaban 5mg tablets", "Bisoprolol 5mg tablets", "Edoxaban 60mg tablets"),
        0.0,
    ),
    Condition(
        "chronic_kidney_disease", "709044004", "Chronic kidney disease", "health",
        (0.0, 0.002, 0.02, 0.08, 0.17, 0.28), 1.1, "chronic_kidney_disease",
        ("Ramipril 2.5mg capsules", "Dapagliflozin 10mg tablets"), 0.0,
    ),
    Condition(
        "dementia", "52448006", "Dementia", "health",
        (0.0, 0.0, 0.002, 0.015, 0.06, 0.20), 1.2, "memory_cognitive_problems",
        ("Donepezil 5mg tablets", "Memantine 10mg tablets"), 0.5,
    ),
    Condition(
        "depression", "35489007", "Depressive disorder", "mental_health",
        (0.01, 0.11, 0.12, 0.10, 0.09, 0.09), 1.4, "",
        ("Sertraline 50mg tablets", "Citalopram 20mg tablets",
         "Mirtazapine 15mg tablets"), 0.12,
    ),
    Condition(
        "anxiety", "197480006", "Anxiety disorder", "mental_health",
        (0.02, 0.07, 0.06, 0.05, 0.04, 0.04), 1.5, "",
        ("Sertraline 50mg tablets", "Propranolol 10mg tablets"), 0.10,
    ),
    Condition(
        "osteoarthritis", "396275006", "Osteoarthritis", "health",
        (0.0, 0.01, 0.08, 0.20, 0.28, 0.33), 1.3, "arthritis",
        ("Paracetamol 500mg tablets", "Naproxen 250mg tablets",
         "Ibuprofen 5% gel"), 0.0,
    ),
    Condition(
        "osteoporosis", "64859006", "Osteoporosis", "health",
        (0.0, 0.001, 0.015, 0.05, 0.10, 0.15), 3.0, "osteoporosis",
        ("Alendronic acid 70mg tablets",
         "Calcium carbonate 1.5g / Colecalciferol 400unit chewable tablets"), 0.0,
    ),
    Condition(
        "stroke", "230690007", "Cerebrovascular accident", "health",
        (0.0, 0.002, 0.01, 0.04, 0.07, 0.10), 0.9, "cerebrovascular_disease",
        ("Clopidogrel 75mg tablets", "Atorvastatin 20mg tablets"), 0.0,
    ),
    Condition(
        "ischaemic_heart_disease", "414545008", "Ischaemic heart disease", "health",
        (0.0, 0.002, 0.03, 0.10, 0.15, 0.18), 0.6, "ischaemic_heart_disease",
        ("Atorvastatin 80mg tablets", "Aspirin 75mg dispersible tablets",
         "Glyceryl trinitrate 400micrograms/dose sublingual spray"), 0.0,
    ),
    Condition(
        "schizophrenia", "58214004", "Schizophrenia", "mental_health",
        (0.0005, 0.006, 0.006, 0.005, 0.004, 0.003), 0.7, "",
        ("Olanzapine 10mg tablets", "Aripiprazole 10mg tablets"), 1.0,
    ),
    Condition(
        "bipolar_disorder", "13746004", "Bipolar disorder", "mental_health",
        (0.0005, 0.005, 0.005, 0.004, 0.003, 0.002), 1.0, "",
        ("Lithium carbonate 400mg modified-release tablets",
         "Quetiapine 100mg tablets"), 1.0,
    ),
    Condition(
        "learning_disability", "110359009", "Intellectual disability", "health",
        (0.006, 0.006, 0.005, 0.004, 0.003, 0.002), 0.7, "", (), 0.1,
    ),
    Condition(
        "parkinsons_disease", "49049000", "Parkinson's disease", "health",
        (0.0, 0.0, 0.001, 0.006, 0.012, 0.02), 0.7, "parkinsonism_tremor",
        ("Co-careldopa 25mg/100mg tablets",), 0.0,
    ),
    Condition(
        "falls", "161898004", "Falls", "health",
        (0.0, 0.005, 0.02, 0.08, 0.18, 0.30), 1.3, "falls",
        ("Colecalciferol 800unit capsules",), 0.0,
    ),
    Condition(
        "hypothyroidism", "40930008", "Hypothyroidism", "health",
        (0.001, 0.01, 0.04, 0.07, 0.08, 0.09), 4.0, "thyroid_disease",
        ("Levothyroxine sodium 100microgram tablets",), 0.0,
    ),
    Condition(
        "epilepsy", "84757009", "Epilepsy", "health",
        (0.005, 0.007, 0.007, 0.007, 0.007, 0.007), 1.0, "",
        ("Levetiracetam 500mg tablets", "Lamotrigine 100mg tablets"), 0.0,
    ),
)  # fmt: skip

CONDITIONS_BY_KEY: dict[str, Condition] = {c.key: c for c in CONDITIONS}

# Short courses a GP prescribes to anyone.
ACUTE_MEDICATIONS: tuple[str, ...] = (
    "Amoxicillin 500mg capsules",
    "Nitrofurantoin 100mg modified-release capsules",
    "Doxycycline 100mg capsules",
    "Prednisolone 5mg tablets",
    "Omeprazole 20mg gastro-resistant capsules",
    "Co-codamol 8mg/500mg tablets",
    "Flucloxacillin 500mg capsules",
)

# --- Hospital -------------------------------------------------------------------------

ACUTE_SITES: tuple[tuple[str, str], ...] = (
    ("RJU01", "Joinedup General Hospital"),
    ("RJU02", "Joinedup Treatment Centre"),
)

# ward key -> (ward name, site code)
WARDS: dict[str, tuple[str, str]] = {
    "amu": ("Acute Medical Unit", "RJU01"),
    "elderly": ("Ward 3 (Care of the Elderly)", "RJU01"),
    "stroke": ("Ward 4 (Stroke Unit)", "RJU01"),
    "cardiology": ("Ward 5 (Cardiology)", "RJU01"),
    "respiratory": ("Ward 7 (Respiratory)", "RJU01"),
    "medicine": ("Ward 8 (General Medicine)", "RJU01"),
    "surgery": ("Ward 9 (General Surgery)", "RJU01"),
    "orthopaedics": ("Ward 12 (Trauma and Orthopaedics)", "RJU01"),
    "paediatrics": ("Ward 14 (Children's Ward)", "RJU01"),
    "elective_ortho": ("Ward 21 (Elective Orthopaedics)", "RJU02"),
    "elective_surgery": ("Ward 22 (Surgical Short Stay)", "RJU02"),
}


@dataclass(frozen=True)
class AdmissionReason:
    key: str
    snomed: str
    display: str
    ward: str  # WARDS key
    weights: tuple[float, ...]  # per CONDITION_AGE_BANDS band
    needs_condition: str = ""  # only drawn for people with this condition


EMERGENCY_REASONS: tuple[AdmissionReason, ...] = (
    AdmissionReason("pneumonia", "233604007", "Pneumonia", "respiratory",
                    (4, 3, 5, 8, 10, 12)),
    AdmissionReason("copd_exacerbation", "195951007",
                    "Acute exacerbation of chronic obstructive airways disease",
                    "respiratory", (0, 0, 40, 60, 60, 50), "copd"),
    AdmissionReason("asthma_attack", "281239006", "Exacerbation of asthma",
                    "respiratory", (40, 20, 15, 10, 5, 3), "asthma"),
    AdmissionReason("uti", "68566005", "Urinary tract infectious disease",
                    "elderly", (2, 3, 3, 6, 10, 14)),
    AdmissionReason("hip_fracture", "5913000", "Fracture of neck of femur",
                    "orthopaedics", (0, 0.2, 1, 3, 6, 9)),
    AdmissionReason("fall", "1912002", "Fall", "elderly", (1, 1, 2, 5, 9, 12)),
    AdmissionReason("chest_pain", "29857009", "Chest pain", "cardiology",
                    (1, 6, 10, 8, 6, 4)),
    AdmissionReason("myocardial_infarction", "22298006", "Myocardial infarction",
                    "cardiology", (0, 1, 4, 5, 5, 4)),
    AdmissionReason("heart_failure", "84114007", "Heart failure", "cardiology",
                    (0, 0, 40, 60, 70, 70), "heart_failure"),
    AdmissionReason("stroke", "230690007", "Cerebrovascular accident", "stroke",
                    (0, 0.5, 2, 4, 5, 5)),
    AdmissionReason("cellulitis", "128045006", "Cellulitis", "medicine",
                    (2, 4, 4, 4, 4, 4)),
    AdmissionReason("aki", "14669001", "Acute kidney injury", "medicine",
                    (0, 0.5, 2, 4, 6, 8)),
    AdmissionReason("sepsis", "91302008", "Sepsis", "medicine", (2, 1, 2, 4, 6, 7)),
    AdmissionReason("delirium", "2776000", "Delirium", "elderly", (0, 0, 0.5, 2, 5, 8)),
    AdmissionReason("dehydration", "34095006", "Dehydration", "elderly",
                    (3, 0.5, 0.5, 1, 3, 5)),
    AdmissionReason("gastroenteritis", "25374005", "Gastroenteritis", "medicine",
                    (12, 4, 2, 2, 2, 2)),
    AdmissionReason("abdominal_pain", "21522001", "Abdominal pain", "surgery",
                    (8, 12, 8, 5, 4, 3)),
    AdmissionReason("appendicitis", "74400008", "Appendicitis", "surgery",
                    (10, 6, 2, 0.5, 0.3, 0.1)),
    AdmissionReason("syncope", "271594007", "Syncope", "medicine",
                    (1, 2, 2, 3, 4, 4)),
    AdmissionReason("hypoglycaemia", "302866003", "Hypoglycaemia", "medicine",
                    (0, 20, 20, 20, 20, 20), "type_2_diabetes"),
    AdmissionReason("bronchiolitis", "4120002", "Bronchiolitis", "paediatrics",
                    (15, 0, 0, 0, 0, 0)),
)  # fmt: skip

ELECTIVE_REASONS: tuple[AdmissionReason, ...] = (
    AdmissionReason("hip_replacement", "52734007", "Total replacement of hip",
                    "elective_ortho", (0, 0.2, 3, 6, 5, 1)),
    AdmissionReason("knee_replacement", "609588000", "Total knee replacement",
                    "elective_ortho", (0, 0.2, 3, 6, 4, 1)),
    AdmissionReason("hernia_repair", "44558001", "Repair of inguinal hernia",
                    "elective_surgery", (2, 3, 4, 4, 3, 1)),
    AdmissionReason("cholecystectomy", "38102005", "Cholecystectomy",
                    "elective_surgery", (0.2, 4, 4, 3, 2, 0.5)),
    AdmissionReason("tonsillectomy", "173422009", "Tonsillectomy",
                    "elective_surgery", (6, 1, 0, 0, 0, 0)),
)  # fmt: skip

# A&E attendances that do not lead to admission: (SNOMED, display)
AE_COMPLAINTS: tuple[tuple[str, str], ...] = (
    ("29857009", "Chest pain"),
    ("21522001", "Abdominal pain"),
    ("44465007", "Sprain of ankle"),
    ("312608009", "Laceration - injury"),
    ("82271004", "Injury of head"),
    ("386661006", "Fever"),
    ("267036007", "Dyspnoea"),
    ("25064002", "Headache"),
    ("161891005", "Backache"),
    ("1912002", "Fall"),
)

# Discharge to Assess pathway (DESIGN 4.2) -> (destination key, NHS Data Dictionary
# discharge destination code).
PATHWAY_DESTINATIONS: dict[str, tuple[str, str]] = {
    "0": ("usual_residence", "19"),
    "1": ("usual_residence_with_support", "19"),
    "2": ("intermediate_care_bed", "51"),
    "3": ("care_home", "85"),
}

# --- Primary, community and mental health care ------------------------------------

GP_CONSULTATION_SNOMED = ("11429006", "Consultation")
FALL_SNOMED = ("1912002", "Fall")
GP_MODES: tuple[tuple[str, str, int], ...] = (
    # (mode key, wording, weight)
    ("face_to_face", "face to face", 62),
    ("telephone", "telephone", 32),
    ("video", "video", 3),
    ("home_visit", "home visit", 3),
)

# community service key -> display
COMMUNITY_SERVICES: dict[str, str] = {
    "district_nursing": "District nursing visit",
    "community_matron": "Community matron review",
    "intermediate_care_home": "Intermediate care (at home) visit",
    "intermediate_care_bed": "Intermediate care (bed-based) review",
    "falls_service": "Falls service assessment",
    "physiotherapy": "Community physiotherapy",
    "podiatry": "Podiatry appointment",
    "heart_failure_nurse": "Heart failure specialist nurse review",
    "respiratory_team": "Community respiratory team review",
}

# mental health team key -> display
MENTAL_HEALTH_TEAMS: dict[str, str] = {
    "cmht": "Community mental health team contact",
    "memory_service": "Memory service appointment",
    "talking_therapies": "Talking therapies session",
    "crisis_team": "Crisis resolution team contact",
}

SEXUAL_HEALTH_SUMMARY = "Sexual health clinic attendance"

# --- Social care ----------------------------------------------------------------------

# service type key -> display, and whether it is priced by the hour (home-based care)
SOCIAL_CARE_SERVICES: dict[str, str] = {
    "home_care": "Home care",
    "reablement": "Reablement",
    "day_opportunities": "Day opportunities",
    "residential_care": "Residential care",
    "nursing_care": "Nursing care",
    "equipment": "Community equipment",
    "direct_payment": "Direct payment",
}
HOURLY_SERVICES = frozenset({"home_care", "reablement"})
HOME_CARE_HOURLY_RATE = 25.20  # pounds an hour, a typical 2025/26 council rate

# weekly cost ranges in pounds for services priced by the week
WEEKLY_COST_RANGES: dict[str, tuple[int, int]] = {
    "day_opportunities": (60, 240),
    "residential_care": (780, 1150),
    "nursing_care": (950, 1450),
    "equipment": (3, 15),
    "direct_payment": (150, 650),
}

ASSESSMENT_TYPES: dict[str, str] = {
    "needs_assessment": "Care Act needs assessment",
    "review": "Care and support plan review",
    "carers_assessment": "Carer's assessment",
}
ASSESSMENT_OUTCOMES: tuple[tuple[str, int], ...] = (
    ("eligible", 70),
    ("not_eligible", 12),
    ("information_and_advice", 18),
)
REVIEW_OUTCOMES: tuple[tuple[str, int], ...] = (
    ("no_change", 60),
    ("increase", 25),
    ("decrease", 10),
    ("end", 5),
)

SAFEGUARDING_OUTCOMES: tuple[tuple[str, int], ...] = (
    ("s42_enquiry", 35),
    ("other_enquiry", 15),
    ("no_further_action", 50),
)

# --- "About me" (PRSB) ------------------------------------------------------------

ABOUT_ME: dict[str, tuple[str, ...]] = {
    "what_matters_to_me": (
        "Staying in my own home for as long as I can.",
        "Seeing my grandchildren every week.",
        "Getting out to the garden centre and the shops.",
        "Being able to look after my dog.",
        "Going to church on Sundays.",
        "Keeping my independence.",
    ),
    "people_important_to_me": (
        "My daughter, who visits most days.",
        "My son and his family, who live nearby.",
        "My neighbour, who helps with shopping.",
        "My friends from the lunch club.",
        "My wife, who is my main carer.",
        "My husband, who is my main carer.",
    ),
    "how_to_communicate_with_me": (
        "Please speak clearly and face me; I wear hearing aids.",
        "I need large print letters.",
        "Please give me time to answer.",
        "Phone my daughter before visiting.",
        "I prefer to be called by my first name.",
    ),
    "my_wellbeing": (
        "I feel low in the winter months.",
        "I enjoy music and it helps me relax.",
        "Walking every day keeps me well.",
        "I worry about falling when I am alone.",
    ),
    "important_to_know": (
        "I live alone.",
        "I have a key safe by the front door.",
        "I look after my husband, who has dementia.",
        "I have a lasting power of attorney in place.",
        "I do not like hospitals.",
    ),
    "daily_routine": (
        "I get up around 8 and like a cup of tea first thing.",
        "I have my main meal at lunchtime.",
        "I go to bed early, around 9.",
        "I like a nap after lunch.",
        "I go to the day centre on Tuesdays and Thursdays.",
    ),
}

# UK Core NHS Number Verification Status (England) displays.
NHS_NUMBER_STATUS_DISPLAY: dict[str, str] = {
    "01": "Number present and verified",
    "02": "Number present but not traced",
    "03": "Trace required",
    "04": "Trace attempted - No match or multiple match found",
    "05": "Trace needs to be resolved - (NHS number or patient detail conflict)",
    "06": "Trace in progress",
    "07": "Number not present and trace not required",
    "08": "Trace postponed (baby under six weeks old)",
}

GP_PRACTICE_NAMES: tuple[str, ...] = (
    "Riverside Surgery",
    "Castle Street Medical Practice",
    "Millbrook Health Centre",
    "Northgate Family Practice",
    "Abbey Road Surgery",
    "Station Road Medical Centre",
    "Elm Tree Surgery",
    "Parkside Practice",
    "The Old Mill Surgery",
    "Hillcrest Medical Centre",
    "Canal Side Health Centre",
    "Meadow View Surgery",
)
