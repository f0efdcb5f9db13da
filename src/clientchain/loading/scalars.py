"""Reading typed values out of YAML scalars and CSV cells, the contract's way.

Ids stay literal text. Numbers are numbers only when written as numbers: a
quoted `"3"` is text, and `yes`, `0x1F` or `1_000` are not numbers at all.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type only: the fast readers use this module without yaml
    from clientchain.loading.yaml_source import YNode

NULLS = frozenset({"", "~", "null", "Null", "NULL"})  # YAML null, written plainly
NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_SPECIAL = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
MAX_DECIMALS = 12
_NON_FINITE_WORDS = frozenset({"inf", "infinity", "nan"})  # as spreadsheets export them
# Money beyond these bounds is a typo, not a budget: past them float sums lose cents
# (or overflow) and shown figures would be wrong, so we refuse rather than guess.
MAX_AMOUNT = 1e15
MIN_AMOUNT = 1e-12
MAX_HEADCOUNT = 10**9
HEADCOUNT_WANTED = "headcount must be a finite number >= 0 (0 = vacant)"


def is_null(node: YNode | None) -> bool:
    """Absent, or written as YAML's null (`~`, `null`, nothing) without quotes."""
    return node is None or (node.kind == "scalar" and not node.quoted and node.text in NULLS)


def headcount_problem(text: str, quoted: bool) -> str | None:
    """Why a scalar is not a headcount (a finite number >= 0: full-time equivalents, so
    `0.5` is half a post), or None when it is one."""
    value = None if quoted else parse_number(text)
    if value is None or not math.isfinite(value) or value < 0:
        shown = f"'{text}' in quotes" if quoted else f"'{text}'"
        return f"{HEADCOUNT_WANTED}, found {shown}"
    if value > MAX_HEADCOUNT:
        return f"headcount {text} is larger than the largest supported (10^9)"
    return None


def headcount_value(text: str) -> float:
    """The headcount of a scalar `headcount_problem` accepts (`-0` is 0)."""
    return float(text) + 0.0


def parse_number(text: str) -> float | None:
    """A number written as a decimal or exponent literal (or YAML's .inf/.nan), else None."""
    if NUMBER.fullmatch(text):
        return float(text)
    return _SPECIAL.get(text.lower()) if text.lower() in _SPECIAL else None


def decimals_of(text: str) -> int:
    """How many decimal places a number literal carries (`12.50` -> 2, `1e3` -> 0)."""
    if "." not in text and "e" not in text and "E" not in text:
        return 0
    from decimal import Decimal  # (rarely called: not imported with the module)

    exponent = Decimal(text).as_tuple().exponent
    if not isinstance(exponent, int):
        return 0
    return min(MAX_DECIMALS, max(0, -exponent))


def amount_problem(text: str, quoted: bool) -> str | None:
    """Why `text` is not a valid money amount, or None when it is one."""
    if quoted:
        return f"amount '{text}' is quoted text; write the number without quotes"
    if text.strip() == "":
        return "amount is empty; write a number greater than 0"
    value = parse_number(text.strip())
    if value is None and text.strip().lstrip("+-").lower() in _NON_FINITE_WORDS:
        return f"amount '{text}' is not a finite number"
    if value is None:
        return f"amount '{text}' is not a number"
    if not math.isfinite(value):
        return f"amount '{text}' is not a finite number"
    if value <= 0:
        return f"amount {text} must be greater than 0"
    if value > MAX_AMOUNT:
        return f"amount {text} is larger than the largest supported amount (10^15)"
    if value < MIN_AMOUNT:
        return f"amount {text} is smaller than the smallest supported amount (10^-12)"
    return None


def amount_ok(value: float | None) -> bool:
    """The fast check used per CSV row: a number in the supported range."""
    return value is not None and MIN_AMOUNT <= value <= MAX_AMOUNT
