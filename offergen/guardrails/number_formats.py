"""Reading a number written with digits, as US or EU copy writes it ("1,500.50", "1.500,50 €").

Which strings count as one number is data (the `number` regex of each jurisdiction in
guardrails/data/numbers.yaml); this module only turns a matched string into its value.
"""

from __future__ import annotations

import re

# A dot that groups thousands: never after a leading 0, always before exactly three digits.
_DOT_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?")


def parse_number(raw: str, *, dot_groups_thousands: bool = False) -> float:
    """The value of `raw`, a number as the copy writes it.

    - Spaces group thousands ("1 500"); only the EU pattern lets them through.
    - With both "." and ",", the last one is the decimal separator ("1.500,50", "1,500.50").
    - A comma with one or two digits after it is a decimal comma ("19,99"); other commas group
      thousands ("1,500").
    - A dot is a decimal point, except where `dot_groups_thousands` (EU copy) and the shape says
      thousands: a dot followed by exactly three digits ("1.500" is 1500, "18.9" is 18.9).
    """
    raw = raw.replace(" ", "")
    if "." in raw and "," in raw:
        decimal = "." if raw.rfind(".") > raw.rfind(",") else ","
        group = "," if decimal == "." else "."
        return float(raw.replace(group, "").replace(decimal, "."))
    if "," in raw:
        if raw.count(",") == 1 and len(raw.rsplit(",", 1)[1]) <= 2:
            return float(raw.replace(",", "."))
        return float(raw.replace(",", ""))
    if dot_groups_thousands and _DOT_GROUPED.fullmatch(raw):
        return float(raw.replace(".", ""))
    return float(raw)
