"""Three years of one person's contacts with health and social care, as raw events.

`History` draws events from age-, condition- and deprivation-dependent rates. Events
are kept as `RawEvent` (time in seconds from the start of the area's history) until
the generator knows which source record each belongs to; `generator.person_generate`
then turns them into `EventSpec`s.

Source systems, event kinds and their `detail` keys:

- gp-system: gp_consultation {mode, clinician[, review]}; diagnosis {condition};
  medication {medication, course}; fall {injury}
- acute-pas: ae_attendance {site, outcome[, admission_id]}; admission {ward, site,
  admission_method, reason}; transfer {from_ward, ward, site, admission_method,
  admission_id}; discharge {ward, site, admission_method, pathway, destination,
  destination_code, length_of_stay_days, admission_id}
- community-epr: community_contact {service, setting}; sexual_health_contact {service}
- mh-epr: mental_health_contact {team}
- council-sc: social_care_assessment {assessment_type, outcome}; service_start
  {service_type, service_id, weekly_hours (home_care, reablement) and/or weekly_cost
  (all but reablement)}; service_end {service_type, service_id, reason};
  safeguarding_concern {outcome}

admission_id and service_id hold the source id of the admission / service_start.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from joinedup.synth import catalogue as cat

DAY = 86_400
HOUR = 3_600

ACUTE = "acute-pas"
GP = "gp-system"
COUNCIL = "council-sc"
COMMUNITY = "community-epr"
MH = "mh-epr"

ACUTE_ORG = "RJU"
COMMUNITY_ORG = "RJV"
MH_ORG = "RJW"
COUNCIL_ORG = "JU-ASC"

# Rates per person-year by CONDITION_AGE_BANDS band (<18, 18-39, 40-64, 65-74,
# 75-84, 85+). Rough England figures, tuned so an area averages ~20 events a person.
GP_RATE = (2.6, 2.7, 3.6, 5.2, 7.0, 8.5)
AE_RATE = (0.30, 0.30, 0.22, 0.25, 0.35, 0.55)
EMERGENCY_RATE = (0.035, 0.045, 0.05, 0.09, 0.18, 0.32)
ELECTIVE_RATE = (0.007, 0.014, 0.035, 0.056, 0.05, 0.02)
LOS_MEAN_DAYS = (2.0, 3.0, 4.0, 6.0, 8.0, 10.0)
# Discharge to Assess pathway weights for emergency admissions of adults (DESIGN 4.2).
# Children and most elective patients go home without new support (pathway 0), so
# these are set to give about 50/45/4/1 over all discharges.
PATHWAY_WEIGHTS = (
    (100.0, 0.0, 0.0, 0.0),
    (55.0, 43.0, 1.5, 0.5),
    (40.0, 56.0, 3.2, 0.8),
    (27.0, 66.0, 6.0, 1.0),
    (19.0, 71.0, 8.0, 2.0),
    (13.0, 72.0, 11.0, 4.0),
)
# Long-term social care: chance of being a council client.
SOCIAL_CARE_P = (0.0, 0.006, 0.01, 0.03, 0.08, 0.22)
DISTRICT_NURSING_P = (0.0, 0.003, 0.01, 0.04, 0.10, 0.22)


def cumulative_weights(weights: Sequence[float]) -> tuple[list[float], float]:
    """Cumulative weights and their total, for random.choices(cum_weights=...)."""
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        out.append(total)
    return out, total


_PATHWAY_CUM = [cumulative_weights(w) for w in PATHWAY_WEIGHTS]
_GP_MODE_CUM = cumulative_weights([m[2] for m in cat.GP_MODES])
# (mode key, summary, clinician key) per clinician (GP, practice nurse) and mode
_GP_SUMMARIES = tuple(
    tuple((key, f"{who} ({wording})", clinician) for key, wording, _w in cat.GP_MODES)
    for clinician, who in (
        ("gp", "GP consultation"),
        ("practice_nurse", "Practice nurse appointment"),
    )
)
_ASSESS_OUT_CUM = cumulative_weights([o[1] for o in cat.ASSESSMENT_OUTCOMES])
_REVIEW_OUT_CUM = cumulative_weights([o[1] for o in cat.REVIEW_OUTCOMES])
_SAFEGUARDING_CUM = cumulative_weights([o[1] for o in cat.SAFEGUARDING_OUTCOMES])
_GENERAL_EMERGENCY = tuple(r for r in cat.EMERGENCY_REASONS if not r.needs_condition)
_SPECIFIC_EMERGENCY = tuple(r for r in cat.EMERGENCY_REASONS if r.needs_condition)
_GENERAL_EMERGENCY_CUM = [
    cumulative_weights([r.weights[b] for r in _GENERAL_EMERGENCY])
    for b in range(len(cat.CONDITION_AGE_BANDS))
]
_ELECTIVE_CUM = [
    cumulative_weights([r.weights[b] for r in cat.ELECTIVE_REASONS])
    for b in range(len(cat.CONDITION_AGE_BANDS))
]
_HIP_FRACTURE = next(r for r in cat.EMERGENCY_REASONS if r.key == "hip_fracture")
_SHORT_STAY_ELECTIVE = frozenset({"hernia_repair", "cholecystectomy", "tonsillectomy"})


class RawEvent:
    """An event before it is tied to a source record. `t` and `end` are seconds from
    the start of the area's history. `ref` points at another event whose source id
    goes into detail[`ref_key`] (an admission, or the start of a service)."""

    __slots__ = (
        "category",
        "code",
        "detail",
        "display",
        "end",
        "episode",
        "kind",
        "local_id",
        "org",
        "ref",
        "ref_key",
        "source_id",
        "summary",
        "system",
        "t",
    )

    def __init__(
        self,
        t: int,
        system: str,
        kind: str,
        category: str,
        org: str,
        summary: str,
        code: str = "",
        display: str = "",
        end: int | None = None,
        detail: dict[str, str] | None = None,
        episode: int = 0,
    ) -> None:
        self.t = t
        self.system = system
        self.kind = kind
        self.category = category
        self.org = org
        self.summary = summary
        self.code = code
        self.display = display
        self.end = end
        self.detail = detail if detail is not None else {}
        self.episode = episode
        self.ref: RawEvent | None = None
        self.ref_key = ""
        self.source_id = ""
        self.local_id = ""


def poisson(rnd: Callable[[], float], lam: float) -> int:
    """A Poisson draw (Knuth's method; normal approximation for large means)."""
    if lam <= 0.0:
        return 0
    if lam > 30.0:
        # Box-Muller from two uniforms keeps the draw on the same stream.
        u1 = rnd() or 1e-12
        z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * rnd())
        return max(0, round(lam + z * math.sqrt(lam)))
    limit = math.exp(-lam)
    k = 0
    p = rnd()
    while p > limit:
        k += 1
        p *= rnd()
    return k


@dataclass(frozen=True)
class Window:
    """The days of the area's history in which a person can have events: day `lo`
    (their first day alive in the window) to day `hi` (exclusive)."""

    lo: int
    hi: int
    start_weekday: int  # weekday of day 0 (Monday 0)

    @property
    def years(self) -> float:
        return max(0, self.hi - self.lo) / 365.25


class History:
    """Draws one person's events. Call `generate()` once; read `events`."""

    def __init__(
        self,
        *,
        rng: random.Random,
        window: Window,
        age: int,
        band: int,
        sex: str,
        conditions: Sequence[str],
        imd_decile: int,
        practice_code: str,
    ) -> None:
        self.rng = rng
        self.rnd = rng.random
        self.w = window
        self.age = age
        self.band = band
        self.sex = sex
        self.conditions = frozenset(conditions)
        self.n_ltc = len(conditions)
        self.imd_decile = imd_decile
        self.practice = practice_code
        self.events: list[RawEvent] = []
        self.stays: list[tuple[int, int]] = []  # (first day, last day) in hospital
        self._episode = 0
        self.open_services: dict[str, RawEvent] = {}  # service type -> start event

    # --- helpers ---------------------------------------------------------------------

    def _new_episode(self) -> int:
        self._episode += 1
        return self._episode

    def _day(self) -> int:
        lo = self.w.lo
        return lo + int(self.rnd() * (self.w.hi - lo))

    def _weekday(self, day: int) -> int:
        """Move a weekend day to the nearest weekday inside the window."""
        wd = (self.w.start_weekday + day) % 7
        if wd < 5:
            return day
        back = day - (wd - 4)
        if back >= self.w.lo:
            return back
        fwd = day + (7 - wd)
        return fwd if fwd < self.w.hi else day

    def _office(self, day: int) -> int:
        return day * DAY + 8 * HOUR + int(self.rnd() * 10 * HOUR)

    def _in_hospital(self, day: int) -> bool:
        return any(a <= day <= b for a, b in self.stays)

    def _add(self, ev: RawEvent) -> RawEvent:
        self.events.append(ev)
        return ev

    # --- the whole history -----------------------------------------------------------

    def generate(self) -> None:
        if self.w.hi <= self.w.lo:
            return
        self._primary_care()
        self._hospital()
        self._falls()
        self._community()
        self._mental_health()
        self._social_care()

    # --- GP --------------------------------------------------------------------------

    def _primary_care(self) -> None:
        rnd = self.rnd
        years = self.w.years
        rate = GP_RATE[self.band] + 0.6 * self.n_ltc
        if self.age < 5:
            rate = 5.0 + 0.6 * self.n_ltc
        elif self.sex == "female" and 18 <= self.age < 65:
            rate *= 1.25
        mode_cum, mode_total = _GP_MODE_CUM
        code, display = cat.GP_CONSULTATION_SNOMED
        lo, span = self.w.lo, self.w.hi - self.w.lo
        weekday = self._weekday
        practice = self.practice
        append = self.events.append
        for _ in range(poisson(rnd, rate * years)):
            day = weekday(lo + int(rnd() * span))
            mode_i = bisect(mode_cum, rnd() * mode_total)
            clinician = 0 if rnd() < 0.75 else 1
            mode_key, summary, who = _GP_SUMMARIES[clinician][mode_i]
            append(
                RawEvent(
                    day * DAY + 8 * HOUR + int(rnd() * 10 * HOUR), GP,
                    "gp_consultation", "health", practice, summary, code, display,
                    detail={"mode": mode_key, "clinician": who},
                )
            )  # fmt: skip
        # An annual long-term condition review for anyone with a physical LTC.
        if any(cat.CONDITIONS_BY_KEY[c].category == "health" for c in self.conditions):
            day = self.w.lo + int(rnd() * 365)
            while day < self.w.hi:
                self._add(
                    RawEvent(
                        self._office(self._weekday(day)), GP, "gp_consultation",
                        "health", self.practice,
                        "Long-term condition review (practice nurse)", code, display,
                        detail={"mode": "face_to_face", "clinician": "practice_nurse",
                                "review": "long_term_conditions"},
                    )
                )  # fmt: skip
                day += 330 + int(rnd() * 70)
        self._diagnoses_and_medicines()

    def _diagnoses_and_medicines(self) -> None:
        rnd = self.rnd
        p_incident = 1.0 if self.age < 3 else 0.15
        seen: set[str] = set()
        for key in sorted(self.conditions):
            cond = cat.CONDITIONS_BY_KEY[key]
            med_from = self.w.lo
            started = False
            if rnd() < p_incident:
                day = self._weekday(self._day())
                med_from = day
                started = True
                self._add(
                    RawEvent(
                        self._office(day), GP, "diagnosis", cond.category,
                        self.practice, f"Diagnosis recorded: {cond.display}",
                        cond.snomed, cond.display, detail={"condition": cond.key},
                    )
                )  # fmt: skip
            meds = cond.medications
            if not meds:
                continue
            u = rnd()
            n = 0 if u < 0.12 else (1 if u < 0.72 else 2)
            for i in range(min(n, len(meds))):
                drug = meds[(int(rnd() * len(meds)) + i) % len(meds)]
                if drug in seen:
                    continue
                seen.add(drug)
                day = med_from + int(rnd() * (self.w.hi - med_from))
                if started:
                    summary, course = f"Medication started: {drug}", "new"
                else:
                    summary, course = f"Repeat medication: {drug}", "repeat"
                self._add(
                    RawEvent(
                        self._office(self._weekday(day)), GP, "medication", "health",
                        self.practice, summary,
                        detail={"medication": drug, "course": course},
                    )
                )  # fmt: skip
        for _ in range(poisson(rnd, 0.22 * self.w.years)):
            drug = cat.ACUTE_MEDICATIONS[int(rnd() * len(cat.ACUTE_MEDICATIONS))]
            self._add(
                RawEvent(
                    self._office(self._weekday(self._day())), GP, "medication",
                    "health", self.practice, f"Short course: {drug}",
                    detail={"medication": drug, "course": "acute"},
                )
            )  # fmt: skip

    # --- hospital --------------------------------------------------------------------

    def _hospital(self) -> None:
        rnd = self.rnd
        years = self.w.years
        factor = 1.0 + 0.25 * self.n_ltc
        if self.imd_decile <= 3:
            factor *= 1.25
        elif self.imd_decile >= 8:
            factor *= 0.85
        for _ in range(poisson(rnd, EMERGENCY_RATE[self.band] * factor * years)):
            self.admit(self._day(), self._emergency_reason(), via_ae=rnd() < 0.72)
        for _ in range(poisson(rnd, ELECTIVE_RATE[self.band] * years)):
            cum, total = _ELECTIVE_CUM[self.band]
            if total <= 0:
                break
            reason = cat.ELECTIVE_REASONS[bisect(cum, rnd() * total)]
            self.admit(self._weekday(self._day()), reason, elective=True)
        for _ in range(poisson(rnd, AE_RATE[self.band] * years)):
            day = self._day()
            if self._in_hospital(day):
                continue
            code, display = cat.AE_COMPLAINTS[int(rnd() * len(cat.AE_COMPLAINTS))]
            self._ae(day * DAY + int(rnd() * DAY), code, display, self._new_episode())

    def _emergency_reason(self) -> cat.AdmissionReason:
        rnd = self.rnd
        cum, total = _GENERAL_EMERGENCY_CUM[self.band]
        extra = [
            r
            for r in _SPECIFIC_EMERGENCY
            if r.needs_condition in self.conditions and r.weights[self.band] > 0
        ]
        if extra:
            extra_total = sum(r.weights[self.band] for r in extra)
            u = rnd() * (total + extra_total)
            if u >= total:
                u -= total
                for r in extra:
                    u -= r.weights[self.band]
                    if u < 0:
                        return r
                return extra[-1]
            return _GENERAL_EMERGENCY[bisect(cum, u)]
        return _GENERAL_EMERGENCY[bisect(cum, rnd() * total)]

    def _ae(
        self, t: int, code: str, display: str, episode: int, admitted: bool = False
    ) -> RawEvent:
        return self._add(
            RawEvent(
                t, ACUTE, "ae_attendance", "health", ACUTE_ORG,
                f"A&E attendance: {display}", code, display,
                end=t + int((1.5 + self.rnd() * 4) * HOUR),
                detail={"site": "RJU01",
                        "outcome": "admitted" if admitted else "discharged"},
                episode=episode,
            )
        )  # fmt: skip

    def admit(
        self,
        day: int,
        reason: cat.AdmissionReason,
        *,
        via_ae: bool = False,
        elective: bool = False,
        t_ae: int | None = None,
    ) -> RawEvent | None:
        """Admit the person on `day` (emergency or elective), with transfer and
        discharge (unless they are still in hospital at the end of the window) and
        what the discharge pathway sets off. Returns the admission, or None when it
        would overlap an earlier stay."""
        rnd = self.rnd
        w = self.w
        if self.age < 16:
            ward_key = "paediatrics" if not elective else reason.ward
        else:
            ward_key = reason.ward
        if elective:
            if reason.key in _SHORT_STAY_ELECTIVE:
                los = 0 if rnd() < 0.6 else 1
            else:
                los = 2 + int(rnd() * 3)
            pathway = "0" if rnd() < 0.88 or self.age < 18 else "1"
        else:
            los = int(rnd() * 2 + rng_exp(rnd, LOS_MEAN_DAYS[self.band]))
            cum, total = _PATHWAY_CUM[self.band]
            pathway = str(bisect(cum, rnd() * total))
            if pathway in ("2", "3"):
                los += 4 + int(rnd() * 14)
        last = day + los
        if any(not (last < a - 1 or day > b + 1) for a, b in self.stays):
            return None
        self.stays.append((day, last))
        episode = self._new_episode()
        method = "elective" if elective else "emergency"
        ae: RawEvent | None = None
        if elective:
            t_adm = day * DAY + 7 * HOUR + int(rnd() * 2 * HOUR)
        elif via_ae:
            t_arrive = t_ae if t_ae is not None else day * DAY + int(rnd() * 20 * HOUR)
            ae = self._ae(
                t_arrive, reason.snomed, reason.display, episode, admitted=True
            )
            t_adm = t_arrive + int((2 + rnd() * 4) * HOUR)
        else:
            t_adm = day * DAY + 9 * HOUR + int(rnd() * 10 * HOUR)
        first_ward = ward_key
        if not elective and self.age >= 16 and los >= 2 and rnd() < 0.35:
            first_ward = "amu"
        ward, site = cat.WARDS[first_ward]
        if elective:
            summary = f"Elective admission to {ward}"
        else:
            summary = f"Emergency admission to {ward}"
        if los == 0:
            t_dis = t_adm + int((4 + rnd() * 6) * HOUR)
        else:
            t_dis = last * DAY + 11 * HOUR + int(rnd() * 8 * HOUR)
        discharged = t_dis < w.hi * DAY
        adm = self._add(
            RawEvent(
                t_adm, ACUTE, "admission", "health", ACUTE_ORG, summary,
                reason.snomed, reason.display,
                end=t_dis if discharged else None,
                detail={"ward": ward, "site": site, "admission_method": method,
                        "reason": reason.key},
                episode=episode,
            )
        )  # fmt: skip
        if ae is not None:
            ae.ref, ae.ref_key = adm, "admission_id"
        if first_ward != ward_key:
            t_tr = t_adm + int((12 + rnd() * 24) * HOUR)
            if t_tr < w.hi * DAY and t_tr < t_dis:
                new_ward, site = cat.WARDS[ward_key]
                tr = self._add(
                    RawEvent(
                        t_tr, ACUTE, "transfer", "health", ACUTE_ORG,
                        f"Transferred from {ward} to {new_ward}",
                        detail={"from_ward": ward, "ward": new_ward, "site": site,
                                "admission_method": method},
                        episode=episode,
                    )
                )  # fmt: skip
                tr.ref, tr.ref_key = adm, "admission_id"
                ward = new_ward
        if not discharged:
            return adm
        destination, dest_code = cat.PATHWAY_DESTINATIONS[pathway]
        dis = self._add(
            RawEvent(
                t_dis, ACUTE, "discharge", "health", ACUTE_ORG,
                f"Discharged from {ward}: pathway {pathway}",
                reason.snomed, reason.display,
                detail={"ward": ward, "site": site, "admission_method": method,
                        "pathway": pathway, "destination": destination,
                        "destination_code": dest_code,
                        "length_of_stay_days": str(los)},
                episode=episode,
            )
        )  # fmt: skip
        dis.ref, dis.ref_key = adm, "admission_id"
        if self.age >= 18:
            self._after_discharge(pathway, last, day)
        return adm

    # --- after discharge: Discharge to Assess (DESIGN 4.2) ------------------------

    def _after_discharge(self, pathway: str, dis_day: int, adm_day: int) -> None:
        rnd = self.rnd
        if pathway == "1":
            u = rnd()
            if u < 0.18:
                self._reablement(dis_day + 1)
            elif u < 0.6:
                service = "district_nursing"
                if rnd() < 0.5:
                    service = "intermediate_care_home"
                self._community_run(
                    service, dis_day + 1, 2 + int(rnd() * 8), 14 + int(rnd() * 28)
                )
        elif pathway == "2":
            self._community_run(
                "intermediate_care_bed",
                dis_day,
                2 + int(rnd() * 4),
                7 + int(rnd() * 21),
            )
            if rnd() < 0.4:
                self._reablement(dis_day + 21 + int(rnd() * 14))
        elif pathway == "3":
            if {"residential_care", "nursing_care"} & self.open_services.keys():
                return  # back to the care home they came from
            episode = self._new_episode()
            start = min(adm_day + 2, dis_day)
            self._assessment(start, dis_day, "needs_assessment", "eligible", episode)
            home = self.open_services.get("home_care")
            if home is not None:
                self._service_end(dis_day, home, "moved_to_care_home")
            kind = "nursing_care" if rnd() < 0.4 else "residential_care"
            self._service_start(dis_day, kind, episode)

    def _reablement(self, day: int) -> None:
        if day >= self.w.hi or "reablement" in self.open_services:
            return
        if {"residential_care", "nursing_care"} & self.open_services.keys():
            return
        rnd = self.rnd
        episode = self._new_episode()
        start = self._service_start(day, "reablement", episode)
        end_day = day + 7 + int(rnd() * 35)
        if end_day < self.w.hi:
            self._service_end(end_day, start, "completed")
            if rnd() < 0.3 and "home_care" not in self.open_services:
                self._assessment(
                    end_day - 5, end_day, "needs_assessment", "eligible", episode
                )
                self._service_start(end_day + 1, "home_care", episode)

    # --- community -------------------------------------------------------------------

    def _community_run(self, service: str, day0: int, n: int, span: int) -> None:
        rnd = self.rnd
        summary = cat.COMMUNITY_SERVICES[service]
        setting = "clinic" if service in ("podiatry", "physiotherapy") else "home"
        for _ in range(n):
            day = day0 + int(rnd() * span)
            if day >= self.w.hi or day < self.w.lo:
                continue
            self._add(
                RawEvent(
                    self._office(day), COMMUNITY, "community_contact", "health",
                    COMMUNITY_ORG, summary,
                    detail={"service": service, "setting": setting},
                )
            )  # fmt: skip

    def _community(self) -> None:
        rnd = self.rnd
        years = self.w.years
        conds = self.conditions
        p_dn = DISTRICT_NURSING_P[self.band]
        if self.band >= 4 and conds & {
            "heart_failure",
            "copd",
            "dementia",
            "type_2_diabetes",
        }:
            p_dn += 0.12
        if rnd() < p_dn:
            for _ in range(1 + (rnd() < 0.3)):
                self._community_run(
                    "district_nursing", self._day(), 4 + int(rnd() * 16),
                    14 + int(rnd() * 100),
                )  # fmt: skip
        if self.band >= 4 and conds & {"heart_failure", "copd"} and rnd() < 0.25:
            self._community_run(
                "community_matron", self.w.lo, poisson(rnd, 5 * years),
                self.w.hi - self.w.lo,
            )  # fmt: skip
        if "heart_failure" in conds and rnd() < 0.4:
            self._community_run(
                "heart_failure_nurse", self._day(), 3 + int(rnd() * 5), 180
            )
        if "copd" in conds and rnd() < 0.25:
            self._community_run("respiratory_team", self._day(), 2 + int(rnd() * 4), 90)
        if "falls" in conds and rnd() < 0.3:
            self._community_run("falls_service", self._day(), 2 + int(rnd() * 3), 60)
        if "type_2_diabetes" in conds and rnd() < 0.12:
            self._community_run("podiatry", self._day(), 2 + int(rnd() * 4), 365)
        if self.age >= 18 and rnd() < 0.015:
            self._community_run("physiotherapy", self._day(), 2 + int(rnd() * 5), 60)
        if 16 <= self.age <= 45 and rnd() < 0.02:
            for _ in range(1 + int(rnd() * 3)):
                self._add(
                    RawEvent(
                        self._office(self._day()), COMMUNITY,
                        "sexual_health_contact", "sexual_health", COMMUNITY_ORG,
                        cat.SEXUAL_HEALTH_SUMMARY,
                        detail={"service": "sexual_health"},
                    )
                )  # fmt: skip

    # --- falls -----------------------------------------------------------------------

    def _falls(self) -> None:
        if self.age < 65 or "falls" not in self.conditions:
            return
        rnd = self.rnd
        code, display = cat.FALL_SNOMED
        for _ in range(poisson(rnd, 0.6 * self.w.years)):
            day = self._day()
            if self._in_hospital(day):
                continue
            u = rnd()
            injury = "fracture" if u < 0.06 else ("minor" if u < 0.45 else "none")
            t = day * DAY + 7 * HOUR + int(rnd() * 14 * HOUR)
            self._add(
                RawEvent(
                    t, GP, "fall", "health", self.practice, "Fall recorded",
                    code, display, detail={"injury": injury},
                )
            )  # fmt: skip
            if injury == "fracture":
                self.admit(day, _HIP_FRACTURE, via_ae=True, t_ae=t + HOUR)
            elif injury == "minor" and rnd() < 0.5:
                self._ae(t + HOUR, code, display, self._new_episode())

    # --- mental health ---------------------------------------------------------------

    def _mental_health(self) -> None:
        rnd = self.rnd
        conds = self.conditions
        years = self.w.years
        runs: list[tuple[str, int, int, int]] = []  # team, first day, count, span
        span = self.w.hi - self.w.lo
        if conds & {"schizophrenia", "bipolar_disorder"}:
            runs.append(("cmht", self.w.lo, poisson(rnd, 7 * years), span))
            if rnd() < 0.12:
                runs.append(("crisis_team", self._day(), 3 + int(rnd() * 8), 14))
        if conds & {"depression", "anxiety"} and rnd() < 0.12:
            runs.append(("talking_therapies", self._day(), 6 + int(rnd() * 7), 90))
        if "dementia" in conds and rnd() < 0.5:
            runs.append(("memory_service", self._day(), 2 + int(rnd() * 3), 120))
        if "learning_disability" in conds and rnd() < 0.1:
            runs.append(("cmht", self._day(), 2 + int(rnd() * 5), 180))
        for team, day0, n, run_span in runs:
            summary = cat.MENTAL_HEALTH_TEAMS[team]
            for _ in range(n):
                day = day0 + int(rnd() * run_span)
                if day >= self.w.hi:
                    continue
                self._add(
                    RawEvent(
                        self._office(day), MH, "mental_health_contact",
                        "mental_health", MH_ORG, summary, detail={"team": team},
                    )
                )  # fmt: skip

    # --- social care -----------------------------------------------------------------

    def _assessment(
        self, day: int, done_day: int | None, kind: str, outcome: str, episode: int
    ) -> RawEvent | None:
        if day >= self.w.hi:
            return None
        day = max(day, self.w.lo)
        t = self._office(day)
        end = None
        if done_day is not None and done_day < self.w.hi:
            end = max(t, self._office(max(done_day, day))) + HOUR
        return self._add(
            RawEvent(
                t, COUNCIL, "social_care_assessment", "social_care",
                COUNCIL_ORG,
                f"{cat.ASSESSMENT_TYPES[kind]} "
                f"{'completed' if end is not None else 'started'}",
                end=end,
                detail={"assessment_type": kind, "outcome": outcome if end else ""},
                episode=episode,
            )
        )  # fmt: skip

    def _service_start(
        self, day: int, kind: str, episode: int, scale: float = 1.0
    ) -> RawEvent | None:
        if day >= self.w.hi:
            return None
        day = max(day, self.w.lo)
        rnd = self.rnd
        name = cat.SOCIAL_CARE_SERVICES[kind]
        detail = {"service_type": kind}
        if kind in cat.HOURLY_SERVICES:
            hours = max(2, round((4 + rnd() * 18) * scale))
            if kind == "reablement":
                hours = 7 + int(rnd() * 10)
            detail["weekly_hours"] = str(hours)
            if kind == "home_care":
                detail["weekly_cost"] = f"{hours * cat.HOME_CARE_HOURLY_RATE:.2f}"
            summary = f"{name} started: {hours} hours a week"
        else:
            lo, hi = cat.WEEKLY_COST_RANGES[kind]
            cost = round((lo + rnd() * (hi - lo)) * scale)
            detail["weekly_cost"] = f"{cost:.2f}"
            summary = f"{name} started: £{cost} a week"
        ev = self._add(
            RawEvent(
                self._office(day), COUNCIL, "service_start", "social_care",
                COUNCIL_ORG, summary, detail=detail, episode=episode,
            )
        )  # fmt: skip
        ev.ref, ev.ref_key = ev, "service_id"
        self.open_services[kind] = ev
        return ev

    def _service_end(self, day: int, start: RawEvent | None, reason: str) -> None:
        if start is None or day >= self.w.hi:
            return
        kind = start.detail["service_type"]
        t = max(self._office(day), start.t + HOUR)
        ev = self._add(
            RawEvent(
                t, COUNCIL, "service_end", "social_care", COUNCIL_ORG,
                f"{cat.SOCIAL_CARE_SERVICES[kind]} ended",
                detail={"service_type": kind, "reason": reason},
                episode=start.episode,
            )
        )  # fmt: skip
        ev.ref, ev.ref_key = start, "service_id"
        if self.open_services.get(kind) is start:
            del self.open_services[kind]

    def _long_term_service(self) -> str:
        rnd = self.rnd
        conds = self.conditions
        u = rnd()
        if "learning_disability" in conds:
            return (
                "day_opportunities" if u < 0.4
                else "direct_payment" if u < 0.65
                else "home_care" if u < 0.9
                else "residential_care"
            )  # fmt: skip
        if conds & {"schizophrenia", "bipolar_disorder"}:
            return (
                "home_care" if u < 0.4
                else "direct_payment" if u < 0.6
                else "day_opportunities"
            )  # fmt: skip
        if self.age < 65:
            return (
                "home_care" if u < 0.45
                else "direct_payment" if u < 0.75
                else "equipment"
            )  # fmt: skip
        return (
            "home_care" if u < 0.55
            else "equipment" if u < 0.70
            else "day_opportunities" if u < 0.78
            else "direct_payment" if u < 0.85
            else "residential_care" if u < 0.94
            else "nursing_care"
        )  # fmt: skip

    def _social_care(self) -> None:
        rnd = self.rnd
        w = self.w
        if self.age < 18:
            return
        conds = self.conditions
        p = SOCIAL_CARE_P[self.band]
        if "learning_disability" in conds:
            p += 0.6
        if conds & {"schizophrenia", "bipolar_disorder"}:
            p += 0.2
        if "dementia" in conds:
            p += 0.3
        if rnd() < p:
            episode = self._new_episode()
            kind = self._long_term_service()
            if rnd() < 0.4:
                day = self._day()
                done = day + 7 + int(rnd() * 28)
                self._assessment(day, done, "needs_assessment", "eligible", episode)
                start_day = done + int(rnd() * 14)
            else:
                day = w.lo + int(rnd() * min(365, w.hi - w.lo))
                self._assessment(day, day, "review", "increase", episode)
                start_day = day + 7
            if {"residential_care", "nursing_care"} & self.open_services.keys():
                kind = "equipment"
            start = self._service_start(start_day, kind, episode)
            review = start_day + 330 + int(rnd() * 70)
            while start is not None and review < w.hi:
                out_cum, out_total = _REVIEW_OUT_CUM
                outcome = cat.REVIEW_OUTCOMES[bisect(out_cum, rnd() * out_total)][0]
                self._assessment(review, review, "review", outcome, episode)
                if outcome == "end":
                    self._service_end(review + 7, start, "no_longer_needed")
                    break
                if outcome in ("increase", "decrease"):
                    self._service_end(review + 7, start, "revised")
                    scale = 1.3 if outcome == "increase" else 0.75
                    start = self._service_start(review + 8, kind, episode, scale)
                review += 330 + int(rnd() * 70)
        elif self.age >= 65 and rnd() < 0.015:
            # Assessed, but no long-term service: a council record all the same.
            cum, total = _ASSESS_OUT_CUM
            outcome = cat.ASSESSMENT_OUTCOMES[bisect(cum, rnd() * total)][0]
            day = self._day()
            self._assessment(
                day, day + 7 + int(rnd() * 21), "needs_assessment",
                "information_and_advice" if outcome == "eligible" else outcome,
                self._new_episode(),
            )  # fmt: skip
        p_safeguarding = 0.005 if self.age < 65 else 0.008
        if rnd() < p_safeguarding:
            cum, total = _SAFEGUARDING_CUM
            outcome = cat.SAFEGUARDING_OUTCOMES[bisect(cum, rnd() * total)][0]
            self._add(
                RawEvent(
                    self._office(self._day()), COUNCIL, "safeguarding_concern",
                    "safeguarding", COUNCIL_ORG, "Safeguarding concern raised",
                    detail={"outcome": outcome}, episode=self._new_episode(),
                )
            )  # fmt: skip


def rng_exp(rnd: Callable[[], float], mean: float) -> float:
    """An exponential draw with the given mean."""
    return -mean * math.log(1.0 - rnd())
