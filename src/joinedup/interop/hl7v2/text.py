"""HL7 v2 text: the bytes of a message as characters (MSH-18), segments and fields,
escape sequences (HL7 v2.5 chapter 2, section 2.7).

- Segments end with a carriage return; feeds that end them with a line feed or
  with CR LF are read the same way.
- Characters: MSH-18 (table 0211) names the character set of the bytes: ASCII,
  8859/1 to 8859/9 and 8859/15 (ISO IR100 is 8859/1), UNICODE UTF-8 (and UNICODE,
  which feeds of v2.3 use for UTF-8). When MSH-18 is empty the bytes must be UTF-8
  (of which ASCII is a part). UTF-16 and UTF-32 cannot carry MLLP framing.
- Escapes in text: \\F\\ | , \\S\\ ^ , \\T\\ & , \\R\\ ~ , \\E\\ \\ ; \\H\\ and \\N\\
  (highlighting on/off) are dropped, \\.br\\ becomes a space, \\Xhh..\\ is hex (UTF-8
  when it decodes as such, else Latin-1); other sequences (\\Cxxyy\\, \\Mxxyyzz\\,
  \\Zxx\\ locally defined) are dropped. A backslash without its closing one is kept.
- A component sent as "" (two double quotes) is the HL7 null ("delete this
  value"): it is read as empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESCAPES = {"F": "|", "S": "^", "T": "&", "R": "~", "E": "\\"}
HL7_NULL = '""'

# MSH-18 (HL7 table 0211) -> Python codec.
CHARSETS = {
    "ASCII": "ascii",
    "ISO IR6": "ascii",
    "8859/1": "latin-1",
    "ISO IR100": "latin-1",
    "8859/2": "iso8859-2",
    "8859/3": "iso8859-3",
    "8859/4": "iso8859-4",
    "8859/5": "iso8859-5",
    "8859/6": "iso8859-6",
    "8859/7": "iso8859-7",
    "8859/8": "iso8859-8",
    "8859/9": "iso8859-9",
    "8859/15": "iso8859-15",
    "UNICODE": "utf-8",
    "UNICODE UTF-8": "utf-8",
    "UTF-8": "utf-8",
}


def _hex(seq: str) -> str:
    try:
        raw = bytes.fromhex(seq)
    except ValueError:
        return ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    # A line break sent as hex (\X0D\, \X0A\) in a one-line field: a space.
    return "".join(" " if ord(c) < 0x20 or c == "\x7f" else c for c in text)


def unescape(value: str) -> str:
    """The text of a component, its escape sequences decoded."""
    if "\\" not in value:
        return value
    out: list[str] = []
    i = 0
    n = len(value)
    while i < n:
        ch = value[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        end = value.find("\\", i + 1)
        if end < 0:  # no closing escape character: keep the rest as sent
            out.append(value[i:])
            break
        seq = value[i + 1 : end]
        if seq in ESCAPES:
            out.append(ESCAPES[seq])
        elif seq[:1] == "X" and len(seq) > 1 and len(seq) % 2 == 1:
            out.append(_hex(seq[1:]))
        elif seq == ".br":
            out.append(" ")
        # \H\, \N\, \Cxxyy\, \Mxxyyzz\, \Z..\ and formatting: nothing to show.
        i = end + 1
    return "".join(out)


def _value(raw: str) -> str:
    text = unescape(raw.split("&", 1)[0]).strip()
    return "" if text == HL7_NULL else text


@dataclass(frozen=True)
class Segment:
    name: str
    fields: list[str]  # fields[n] is SEG-n; for MSH, fields[1] is MSH-1 "|"
    # SEG-n's repetitions once read (a field is read for each of its components).
    _read: dict[int, list[list[str]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def field(self, n: int) -> str:
        return self.fields[n] if n < len(self.fields) else ""

    def repetitions(self, n: int) -> list[list[str]]:
        """SEG-n's repetitions, each its components (first subcomponent of each,
        unescaped, stripped; the HL7 null read as empty). Not to be changed by
        the caller: it is read once."""
        read = self._read.get(n)
        if read is None:
            raw = self.field(n)
            read = (
                [[_value(c) for c in rep.split("^")] for rep in raw.split("~")]
                if raw
                else []
            )
            self._read[n] = read
        return read

    def components(self, n: int, repetition: int = 0) -> list[str]:
        reps = self.repetitions(n)
        return reps[repetition] if repetition < len(reps) else []

    def component(self, n: int, c: int = 1) -> str:
        comps = self.components(n)
        return comps[c - 1] if c - 1 < len(comps) else ""


class SegmentNameError(ValueError):
    """A segment whose first three characters are not a segment name."""

    def __init__(self, number: int) -> None:
        super().__init__(f"segment {number} has no valid segment name")
        self.number = number


def segment_lines(text: str) -> list[str]:
    """The segments of a message: ended by CR, LF or CR LF; blank ones dropped."""
    lines = text.replace("\r\n", "\r").replace("\n", "\r").split("\r")
    return [s for s in (line.strip("\x00 \t") for line in lines) if s]


def segments_split(text: str) -> list[Segment]:
    """Every segment of the message; raises SegmentNameError."""
    segments: list[Segment] = []
    for line in segment_lines(text):
        name = line[:3]
        if not (
            len(name) == 3 and name.isascii() and name.isalnum() and name[0].isalpha()
        ):
            raise SegmentNameError(len(segments) + 1)
        if name == "MSH":
            # MSH-1 is the field separator itself: keep the numbering of the standard.
            parts = line.split("|")
            segments.append(Segment(name, ["MSH", "|", *parts[1:]]))
        else:
            segments.append(Segment(name, line.split("|")))
    return segments


def charset_declared(payload: bytes) -> str:
    """MSH-18 of a message's bytes (its first repetition, upper case), or ""."""
    start = payload.find(b"MSH|")
    if start < 0:
        return ""
    head = payload[start:]
    for end in (b"\r", b"\n"):
        cut = head.find(end)
        if cut >= 0:
            head = head[:cut]
    fields = head.split(b"|")
    if len(fields) <= 17:
        return ""
    value = fields[17].split(b"~")[0].split(b"^")[0]
    return value.decode("ascii", "replace").strip().upper()


def payload_decode(payload: bytes) -> tuple[str, str]:
    """The message text and, when it cannot be read, the reason (then the text is a
    lossy rendering, for the quarantine). The character set is MSH-18's."""
    charset = charset_declared(payload)
    if payload.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark
        payload = payload[3:]
    codec = CHARSETS.get(charset, "") if charset else "utf-8"
    lossy = payload.decode("utf-8", "replace")
    if not codec:
        return lossy, (
            f"MSH-18 character set {charset[:20]!r} is not supported; send ASCII, "
            "8859/1 or UNICODE UTF-8"
        )
    try:
        return payload.decode(codec), ""
    except UnicodeDecodeError as exc:
        if codec == "ascii":
            # Declared ASCII but sent UTF-8: the same characters where they are
            # ASCII, and nothing is lost.
            try:
                return payload.decode("utf-8"), ""
            except UnicodeDecodeError:
                pass
        if codec == "utf-8" and not charset:
            return lossy, (
                f"the message is not valid UTF-8 (byte {exc.start}); declare the "
                "character set in MSH-18"
            )
        return lossy, (
            f"the message is not valid {charset[:20] or codec} as MSH-18 declares "
            f"(byte {exc.start})"
        )
