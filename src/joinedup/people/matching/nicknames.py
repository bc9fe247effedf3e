"""A small table of English given-name variants: each variant maps to one canonical
name, so "Bill", "Billy" and "Will" all compare equal to "William"."""

from __future__ import annotations

_GROUPS: tuple[tuple[str, ...], ...] = (
    ("WILLIAM", "BILL", "BILLY", "WILL", "WILLIE", "LIAM"),
    ("ROBERT", "BOB", "BOBBY", "ROB", "ROBBIE", "BERT"),
    ("JAMES", "JIM", "JIMMY", "JAMIE"),
    ("DAVID", "DAVE", "DAVEY"),
    ("MICHAEL", "MIKE", "MICK", "MICKY"),
    ("THOMAS", "TOM", "TOMMY"),
    ("RICHARD", "RICK", "RICKY", "DICK", "RICH"),
    ("CHRISTOPHER", "CHRIS", "KIT"),
    ("ANTHONY", "TONY"),
    ("PETER", "PETE"),
    ("ANDREW", "ANDY", "DREW"),
    ("STEPHEN", "STEVEN", "STEVE"),
    ("KENNETH", "KEN", "KENNY"),
    ("EDWARD", "TED", "TEDDY", "ED", "EDDIE", "NED"),
    ("FREDERICK", "FRED", "FREDDIE", "FREDDY"),
    ("ALBERT", "BERTIE", "AL"),
    ("HENRY", "HARRY", "HAL"),
    ("CHARLES", "CHARLIE", "CHAS", "CHUCK"),
    ("JOSEPH", "JOE", "JOEY"),
    ("DANIEL", "DAN", "DANNY"),
    ("MATTHEW", "MATT"),
    ("SAMUEL", "SAM", "SAMMY"),
    ("ALEXANDER", "ALEX", "SANDY"),
    ("BENJAMIN", "BEN", "BENNY"),
    ("RONALD", "RON", "RONNIE"),
    ("LEONARD", "LEN", "LENNY"),
    ("RAYMOND", "RAY"),
    ("JACOB", "JAKE"),
    ("GERALD", "GERRY"),
    ("TERENCE", "TERRY"),
    ("PATRICK", "PADDY", "PAT"),
    ("MARGARET", "PEGGY", "MAGGIE", "MEG", "MAG"),
    ("ELIZABETH", "LIZ", "LIZZIE", "BETH", "BETTY", "ELIZA", "LIBBY"),
    ("CATHERINE", "KATHERINE", "KATE", "KATIE", "CATH", "CATHY"),
    ("PATRICIA", "TRISH", "PATSY"),
    ("SUSAN", "SUE", "SUSIE"),
    ("JENNIFER", "JENNY", "JEN"),
    ("DOROTHY", "DOT", "DOTTIE", "DOLLY"),
    ("BARBARA", "BABS", "BARB"),
    ("KATHLEEN", "KATH"),
    ("CHRISTINE", "CHRISSIE", "TINA"),
    ("DEBORAH", "DEBBIE", "DEBRA", "DEB"),
    ("REBECCA", "BECKY", "BECCA"),
    ("VICTORIA", "VICKY", "VICKI", "TORI"),
    ("AMANDA", "MANDY"),
    ("NICOLA", "NICKY", "NIKKI"),
    ("JESSICA", "JESS", "JESSIE"),
    ("JANET", "JAN"),
    ("VALERIE", "VAL"),
    ("GILLIAN", "GILL", "JILL"),
    ("ALEXANDRA", "ALEXA", "LEXI"),
    ("JOSEPHINE", "JO", "JOSIE"),
    ("MAUREEN", "MO"),
    ("FLORENCE", "FLO", "FLOSSIE"),
    ("EVELYN", "EVIE"),
)

# Some short forms belong to more than one full name ("CHRIS", "ALEX", "PAT"): the
# first group wins, so only the variant, not the full names, compare equal.
NICKNAME_CANONICAL: dict[str, str] = {}
for _group in _GROUPS:
    for _name in _group:
        NICKNAME_CANONICAL.setdefault(_name, _group[0])


def name_canonical(normalised_given: str) -> str:
    """The canonical form of a normalised (upper-case) given name."""
    first = normalised_given.split(" ")[0] if normalised_given else ""
    return NICKNAME_CANONICAL.get(first, first)
