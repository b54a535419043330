"""The RFM segments of the R and F scores (docs/analytics.md, "RFM segmentation").

The 5 × 5 grid of recency and frequency scores, each cell in one segment: the R × F
segment map in common use (the regular-expression map of the open-source RFM
tutorials, after Putler's "RFM Analysis For Successful Customer Segmentation" segment
names), with Lost carved out of Hibernating as R1 F1, so the eleven segments of
Putler's table each have their cells. The monetary score is shown, not used to
segment: in that map it only breaks ties of the grid.
"""

from __future__ import annotations

from clientela.analytics.choices import Segment

_MAP: dict[str, tuple[str, ...]] = {
    Segment.CHAMPIONS: ("54", "55"),
    Segment.LOYAL: ("34", "35", "44", "45"),
    Segment.POTENTIAL_LOYALISTS: ("42", "43", "52", "53"),
    Segment.NEW: ("51",),
    Segment.PROMISING: ("41",),
    Segment.NEED_ATTENTION: ("33",),
    Segment.ABOUT_TO_SLEEP: ("31", "32"),
    Segment.AT_RISK: ("13", "14", "23", "24"),
    Segment.CANT_LOSE: ("15", "25"),
    Segment.HIBERNATING: ("12", "21", "22"),
    Segment.LOST: ("11",),
}

#: (r, f) -> segment value, for every cell of the grid.
SEGMENT_OF: dict[tuple[int, int], str] = {
    (int(cell[0]), int(cell[1])): str(segment) for segment, cells in _MAP.items() for cell in cells
}
assert len(SEGMENT_OF) == 25


def segment_of(r: int, f: int) -> str:
    return SEGMENT_OF[(r, f)]


def segment_case_sql(r: str, f: str) -> str:
    """The SQL CASE that names the segment of the score columns ``r`` and ``f`` (the
    values are this module's constants, never user input)."""
    whens = " ".join(
        f"WHEN {r} * 10 + {f} = {a * 10 + b} THEN '{seg}'"
        for (a, b), seg in sorted(SEGMENT_OF.items())
    )
    return f"CASE {whens} END"


def grid() -> list[list[tuple[int, int, str]]]:
    """The grid's rows from F 5 (top) to F 1, each cell (r, f, segment), R 1 → 5."""
    return [[(r, f, SEGMENT_OF[(r, f)]) for r in range(1, 6)] for f in range(5, 0, -1)]
