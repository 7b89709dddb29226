"""Numbers and values as a methods section prints them: no raw floats, no empty dicts.

Audit records keep machine values (``0.09919015631866408``, ``None``, ``{}``, ``"False"`` from
a CSV); a reader of the report needs ``9.9%``, ``none``, ``no``. Every value the report shows
from an audit record or a table passes through :func:`shown`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["count", "is_blank", "join_words", "percent", "plural", "shown", "yes_no"]

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def is_blank(value: Any) -> bool:
    """Nothing worth printing: None, "", NaN, an empty list or mapping."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping | list | tuple | set):
        return len(value) == 0
    return False


def percent(value: Any, digits: int = 1) -> str:
    """A share (0-1) as a percentage: ``0.0991`` -> ``9.9%``; blank -> ``""``."""
    number = _number(value)
    if number is None:
        return ""
    return f"{100 * number:.{digits}f}%"


def count(value: Any) -> str:
    """An integer with thousands separators; other values as :func:`shown`."""
    number = _number(value)
    if number is not None and float(number).is_integer():
        return f"{int(number):,}"
    return shown(value)


def yes_no(value: Any) -> str:
    text = str(value).strip().lower()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if text in _TRUE:
        return "yes"
    if text in _FALSE:
        return "no"
    return shown(value)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 record``, ``2 records`` (``many`` for irregular plurals)."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def join_words(items: Iterable[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    parts = [p for p in items if p]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {last} {parts[-1]}"


def shown(value: Any) -> str:
    """Any audit or table value as text a reader understands."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:,.4g}"
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("true", "false"):
            return yes_no(text)
        number = _number(text)
        if number is not None and not text.isdigit() and "." in text:
            return shown(number)
        return text
    if isinstance(value, Mapping):
        return "; ".join(f"{k} = {shown(v)}" for k, v in value.items() if not is_blank(v))
    if isinstance(value, list | tuple | set):
        return ", ".join(shown(v) for v in value if not is_blank(v))
    return json.dumps(value, ensure_ascii=False, default=str)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or is_blank(value):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None
