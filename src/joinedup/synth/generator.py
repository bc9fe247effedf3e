"""The synthetic area: organisations, source systems and, one at a time, people with
three years of history and the (noisy) records each source system keeps of them
(DESIGN section 5).

Everything is seeded: person `i` depends only on the area's seed, dates and
organisations, never on how many people there are, so an area can be streamed and
any person regenerated on their own.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Sequence

from joinedup.people.nhs_number import nhs_number_check_digit
from joinedup.synth import catalogue as cat
from joinedup.synth.area import (
    AddressSpec,
    Area,
    EventSpec,
    OrgSpec,
    PersonSpec,
    SourceRecordSpec,
    SourceSystemSpec,
)
from joinedup.synth.history import (
    ACUTE,
    COMMUNITY,
    COUNCIL,
    DAY,
    GP,
    MH,
    History,
    RawEvent,
    Window,
    cumulative_weights,
)

DEFAULT_SEED = 20261127
# A fixed "today": the area must not depend on the date it is generated.
DEFAULT_END = dt.date(2026, 11, 1)
HISTORY_YEARS = 3
# Test NHS numbers 999 000 000x-999 999 999x with a valid check digit (DESIGN 4.1):
# 100,000 nine-digit prefixes "999" + 5 digits + 1 digit, nine usable per prefix.
MAX_PEOPLE = 900_000

ID_BASE = "https://fhir.joinedup.example/Id/"
ICB_CODE = "QJU"
ACUTE_CODE = "RJU"
COMMUNITY_CODE = "RJV"
MH_CODE = "RJW"
COUNCIL_ASC_CODE = "JU-ASC"
COUNCIL_CS_CODE = "JU-CS"
VOLUNTARY_CODE = "JU-VS01"
HOUSING_CODE = "JU-HP01"

SYSTEMS: tuple[SourceSystemSpec, ...] = (
    SourceSystemSpec(
        ACUTE, "Joinedup General Hospital PAS", ACUTE_CODE, "hl7v2",
        ID_BASE + "acute-mrn", "Hospital number (MRN)",
    ),
    SourceSystemSpec(
        GP, "GP clinical system (all practices)", ICB_CODE, "fhir",
        ID_BASE + "gp-patient-id", "GP patient ID",
    ),
    SourceSystemSpec(
        COUNCIL, "Joinedup Council social care case management", COUNCIL_ASC_CODE,
        "csv", ID_BASE + "council-client-id", "Council client ID",
    ),
    SourceSystemSpec(
        COMMUNITY, "Joinedup Community Health EPR", COMMUNITY_CODE, "fhir",
        ID_BASE + "community-patient-id", "Community patient ID",
    ),
    SourceSystemSpec(
        MH, "Joinedup Mental Health EPR", MH_CODE, "fhir",
        ID_BASE + "mh-patient-id", "Mental health patient ID",
    ),
)  # fmt: skip


# --- identifiers ------------------------------------------------------------------


def nhs_number_for_index(index: int) -> str:
    """The test-range NHS number of person `index`: unique per index (a bijection onto
    the valid numbers 999 000 0000-999 999 9999 would need counting, so: a scrambled
    index picks a prefix and the n-th of its at least nine valid ninth digits)."""
    if not 0 <= index < MAX_PEOPLE:
        raise ValueError(f"person index must be 0..{MAX_PEOPLE - 1}; got {index}")
    scrambled = (index * 387_149 + 12_345) % MAX_PEOPLE  # 387149 is coprime to 9e5
    block, slot = divmod(scrambled, 9)
    first8 = f"999{block:05d}"
    partial = sum(int(d) * w for d, w in zip(first8, range(10, 2, -1), strict=True))
    seen = -1
    for d9 in range(10):
        # DESIGN 4.1: a remainder giving check value 10 makes the number invalid.
        if 11 - ((partial + 2 * d9) % 11) == 10:
            continue
        seen += 1
        if seen == slot:
            first9 = f"{first8}{d9}"
            check = nhs_number_check_digit(first9)
            if check is not None:
                return f"{first9}{check}"
    raise AssertionError("unreachable: every prefix has nine valid ninth digits")


def local_id_for(system_code: str, index: int, *, duplicate: bool = False) -> str:
    """Person `index`'s local id in a source system. The ids are scrambled per
    system so they do not give away which records belong together."""
    if system_code == ACUTE:
        if duplicate:
            return f"M2{(index * 69_621 + 13) % 10**7:07d}"
        return f"M1{(index * 48_271 + 97) % 10**7:07d}"
    if system_code == GP:
        return f"G{(index * 7_654_321 + 1_000_003) % 10**8:08d}"
    if system_code == COUNCIL:
        if duplicate:
            return str(20_000_000 + (index * 5_555_557 + 3) % 10**7)
        return str(10_000_000 + (index * 2_269_547 + 1) % 10**7)
    if system_code == COMMUNITY:
        return f"CP{(index * 1_103_517 + 7) % 10**7:07d}"
    if system_code == MH:
        return f"MH{(index * 2_147_483 + 11) % 10**7:07d}"
    raise ValueError(f"unknown source system {system_code!r}")


# --- the area ---------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def area_generate(
    *, people: int, seed: int = DEFAULT_SEED, end: dt.date | None = None
) -> Area:
    """The organisations and source systems of a synthetic area of `people` people
    with three years of history ending at `end` (default 2026-11-01). People are
    generated lazily by `Area.iter_people()`."""
    if not 0 <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be 0..{MAX_PEOPLE}; got {people}")
    end = end or DEFAULT_END
    start = _years_before(end, HISTORY_YEARS)
    orgs = [
        OrgSpec(ICB_CODE, "NHS Joinedup Integrated Care Board", "icb", "JU1 1AA"),
        OrgSpec(ACUTE_CODE, "Joinedup General Hospital", "acute_trust", "JU2 4HB"),
        OrgSpec(
            COMMUNITY_CODE, "Joinedup Community Health NHS Trust", "community_trust",
            "JU3 2DN",
        ),
        OrgSpec(
            MH_CODE, "Joinedup Mental Health NHS Foundation Trust",
            "mental_health_trust", "JU5 8RT",
        ),
        OrgSpec(
            COUNCIL_ASC_CODE, "Joinedup Council Adult Social Care",
            "council_adult_social_care", "JU1 2TW",
        ),
        OrgSpec(
            COUNCIL_CS_CODE, "Joinedup Council Children's Services",
            "council_childrens_services", "JU1 2TW",
        ),
        OrgSpec(
            VOLUNTARY_CODE, "Joinedup Community Voluntary Action", "voluntary_sector",
            "JU4 7QB",
        ),
        OrgSpec(HOUSING_CODE, "Joinedup Homes", "housing_provider", "JU6 3LP"),
    ]  # fmt: skip
    for i in range(max(4, people // 7000)):
        name = cat.GP_PRACTICE_NAMES[i % len(cat.GP_PRACTICE_NAMES)]
        if i >= len(cat.GP_PRACTICE_NAMES):
            name = f"{name} ({i // len(cat.GP_PRACTICE_NAMES) + 1})"
        orgs.append(
            OrgSpec(f"J81{i + 1:03d}", name, "gp_practice", postcode_of(i * 11, 1))
        )
    return Area(
        seed=seed,
        people_count=people,
        start=start,
        end=end,
        organisations=tuple(orgs),
        systems=SYSTEMS,
    )


class _Context:
    """What every person of one area needs, worked out once per area."""

    __slots__ = ("days", "end_ord", "gps", "start_dt", "start_ord", "start_weekday")

    def __init__(self, area: Area) -> None:
        self.start_ord = area.start.toordinal()
        self.end_ord = area.end.toordinal()
        self.start_dt = dt.datetime.combine(area.start, dt.time(), tzinfo=dt.UTC)
        self.days = self.end_ord - self.start_ord
        self.start_weekday = area.start.weekday()
        self.gps = tuple(o.code for o in area.organisations if o.type == "gp_practice")
        if not self.gps:
            raise ValueError("the area has no GP practice")


_CONTEXTS: dict[int, tuple[Area, _Context]] = {}


def _context(area: Area) -> _Context:
    cached = _CONTEXTS.get(id(area))
    if cached is not None and cached[0] is area:
        return cached[1]
    if len(_CONTEXTS) > 16:
        _CONTEXTS.clear()
    ctx = _Context(area)
    _CONTEXTS[id(area)] = (area, ctx)
    return ctx


# --- pre-built weighted lists -----------------------------------------------------


_AGE_CUM, _AGE_TOTAL = cumulative_weights([b[2] for b in cat.AGE_BANDS_5Y])


def _name_table(
    names: Sequence[tuple[str, tuple[int, int, int]]], cohort: int
) -> tuple[tuple[str, ...], list[float], float]:
    kept = [(n, w[cohort]) for n, w in names if w[cohort] > 0]
    cum, total = cumulative_weights([w for _, w in kept])
    return tuple(n for n, _ in kept), cum, total


_GIVEN = {
    (sex, cohort): _name_table(table, cohort)
    for sex, table in (("male", cat.MALE_NAMES), ("female", cat.FEMALE_NAMES))
    for cohort in range(3)
}
_FAMILY = tuple(n for n, _ in cat.FAMILY_NAMES)
_FAMILY_CUM, _FAMILY_TOTAL = cumulative_weights([w for _, w in cat.FAMILY_NAMES])
_UNIT = cat.POSTCODE_UNIT_LETTERS


def postcode_of(street: int, house: int) -> str:
    district, sector = _district_sector(street)
    unit = (street * 31 + house // 12) % (len(_UNIT) ** 2)
    return (
        f"{cat.POSTCODE_AREA}{district} {sector}{_UNIT[unit // 20]}{_UNIT[unit % 20]}"
    )


def _district_sector(street: int) -> tuple[int, int]:
    return street % 9 + 1, (street * 7 + street // 9) % 10


def lsoa_and_imd(postcode: str) -> tuple[str, int]:
    """The (fictional) LSOA code and IMD decile of a Joinedup postcode."""
    district = int(postcode[2])
    sector = int(postcode.split(" ")[1][0])
    number = (district - 1) * 10 + sector + 1
    decile = cat.DISTRICT_IMD_BASE[district - 1] + (sector * 3) % 5 - 2
    return f"E01JU{number:04d}", min(10, max(1, decile))


# --- identity noise (DESIGN 5) -----------------------------------------------------

_VOWELS = "aeiou"


def _typo(rng: random.Random, name: str) -> str:
    """One keying slip: two letters swapped, one dropped, doubled or replaced."""
    if len(name) < 4:
        return name
    i = 1 + int(rng.random() * (len(name) - 2))
    u = rng.random()
    if u < 0.4:
        out = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    elif u < 0.65:
        out = name[:i] + name[i + 1 :]
    elif u < 0.85:
        out = name[: i + 1] + name[i] + name[i + 1 :]
    else:
        out = name[:i] + _VOWELS[int(rng.random() * 5)] + name[i + 1 :]
    return out[0].upper() + out[1:].lower() if out.isalpha() else out


def _transpose(day: dt.date) -> dt.date:
    """Day and month swapped, as a US-format slip makes them."""
    return dt.date(day.year, day.day, day.month)


class _Truth:
    __slots__ = (
        "birth",
        "current",
        "family",
        "given",
        "nhs",
        "old",
        "phone",
        "previous_family",
        "sex",
    )

    def __init__(
        self,
        nhs: str,
        given: str,
        family: str,
        previous_family: str | None,
        birth: dt.date,
        sex: str,
        current: AddressSpec,
        old: AddressSpec | None,
        phone: str | None,
    ) -> None:
        self.nhs = nhs
        self.given = given
        self.family = family
        self.previous_family = previous_family
        self.birth = birth
        self.sex = sex
        self.current = current
        self.old = old
        self.phone = phone


def _record(
    rng: random.Random,
    truth: _Truth,
    system: str,
    local_id: str,
    *,
    p_missing_nhs: float = 0.0,
    p_unverified: float = 0.0,
    p_typo: float = 0.0,
    p_nickname: float = 0.0,
    p_transpose: float = 0.0,
    p_swap: float = 0.0,
    p_old_name: float = 0.0,
    p_old_address: float = 0.0,
    p_no_phone: float = 0.0,
    duplicate: bool = False,
) -> SourceRecordSpec:
    rnd = rng.random
    nhs: str | None = truth.nhs
    status = "01"
    if rnd() < p_missing_nhs:
        nhs, status = None, "03"
    elif rnd() < p_unverified:
        status = "02"
    given = truth.given
    nickname = cat.NICKNAMES.get(given)
    if nickname is not None and rnd() < p_nickname:
        given = nickname
    elif rnd() < p_typo:
        given = _typo(rng, given)
    family = truth.family
    if truth.previous_family is not None and rnd() < p_old_name:
        family = truth.previous_family
    birth = truth.birth
    if birth.day <= 12 and birth.day != birth.month and rnd() < p_transpose:
        birth = _transpose(birth)
    if rnd() < p_swap:
        given, family = family, given
    address = truth.current
    if truth.old is not None and rnd() < p_old_address:
        address = truth.old
    phone = truth.phone if rnd() >= p_no_phone else None
    return SourceRecordSpec(
        system_code=system,
        local_id=local_id,
        nhs_number=nhs,
        nhs_number_status=status,
        given_name=given,
        family_name=family,
        birth_date=birth,
        sex=truth.sex,
        address_line=address.line,
        postcode=address.postcode,
        phone=phone,
        is_duplicate=duplicate,
    )


# --- one person --------------------------------------------------------------------


def person_generate(*, area: Area, index: int) -> PersonSpec:
    """Person `index` of `area`, with their source records and events. The same
    (seed, dates, organisations, index) always gives the same person."""
    ctx = _context(area)
    rng = random.Random(area.seed * 4_294_967_296 + index)
    rnd = rng.random

    # Age (England-like pyramid), sex and name.
    lo_age, hi_age, _w = cat.AGE_BANDS_5Y[bisect(_AGE_CUM, rnd() * _AGE_TOTAL)]
    years = lo_age + int(rnd() * (hi_age - lo_age + 1))
    birth_ord = ctx.end_ord - 1 - int((years + rnd()) * 365.2425)
    birth = dt.date.fromordinal(birth_ord)
    end = area.end
    age = end.year - birth.year - ((end.month, end.day) < (birth.month, birth.day))
    band = bisect(cat.CONDITION_AGE_BANDS, age)
    u = rnd()
    sex = "female" if u < 0.508 else ("male" if u < 0.9985 else "unknown")
    name_sex = sex if sex != "unknown" else ("female" if rnd() < 0.5 else "male")
    cohort = 0 if birth.year < 1960 else (1 if birth.year < 1990 else 2)
    names, name_cum, name_total = _GIVEN[(name_sex, cohort)]
    given = names[bisect(name_cum, rnd() * name_total)]
    family = _FAMILY[bisect(_FAMILY_CUM, rnd() * _FAMILY_TOTAL)]
    previous_family: str | None = None
    if sex == "female" and 22 <= age <= 70 and rnd() < 0.08:
        previous_family = _FAMILY[bisect(_FAMILY_CUM, rnd() * _FAMILY_TOTAL)]
        if previous_family == family:
            previous_family = None

    # Addresses: about 10% moved during the three years.
    def address(from_ord: int) -> tuple[AddressSpec, int]:
        street = int(rnd() * len(cat.STREETS))
        house = 1 + int(rnd() * 140)
        line = f"{house} {cat.STREETS[street]}"
        if rnd() < 0.08:
            line = f"Flat {1 + int(rnd() * 12)}, {line}"
        spec = AddressSpec(
            line, postcode_of(street, house), dt.date.fromordinal(from_ord)
        )
        return spec, street

    earliest = max(birth_ord, ctx.start_ord - 365 * 25)
    first_from = earliest + int(rnd() * max(0, ctx.start_ord - earliest))
    first, street = address(first_from)
    addresses = [first]
    old: AddressSpec | None = None
    move_from = max(ctx.start_ord, birth_ord + 1)
    if rnd() < 0.10 and ctx.end_ord - 14 > move_from:
        moved_on = move_from + int(rnd() * (ctx.end_ord - 14 - move_from))
        current, street = address(moved_on)
        if current.postcode != first.postcode or current.line != first.line:
            old = first
            addresses.append(current)
    current = addresses[-1]
    lsoa, imd = lsoa_and_imd(current.postcode)
    district = _district_sector(street)[0]

    phone: str | None = None
    if rnd() < 0.87:
        if rnd() < 0.7:
            phone = f"07700 900{int(rnd() * 1000):03d}"
        else:
            phone = f"01632 960{int(rnd() * 1000):03d}"

    # GP practice: mostly one near home. Three draws whatever the practice count, so
    # the rest of the person does not depend on the size of the area.
    u1, u2, u3 = rnd(), rnd(), rnd()
    n_gp = len(ctx.gps)
    gp_index = int(((district - 1) + u1) * n_gp / 9) if u3 < 0.85 else int(u2 * n_gp)
    practice = ctx.gps[min(gp_index, n_gp - 1)]

    # Long-term conditions, clustered by a per-person frailty factor.
    frailty = rng.lognormvariate(0.0, 0.6) / 1.2
    if imd <= 3:
        frailty *= 1.25
    elif imd >= 8:
        frailty *= 0.85
    conditions: list[str] = []
    female = sex == "female"
    for cond in cat.CONDITIONS:
        p = cond.prevalence[band] * frailty
        if female:
            p *= cond.female_factor
        if rnd() < p and (age >= 2 or cond.key in ("learning_disability", "epilepsy")):
            conditions.append(cond.key)

    opt_out = rnd() < 0.03
    about_me: dict[str, str] | None = None
    if age >= 65 and rnd() < 0.30:
        about_me = {}
        for heading, texts in cat.ABOUT_ME.items():
            if heading == "what_matters_to_me" or rnd() < 0.85:
                about_me[heading] = texts[int(rnd() * len(texts))]

    # History.
    window = Window(
        lo=max(0, birth_ord - ctx.start_ord + 1),
        hi=ctx.days,
        start_weekday=ctx.start_weekday,
    )
    history = History(
        rng=rng,
        window=window,
        age=age,
        band=band,
        sex=sex,
        conditions=conditions,
        imd_decile=imd,
        practice_code=practice,
    )
    history.generate()
    raw = history.events

    # Source records with identity noise (DESIGN 5).
    truth = _Truth(
        nhs_number_for_index(index), given, family, previous_family, birth, sex,
        current, old, phone,
    )  # fmt: skip
    in_system = {ev.system for ev in raw}
    primary = {s: local_id_for(s, index) for s in in_system}
    primary[GP] = local_id_for(GP, index)
    records = [_record(rng, truth, GP, primary[GP])]
    duplicates: dict[str, str] = {}
    if ACUTE in in_system:
        records.append(
            _record(
                rng, truth, ACUTE, primary[ACUTE], p_unverified=0.03, p_typo=0.02,
                p_old_name=0.3, p_old_address=0.3, p_no_phone=0.1,
            )
        )  # fmt: skip
        if rnd() < 0.01:
            duplicates[ACUTE] = local_id_for(ACUTE, index, duplicate=True)
            records.append(
                _record(
                    rng, truth, ACUTE, duplicates[ACUTE], p_missing_nhs=0.6,
                    p_unverified=1.0, p_typo=0.3, p_nickname=0.3, p_old_address=1.0,
                    p_no_phone=0.5, duplicate=True,
                )
            )  # fmt: skip
    if COUNCIL in in_system:
        records.append(
            _record(
                rng, truth, COUNCIL, primary[COUNCIL], p_missing_nhs=0.30,
                p_unverified=0.15, p_typo=0.02, p_nickname=0.25, p_transpose=0.05,
                p_swap=0.02, p_old_name=0.3, p_old_address=0.5, p_no_phone=0.2,
            )
        )  # fmt: skip
        if rnd() < 0.01:
            duplicates[COUNCIL] = local_id_for(COUNCIL, index, duplicate=True)
            records.append(
                _record(
                    rng, truth, COUNCIL, duplicates[COUNCIL], p_missing_nhs=0.8,
                    p_unverified=1.0, p_typo=0.2, p_nickname=0.5, p_old_address=1.0,
                    p_no_phone=0.5, duplicate=True,
                )
            )  # fmt: skip
    if COMMUNITY in in_system:
        records.append(
            _record(
                rng, truth, COMMUNITY, primary[COMMUNITY], p_unverified=0.05,
                p_typo=0.01, p_old_address=0.2, p_no_phone=0.1,
            )
        )  # fmt: skip
    if MH in in_system:
        records.append(
            _record(
                rng, truth, MH, primary[MH], p_unverified=0.07, p_typo=0.01,
                p_nickname=0.1, p_old_address=0.2, p_no_phone=0.1,
            )
        )  # fmt: skip

    events = _events_finalise(rng, ctx, raw, primary, duplicates)
    return PersonSpec(
        key=f"P{index + 1:07d}",
        nhs_number=truth.nhs,
        given_name=given,
        family_name=family,
        previous_family_name=previous_family,
        birth_date=birth,
        sex=sex,
        addresses=tuple(addresses),
        phone=phone,
        gp_practice_code=practice,
        imd_decile=imd,
        lsoa=lsoa,
        conditions=tuple(conditions),
        records=tuple(records),
        events=events,
        about_me=about_me,
        national_data_opt_out=opt_out,
    )


def _events_finalise(
    rng: random.Random,
    ctx: _Context,
    raw: list[RawEvent],
    primary: dict[str, str],
    duplicates: dict[str, str],
) -> tuple[EventSpec, ...]:
    """Tie raw events to source records (one episode goes to a duplicate record),
    number them per record in time order and resolve cross-references."""
    limit = ctx.days * DAY  # nothing after the area's "today"
    raw = [ev for ev in raw if ev.t < limit]
    for ev in raw:
        ev.local_id = primary[ev.system]
        if ev.end is not None and ev.end >= limit:
            ev.end = None
    for system, dup_id in duplicates.items():
        episodes = sorted({ev.episode for ev in raw if ev.system == system})
        if len(episodes) >= 2:
            moved = episodes[1 + int(rng.random() * (len(episodes) - 1))]
            for ev in raw:
                if ev.system == system and ev.episode == moved:
                    ev.local_id = dup_id
    raw.sort(key=_by_time)
    counters: dict[str, int] = {}
    for ev in raw:
        n = counters.get(ev.local_id, 0) + 1
        counters[ev.local_id] = n
        ev.source_id = f"{ev.local_id}-{n}"
    start_dt = ctx.start_dt
    td = dt.timedelta
    out = []
    for ev in raw:
        if ev.ref is not None and ev.ref.source_id:  # not if it fell after the end
            ev.detail[ev.ref_key] = ev.ref.source_id
        out.append(
            EventSpec(
                system_code=ev.system,
                source_id=ev.source_id,
                local_id=ev.local_id,
                kind=ev.kind,
                category=ev.category,
                occurred_at=start_dt + td(seconds=ev.t),
                org_code=ev.org,
                summary=ev.summary,
                code=ev.code,
                code_display=ev.display,
                ended_at=None if ev.end is None else start_dt + td(seconds=ev.end),
                detail=ev.detail,
            )
        )
    return tuple(out)


def _by_time(ev: RawEvent) -> int:
    return ev.t
