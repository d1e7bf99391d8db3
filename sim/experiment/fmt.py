"""Numbers as people read them in the reports, never in scientific notation.

Money in 亿元 / 万元 (or million CNY), shares as percentages, counts with separators (万 in Chinese).

Every function takes the goal's unit as written in ``configs/data/goals_2020.csv`` (``CNY``, ``share``,
``villages``, ``customers``, ...) and the language, ``zh`` or ``en``.
"""

from __future__ import annotations

import math

# unit -> (Chinese measure word, English plural, English singular)
COUNT_WORDS: dict[str, tuple[str, str, str]] = {
    "villages": ("个村", "villages", "village"),
    "customers": ("户", "customers", "customer"),
    "clients": ("户", "clients", "client"),
    "households": ("户", "households", "household"),
    "enterprises": ("家", "enterprises", "enterprise"),
    "lectures": ("场", "lectures", "lecture"),
    "apps/year": ("个/年", "apps a year", "app a year"),
}
# what one unit of a count is called after "per" (每…)
_PER_ZH = {"villages": "村", "customers": "户", "clients": "户", "households": "户", "enterprises": "家",
           "lectures": "场", "apps/year": "个应用（每年）"}
MINUS = "−"  # a real minus sign: a hyphen in front of a number reads as a dash


def number(x: float, sig: int = 3) -> str:
    """``x`` with about ``sig`` significant digits, thousands separators, no exponent, no trailing zeros.

    >>> number(900000000.0), number(0.1234), number(12345.6), number(-2.5)
    ('900,000,000', '0.123', '12,346', '−2.5')
    """
    if x is None or not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    digits = max(0, sig - 1 - math.floor(math.log10(abs(x))))
    text = f"{abs(x):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("0", ""):
        return "0"
    return (MINUS if x < 0 else "") + text


def money(x: float, lang: str) -> str:
    """CNY: 亿元 from 100 million on, 万元 from 10,000 on (Chinese); million or billion CNY (English)."""
    if x is None or not math.isfinite(x):
        return "–"
    a = abs(x)
    if lang == "zh":
        if a >= 1e8:
            return f"{number(x / 1e8)} 亿元"
        if a >= 1e4:
            return f"{number(x / 1e4)} 万元"
        return f"{number(x)} 元"
    if a >= 1e9:
        return f"{number(x / 1e9)} billion CNY"
    if a >= 1e6:
        return f"{number(x / 1e6)} million CNY"
    return f"{number(x)} CNY"


def percent(p: float, digits: int = 0) -> str:
    """A probability or share as a percentage: 0.8 -> '80%'."""
    if p is None or not math.isfinite(p):
        return "–"
    return f"{p * 100:.{digits}f}%".replace("-", MINUS)


def count(x: float, unit: str, lang: str) -> str:
    """A count with its unit: '100 万户' / '1,000,000 customers'."""
    zh, plural, _ = COUNT_WORDS.get(unit, ("", unit, unit))
    if lang == "zh":
        if x is not None and math.isfinite(x) and abs(x) >= 1e4:
            return f"{number(x / 1e4)} 万{zh}"
        return f"{_whole(x)} {zh}".rstrip()
    return f"{_whole(x)} {plural}".rstrip()


def _whole(x: float) -> str:
    """A count: whole units from 100 on (a mean of 4,433.7 villages reads 4,434), else 3 significant digits."""
    if x is not None and math.isfinite(x) and abs(x) >= 100:
        return number(float(round(x)), 15)
    return number(x, 3)


def value(x: float, unit: str, lang: str) -> str:
    """A goal's value in its unit."""
    if unit == "CNY":
        return money(x, lang)
    if unit == "share":
        return percent(x, 1).replace(".0%", "%")
    return count(x, unit, lang)


def diff(x: float, unit: str, lang: str) -> str:
    """A signed difference of a goal's value: shares in percentage points."""
    if x is None or not math.isfinite(x):
        return "–"
    sign = "+" if x > 0 else ""
    if unit == "share":
        points = number(x * 100, 2)
        return f"{sign}{points} 个百分点" if lang == "zh" else f"{sign}{points} percentage points"
    return sign + value(x, unit, lang)


def interval(low: float, high: float, unit: str, lang: str, signed: bool = False) -> str:
    """An interval '[low, high]' in the goal's unit (differences signed, shares in points when ``signed``)."""
    f = (lambda v: diff(v, unit, lang)) if signed else (lambda v: value(v, unit, lang))
    return f"[{f(low)}, {f(high)}]"


def cost_per_unit(cny: float, unit: str, lang: str) -> str:
    """Money per unit of a goal's improvement: per percentage point, per CNY of the goal, per client, ..."""
    if cny is None or not math.isfinite(cny):
        return "–"
    if unit == "share":  # a share's unit is 1 = 100 points; people think in points
        per_point = money(cny / 100, lang)
        return f"每个百分点 {per_point}" if lang == "zh" else f"{per_point} per percentage point"
    if unit == "CNY":
        return f"每元 {number(cny, 2)} 元" if lang == "zh" else f"{number(cny, 2)} CNY per CNY"
    if lang == "zh":
        return f"每{_PER_ZH.get(unit, unit)} {money(cny, lang)}"
    return f"{money(cny, lang)} per {COUNT_WORDS.get(unit, ('', unit, unit))[2]}"


def axis(unit: str, target: float, lang: str) -> tuple[float, str]:
    """How to draw a goal on a figure axis: (divide the values by, the axis unit label).

    Money in 亿元 (100 million CNY), shares in %, large counts in 万 (Chinese) so tick labels stay short.
    """
    if unit == "CNY":
        return 1e8, ("亿元" if lang == "zh" else "100 million CNY")
    if unit == "share":
        return 0.01, "%"
    zh, plural, _ = COUNT_WORDS.get(unit, ("", unit, unit))
    if lang == "zh" and abs(target) >= 1e5:
        return 1e4, f"万{zh}"
    return 1.0, (zh if lang == "zh" else plural)
