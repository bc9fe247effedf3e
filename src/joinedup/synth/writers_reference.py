"""The synthetic area's reference data, as production gets it from outside the
source systems (loaded by `joinedup reference postcodes|opt-outs`, see
people/areas.py):

    reference/postcode_areas.csv          postcode, lsoa, imd_decile: every
                                          postcode of the area (as the ONS
                                          Postcode Directory joined to the IMD)
    reference/national_data_opt_outs.csv  nhs_number: everyone with a national
                                          data opt-out (written person by person)
"""

from __future__ import annotations

from collections.abc import Iterator

from joinedup.synth import catalogue as cat
from joinedup.synth.generator import lsoa_and_imd, postcode_of

POSTCODE_AREAS = "reference/postcode_areas.csv"
POSTCODE_AREAS_HEADER = ("postcode", "lsoa", "imd_decile")
OPT_OUTS = "reference/national_data_opt_outs.csv"
OPT_OUTS_HEADER = ("nhs_number",)
HOUSES = range(1, 141)  # house numbers the generator gives (generator.address)


def area_postcodes() -> Iterator[tuple[str, str, int]]:
    """Every postcode an address of the area can have, once, with its LSOA and
    IMD decile, in a stable order."""
    seen: set[str] = set()
    for street in range(len(cat.STREETS)):
        for house in HOUSES:
            postcode = postcode_of(street, house)
            if postcode not in seen:
                seen.add(postcode)
                lsoa, decile = lsoa_and_imd(postcode)
                yield postcode, lsoa, decile
