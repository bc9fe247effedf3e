"""Where each eFI deficit (DESIGN 4.5) is found in the shared record: coded
diagnoses and reasons for admission or attendance (SNOMED CT), medicines
(polypharmacy), social care data and events. Plain data, read by the refresh
jobs (engine/jobs/).

The eFI was defined over Read codes (Clegg et al., Age and Ageing 2016); these are
SNOMED CT concepts of the same meaning, including those the synthetic area's
systems send (synth/catalogue.py)."""

from __future__ import annotations

# SNOMED CT concept id -> eFI deficit key
SNOMED_DEFICITS: dict[str, str] = {
    # long-term conditions (catalogue.CONDITIONS)
    "38341003": "hypertension",
    "44054006": "diabetes",
    "46635009": "diabetes",  # type 1
    "13645005": "respiratory_disease",  # COPD
    "195967001": "respiratory_disease",  # asthma
    "84114007": "heart_failure",
    "49436004": "atrial_fibrillation",
    "709044004": "chronic_kidney_disease",
    "52448006": "memory_cognitive_problems",  # dementia
    "386806002": "memory_cognitive_problems",  # impaired cognition
    "2776000": "memory_cognitive_problems",  # delirium
    "396275006": "arthritis",  # osteoarthritis
    "69896004": "arthritis",  # rheumatoid arthritis
    "64859006": "osteoporosis",
    "230690007": "cerebrovascular_disease",  # stroke
    "266257000": "cerebrovascular_disease",  # TIA
    "414545008": "ischaemic_heart_disease",
    "22298006": "ischaemic_heart_disease",  # myocardial infarction
    "194828000": "ischaemic_heart_disease",  # angina
    "49049000": "parkinsonism_tremor",
    "26079004": "parkinsonism_tremor",  # tremor
    "161898004": "falls",  # history of falls
    "1912002": "falls",  # fall
    "40930008": "thyroid_disease",  # hypothyroidism
    "34486009": "thyroid_disease",  # hyperthyroidism
    # reasons for admission / attendance
    "5913000": "fragility_fracture",  # fracture of neck of femur
    "68566005": "urinary_system_disease",  # urinary tract infection
    "14669001": "urinary_system_disease",  # acute kidney injury
    "271594007": "hypotension_syncope",  # syncope
    "45007003": "hypotension_syncope",  # low blood pressure
    "267036007": "dyspnoea",
    # other deficits a GP system may code
    "271737000": "anaemia",
    "15188001": "hearing_impairment",
    "397540003": "visual_impairment",
    "165232002": "urinary_incontinence",
    "26677001": "sleep_disturbance",  # insomnia
    "420324007": "skin_ulcer",  # pressure ulcer
    "13200003": "peptic_ulcer",
    "400047006": "peripheral_vascular_disease",
    "368009": "heart_valve_disease",
    "404640003": "dizziness",
    "89362005": "weight_loss_anorexia",
    "79890006": "weight_loss_anorexia",  # loss of appetite
    "299701003": "foot_problems",
    "302040001": "mobility_transfer_problems",  # difficulty transferring
    "160685001": "housebound",
    "105421008": "social_vulnerability",  # lives alone (social isolation)
}

# Polypharmacy: five or more different regular medicines (DESIGN 4.5) in the year
# before the refresh; short ("acute") courses do not count.
POLYPHARMACY_MIN = 5

# Social care services in place that mean the person needs care from others.
CARE_SERVICES = (
    "home_care",
    "reablement",
    "residential_care",
    "nursing_care",
    "direct_payment",
    "day_opportunities",
)
# Services that show difficulty moving about or doing everyday tasks.
MOBILITY_SERVICES = ("equipment",)
ACTIVITY_SERVICES = ("home_care", "residential_care", "nursing_care")
# Contacts at home that show someone cannot get out: a GP home visit, district
# nursing, the community matron (synth/history.py detail keys).
HOUSEBOUND_GP_MODES = ("home_visit",)
HOUSEBOUND_COMMUNITY_SERVICES = ("district_nursing", "community_matron")
# Event kinds that show social vulnerability: a safeguarding concern.
VULNERABILITY_KINDS = ("safeguarding_concern",)

# Long-term conditions counted for JSNA prevalence and the model's "number of
# long-term conditions": SNOMED CT concept -> condition key.
LTC_SNOMED: dict[str, str] = {
    "38341003": "hypertension",
    "44054006": "diabetes",
    "46635009": "diabetes",
    "13645005": "copd",
    "195967001": "asthma",
    "84114007": "heart_failure",
    "49436004": "atrial_fibrillation",
    "709044004": "chronic_kidney_disease",
    "52448006": "dementia",
    "35489007": "depression",
    "197480006": "anxiety",
    "396275006": "osteoarthritis",
    "64859006": "osteoporosis",
    "230690007": "stroke",
    "414545008": "ischaemic_heart_disease",
    "58214004": "serious_mental_illness",
    "13746004": "serious_mental_illness",
    "110359009": "learning_disability",
    "49049000": "parkinsons_disease",
    "40930008": "thyroid_disease",
    "84757009": "epilepsy",
}

LTC_LABELS: dict[str, str] = {
    "hypertension": "Hypertension",
    "diabetes": "Diabetes",
    "copd": "COPD",
    "asthma": "Asthma",
    "heart_failure": "Heart failure",
    "atrial_fibrillation": "Atrial fibrillation",
    "chronic_kidney_disease": "Chronic kidney disease",
    "dementia": "Dementia",
    "depression": "Depression",
    "anxiety": "Anxiety",
    "osteoarthritis": "Osteoarthritis",
    "osteoporosis": "Osteoporosis",
    "stroke": "Stroke",
    "ischaemic_heart_disease": "Ischaemic heart disease",
    "serious_mental_illness": "Serious mental illness",
    "learning_disability": "Learning disability",
    "parkinsons_disease": "Parkinson's disease",
    "thyroid_disease": "Thyroid disease",
    "epilepsy": "Epilepsy",
}


def deficit_label(key: str) -> str:
    """`mobility_transfer_problems` -> "Mobility transfer problems"."""
    special = {
        "polypharmacy": "Polypharmacy (5+ medicines)",
        "hypotension_syncope": "Hypotension or syncope",
        "memory_cognitive_problems": "Memory and cognitive problems",
        "mobility_transfer_problems": "Mobility and transfer problems",
        "parkinsonism_tremor": "Parkinsonism and tremor",
        "weight_loss_anorexia": "Weight loss and anorexia",
    }
    return special.get(key, key.replace("_", " ").capitalize())
