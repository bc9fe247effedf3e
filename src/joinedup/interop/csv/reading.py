"""Reading a CSV extract's bytes as text, in the encoding its mapping declares (a
byte order mark wins over the declaration: Excel writes one before UTF-8, and
"Unicode text" exports are UTF-16)."""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class NotText(Exception):
    def __init__(self, reason: str, text: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.text = text  # decoded with replacement characters, to be quarantined


def csv_decode(data: bytes, encoding: str) -> str:
    """The text of a file in its declared encoding (a byte order mark wins over
    the declaration); NotText naming the line when it is not."""
    name = codecs.lookup(encoding).name
    codec, said = ("utf-8-sig" if name == "utf-8" else name), "the mapping's declared"
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            codec, name, said = bom_codec, bom_codec.removesuffix("-sig"), "its marked"
            break
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        hint = (
            "; an export from a Windows system is often windows-1252: declare "
            "`encoding: windows-1252` in the mapping"
            if name == "utf-8"
            else ""
        )
        raise NotText(
            f"line {line}: byte 0x{byte} is not {name} text ({said} encoding){hint}",
            data.decode(codec, errors="replace"),
        ) from None
