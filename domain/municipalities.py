"""The fifteen municipalities of the programme, by official municipality code (kommunkod)."""

from __future__ import annotations

from typing import NamedTuple


class Municipality(NamedTuple):
    code: str
    name: str
    county: str


PROGRAMME: dict[str, Municipality] = {
    m.code: m
    for m in (
        Municipality("2422", "Sorsele", "Västerbotten"),
        Municipality("2418", "Malå", "Västerbotten"),
        Municipality("2417", "Norsjö", "Västerbotten"),
        Municipality("2462", "Vilhelmina", "Västerbotten"),
        Municipality("2480", "Umeå", "Västerbotten"),
        Municipality("2161", "Ljusdal", "Gävleborg"),
        Municipality("2182", "Söderhamn", "Gävleborg"),
        Municipality("2062", "Mora", "Dalarna"),
        Municipality("2080", "Falun", "Dalarna"),
        Municipality("2085", "Ludvika", "Dalarna"),
        Municipality("1983", "Sala", "Västmanland"),
        Municipality("0561", "Åtvidaberg", "Östergötland"),
        Municipality("0685", "Vetlanda", "Jönköping"),
        Municipality("0840", "Mörbylånga", "Kalmar"),
        Municipality("1081", "Ronneby", "Blekinge"),
    )
}


def municipality_name(code: str) -> str:
    """The name for a code; codes outside the programme are shown as they are."""
    if code == "*":
        return "Hela programmet"
    known = PROGRAMME.get(code)
    return known.name if known else code
