"""``Date.parse`` as Node (V8) implements it: the fallback of ``new Date(string)``.

The original facade hands any timestamp that is neither lax ISO-8601 nor a run of 10 or
13 digits to ``new Date(string)``. This is a port of V8's date parser
(``src/date/dateparser*``): first the ECMAScript date-time format
(``[+-YY]YYYY[-MM[-DD]][THH:mm[:ss[.sss]][Z|+hh:mm]]``, with six-digit signed years),
then the legacy rules browsers share: month names, ``AM``/``PM``, ``UTC``/``GMT``/``Z``
and the US zone names, ``GMT+0100`` offsets (``+`` is east of UTC, unlike POSIX),
parenthesised comments skipped, unknown words before the first number ignored, and
``M/D/Y`` numbers. ``"Thu Jan 02 2014 10:00:00 GMT+0100 (CET)"`` (``Date#toString``
output) is 09:00Z; ``"Jan 5"`` is 5 January 2001, as in V8.

It stays one module over ~400 lines on purpose: it follows V8's parser function by function,
so reviewers can hold it against the original side by side.

Local times are read as UTC (as Node gives with ``TZ=UTC``): this project never depends
on the host's time zone.
"""

from __future__ import annotations

from typing import List, NamedTuple, Optional, Tuple

__all__ = ["parse"]

_NONE = 2 ** 31 - 1  # V8's kNone
_MAX_SIGNIFICANT_DIGITS = 9
_MAX_TIME_MS = 8.64e15

# JavaScript WhiteSpace and LineTerminator code points (what V8's scanner skips).
_SPACE = frozenset("\t\n\u000b\u000c\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                   "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")

# Keyword prefixes (3 letters, lower case) -> (type, value); only month names may be longer.
_MONTH, _ZONE, _TIME_SEP, _AM_PM, _WORD = "month", "zone", "T", "ampm", "word"
_KEYWORDS = {
    "jan": (_MONTH, 1), "feb": (_MONTH, 2), "mar": (_MONTH, 3), "apr": (_MONTH, 4),
    "may": (_MONTH, 5), "jun": (_MONTH, 6), "jul": (_MONTH, 7), "aug": (_MONTH, 8),
    "sep": (_MONTH, 9), "oct": (_MONTH, 10), "nov": (_MONTH, 11), "dec": (_MONTH, 12),
    "am": (_AM_PM, 0), "pm": (_AM_PM, 12), "ut": (_ZONE, 0), "utc": (_ZONE, 0),
    "z": (_ZONE, 0), "gmt": (_ZONE, 0), "cdt": (_ZONE, -5), "cst": (_ZONE, -6),
    "edt": (_ZONE, -4), "est": (_ZONE, -5), "mdt": (_ZONE, -6), "mst": (_ZONE, -7),
    "pdt": (_ZONE, -7), "pst": (_ZONE, -8), "t": (_TIME_SEP, 0),
}


class Token(NamedTuple):
    """One token: ``kind`` is num, sym, word, space, unknown, end or invalid.

    ``value`` is a number's value (its first 9 significant digits) or a keyword's value,
    ``text`` a symbol or a keyword's type, ``length`` the characters it spans.
    """

    kind: str
    value: int = 0
    text: str = ""
    length: int = 0


_END = Token("end")


def _tokens(text: str) -> List[Token]:
    """V8's DateStringTokenizer over the whole string."""
    out: List[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if "0" <= ch <= "9":
            start = i
            while i < n and text[i] == "0":
                i += 1
            value = digits = 0
            while i < n and "0" <= text[i] <= "9":
                if digits < _MAX_SIGNIFICANT_DIGITS:
                    value = value * 10 + ord(text[i]) - 48
                digits += 1
                i += 1
            out.append(Token("num", value, "", i - start))
        elif ch in ":-+.)":
            out.append(Token("sym", 0, ch, 1))
            i += 1
        elif ch >= "A" and ch not in _SPACE:
            start = i
            while i < n and text[i] >= "A" and text[i] not in _SPACE:
                i += 1
            word = text[start:i]
            prefix = "".join(chr(ord(c) | 0x20) if c < "\x80" else c for c in word[:3])
            kind, value = _KEYWORDS.get(prefix, (_WORD, 0))
            if len(word) > 3 and kind != _MONTH:
                kind, value = _WORD, 0
            out.append(Token("word", value, kind, len(word)))
        elif ch in _SPACE:
            out.append(Token("space", 0, "", 1))
            i += 1
        elif ch == "(":
            balance = 0
            while True:
                if text[i] == ")":
                    balance -= 1
                elif text[i] == "(":
                    balance += 1
                i += 1
                if balance <= 0 or i >= n:
                    break
            out.append(Token("unknown"))
        else:
            out.append(Token("unknown", 0, "", 1))
            i += 1
    return out


class _Scanner:
    def __init__(self, tokens: List[Token]) -> None:
        self._tokens = tokens
        self._pos = 0

    def peek(self) -> Token:
        return self._tokens[self._pos] if self._pos < len(self._tokens) else _END

    def next(self) -> Token:
        token = self.peek()
        self._pos += 1
        return token

    def skip_symbol(self, symbol: str) -> bool:
        if self.peek() == ("sym", 0, symbol, 1):
            self._pos += 1
            return True
        return False


def _is_number(token: Token, length: Optional[int] = None) -> bool:
    return token.kind == "num" and (length is None or token.length == length)


def _is_symbol(token: Token, symbols: str) -> bool:
    return token.kind == "sym" and token.text in symbols


def _is_sign(token: Token) -> bool:
    return _is_symbol(token, "+-")


def _is_keyword(token: Token, kind: str) -> bool:
    return token.kind == "word" and token.text == kind


def _is_z(token: Token) -> bool:
    return _is_keyword(token, _ZONE) and token.length == 1 and token.value == 0


def _between(x: int, lo: int, hi: int) -> bool:
    return lo <= x <= hi


def _millis(token: Token) -> int:
    """The first three significant digits of a fraction token."""
    number, length = token.value, token.length
    if length == 1:
        return number * 100
    if length == 2:
        return number * 10
    length = min(length, _MAX_SIGNIFICANT_DIGITS)
    while length > 3:
        number //= 10
        length -= 1
    return number


class _Day:
    def __init__(self) -> None:
        self.comp: List[int] = []
        self.named_month = _NONE
        self.iso = False

    def add(self, n: int) -> bool:
        if len(self.comp) < 3:
            self.comp.append(n)
            return True
        return False

    def write(self) -> Optional[Tuple[int, int, int]]:
        if not self.comp:
            return None
        comp = self.comp + [1] * (3 - len(self.comp))
        year = 0  # two-digit years below are 20xx/19xx; none at all is 2000 (KJS)
        if self.named_month == _NONE:
            if self.iso or not _between(comp[0], 1, 31):
                year, month, day = comp
            else:
                month, day, year = comp
        else:
            month = self.named_month
            if not _between(comp[0], 1, 31):
                year, day = comp[0], comp[1]
            else:
                day, year = comp[0], comp[1]
        if not self.iso:
            if _between(year, 0, 49):
                year += 2000
            elif _between(year, 50, 99):
                year += 1900
        if not _between(month, 1, 12) or not _between(day, 1, 31):
            return None
        return year, month - 1, day


class _Time:
    def __init__(self) -> None:
        self.comp: List[int] = []
        self.hour_offset = _NONE

    def empty(self) -> bool:
        return not self.comp

    def expecting(self, n: int) -> bool:
        i = len(self.comp)
        return (i == 1 and _between(n, 0, 59)) or (i == 2 and _between(n, 0, 59)) or \
            (i == 3 and _between(n, 0, 999))

    def add(self, n: int) -> bool:
        if len(self.comp) < 4:
            self.comp.append(n)
            return True
        return False

    def add_final(self, n: int) -> bool:
        if not self.add(n):
            return False
        self.comp += [0] * (4 - len(self.comp))
        return True

    def write(self) -> Optional[Tuple[int, int, int, int]]:
        hour, minute, second, ms = self.comp + [0] * (4 - len(self.comp))
        if self.hour_offset != _NONE:
            if not _between(hour, 0, 12):
                return None
            hour = hour % 12 + self.hour_offset
        if not (_between(hour, 0, 23) and _between(minute, 0, 59) and _between(second, 0, 59)
                and _between(ms, 0, 999)):
            if hour != 24 or minute or second or ms:
                return None
        return hour, minute, second, ms


class _Zone:
    def __init__(self) -> None:
        self.sign = _NONE
        self.hour = _NONE
        self.minute = _NONE

    def set(self, hours: int) -> None:
        self.sign = -1 if hours < 0 else 1
        self.hour = abs(hours)
        self.minute = 0

    def empty(self) -> bool:
        return self.hour == _NONE

    def is_utc(self) -> bool:
        return self.hour == 0 and self.minute == 0

    def expecting(self, n: int) -> bool:
        return self.hour != _NONE and self.minute == _NONE and _between(n, 0, 59)

    def offset_seconds(self) -> Optional[int]:
        """Seconds east of UTC; 0 for a local time (read as UTC); None when invalid."""
        if self.sign == _NONE:
            return 0
        hour = 0 if self.hour == _NONE else self.hour
        minute = 0 if self.minute == _NONE else self.minute
        total = hour * 3600 + minute * 60
        if total > 2 ** 30 - 1:
            return None
        return -total if self.sign < 0 else total


_INVALID = Token("invalid")


def _es5(scanner: _Scanner, day: _Day, time: _Time, zone: _Zone) -> Token:
    """The ECMAScript date-time format; returns the first token it did not use."""
    peek = scanner.peek()
    if _is_sign(peek):
        sign_token = scanner.next()
        if not _is_number(scanner.peek(), 6):
            return sign_token
        year = scanner.next().value
        if sign_token.text == "-" and year == 0:
            return sign_token
        day.add(-year if sign_token.text == "-" else year)
    elif _is_number(peek, 4):
        day.add(scanner.next().value)
    else:
        return scanner.next()
    if scanner.skip_symbol("-"):
        peek = scanner.peek()
        if not _is_number(peek, 2) or not _between(peek.value, 1, 12):
            return scanner.next()
        day.add(scanner.next().value)
        if scanner.skip_symbol("-"):
            peek = scanner.peek()
            if not _is_number(peek, 2) or not _between(peek.value, 1, 31):
                return scanner.next()
            day.add(scanner.next().value)
    if not _is_keyword(scanner.peek(), _TIME_SEP):
        if scanner.peek().kind != "end":
            return scanner.next()
    else:
        scanner.next()
        peek = scanner.peek()
        if not _is_number(peek, 2) or not _between(peek.value, 0, 24):
            return _INVALID
        hour_is_24 = peek.value == 24
        time.add(scanner.next().value)
        if not scanner.skip_symbol(":"):
            return _INVALID
        peek = scanner.peek()
        if not _is_number(peek, 2) or not _between(peek.value, 0, 59) or \
                (hour_is_24 and peek.value > 0):
            return _INVALID
        time.add(scanner.next().value)
        if scanner.skip_symbol(":"):
            peek = scanner.peek()
            if not _is_number(peek, 2) or not _between(peek.value, 0, 59) or \
                    (hour_is_24 and peek.value > 0):
                return _INVALID
            time.add(scanner.next().value)
            if scanner.skip_symbol("."):
                peek = scanner.peek()
                if not _is_number(peek) or (hour_is_24 and peek.value > 0):
                    return _INVALID
                time.add(_millis(scanner.next()))
        peek = scanner.peek()
        if _is_z(peek):
            scanner.next()
            zone.set(0)
        elif _is_sign(peek):
            zone.sign = 1 if scanner.next().text == "+" else -1
            peek = scanner.peek()
            if _is_number(peek, 4):
                hourmin = scanner.next().value
                hour, minute = divmod(hourmin, 100)
                if not _between(hour, 0, 23) or not _between(minute, 0, 59):
                    return _INVALID
                zone.hour, zone.minute = hour, minute
            else:
                if not _is_number(peek, 2) or not _between(peek.value, 0, 23):
                    return _INVALID
                zone.hour = scanner.next().value
                if not scanner.skip_symbol(":"):
                    return _INVALID
                peek = scanner.peek()
                if not _is_number(peek, 2) or not _between(peek.value, 0, 59):
                    return _INVALID
                zone.minute = scanner.next().value
        if scanner.peek().kind != "end":
            return _INVALID
    if zone.empty() and time.empty():
        zone.set(0)
    day.iso = True
    return _END


def _legacy(scanner: _Scanner, token: Token, day: _Day, time: _Time, zone: _Zone) -> bool:
    """The legacy rules over the tokens the ES5 format left; False when invalid."""
    has_number = bool(day.comp)
    while token.kind != "end":
        kind = token.kind
        if kind == "num":
            has_number = True
            n = token.value
            if scanner.skip_symbol(":"):
                if scanner.skip_symbol(":"):
                    if not time.empty():
                        return False
                    time.add(n)
                    time.add(0)
                else:
                    if not time.add(n):
                        return False
                    scanner.skip_symbol(".")
            elif _is_symbol(scanner.peek(), ".") and time.expecting(n):
                scanner.next()
                time.add(n)
                if not _is_number(scanner.peek()):
                    return False
                time.add_final(_millis(scanner.next()))
            elif zone.expecting(n):
                zone.minute = n
            elif time.expecting(n):
                time.add_final(n)
                peek = scanner.peek()
                if peek.kind not in ("end", "space") and not _is_z(peek) and not _is_sign(peek):
                    return False
            else:
                if not day.add(n):
                    return False
                scanner.skip_symbol("-")
        elif kind == "word":
            word_kind, value = token.text, token.value
            if word_kind == _AM_PM and not time.empty():
                time.hour_offset = value
            elif word_kind == _MONTH:
                day.named_month = value
                scanner.skip_symbol("-")
            elif word_kind == _ZONE and has_number:
                zone.set(value)
            else:
                if has_number:
                    return False
                if _is_number(scanner.peek()):
                    return False
        elif _is_sign(token) and (zone.is_utc() or not time.empty()):
            zone.sign = 1 if token.text == "+" else -1
            n = length = 0
            if _is_number(scanner.peek()):
                number = scanner.next()
                n, length = number.value, number.length
            has_number = True
            peek = scanner.peek()
            if _is_symbol(peek, ":"):
                zone.hour, zone.minute = n, _NONE
            elif length in (1, 2):
                zone.hour, zone.minute = n, 0
            elif length in (3, 4):
                zone.hour, zone.minute = n // 100, n % 100
            else:
                return False
        elif _is_symbol(token, "+-)") and has_number:
            return False
        token = scanner.next()
    return True


def _days_from_civil(year: int, month: int, day: int) -> int:
    year -= month <= 2
    era = year // 400  # floor division: no special case for negative years
    yoe = year - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def parse(text: str) -> Optional[int]:
    """``Date.parse(text)`` in Node with ``TZ=UTC``.

    Args:
        text: Any string.

    Returns:
        Milliseconds since the epoch, or None where JavaScript gives NaN.
    """
    scanner = _Scanner(_tokens(text))
    day, time, zone = _Day(), _Time(), _Zone()
    token = _es5(scanner, day, time, zone)
    if token.kind == "invalid":
        return None
    if not _legacy(scanner, token, day, time, zone):
        return None
    ymd, hms, offset = day.write(), time.write(), zone.offset_seconds()
    if ymd is None or hms is None or offset is None:
        return None
    year, month0, mday = ymd
    year += month0 // 12
    days = _days_from_civil(year, month0 % 12 + 1, 1) + mday - 1
    hour, minute, second, ms = hms
    millis = days * 86400000 + hour * 3600000 + minute * 60000 + second * 1000 + ms
    millis -= offset * 1000
    if abs(millis) > _MAX_TIME_MS:
        return None
    return millis
