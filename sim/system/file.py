"""An ICS's own numbers: reading and checking a system file (CSV) filled from a workforce
dashboard.

The CSV has one row per (sector, role) and exactly the columns `COLUMNS`; rates are fractions
per year. The settings are read by `sim.system.settings`; the system is built from the rows and
settings by `sim.system.build` and calibrated to the file's rates by `sim.system.fit`.

Every problem in the file is reported at once, before anything runs, as a `SystemFileError`
(a `ConfigError`: the `wfsim` command exits with code 2) naming the file, row, column and value.
"""
from __future__ import annotations

import csv
import difflib
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sim.codes import DEFAULT_ROLES, SECTORS
from sim.config import ConfigError

COLUMNS: tuple[str, ...] = ("sector", "role", "headcount", "fte", "vacancy_rate", "turnover_rate",
                            "sickness_rate", "mean_age", "share_over_55", "annual_pay_gbp")
RATE_COLUMNS = ("vacancy_rate", "turnover_rate", "sickness_rate", "share_over_55")
ROLES: tuple[str, ...] = DEFAULT_ROLES
MAX_PROBLEMS = 30
# Ages the synthetic population draws (sim.population.draw_initial_age): 55..66 for the share
# over 55; below it uniform on [a, 55) with 18 <= a <= 54, or for younger workforces skewed
# towards 18, down to a mean of 19.
OLD_MEAN_AGE, YOUNG_MEAN_AGE = 61.0, (19.0, 54.5)
MIN_MEAN_FTE = 0.5                   # below this the synthetic population cannot match the FTE

# Role words an analyst may use, for hints only (never silently mapped).
ROLE_HINTS = {
    "gp": "doctor", "gps": "doctor", "medical": "doctor", "consultant": "doctor", "doctors": "doctor",
    "nurses": "nurse", "nursing": "nurse", "midwife": "nurse", "midwives": "nurse",
    "registered_nurse": "nurse", "ahps": "ahp", "therapist": "ahp", "therapists": "ahp",
    "allied_health": "ahp", "allied_health_professional": "ahp", "hca": "support", "hcsw": "support",
    "care_worker": "support", "care_workers": "support", "carer": "support", "carers": "support",
    "healthcare_assistant": "support", "admin": "support", "support_worker": "support",
}


class SystemFileError(ConfigError):
    """The system file or its settings cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Row:
    """One validated row of the system file."""

    line: int
    sector: str
    role: str
    headcount: int
    fte: float
    vacancy_rate: float
    turnover_rate: float
    sickness_rate: float
    mean_age: float
    share_over_55: float
    annual_pay_gbp: float


# --------------------------------------------------------------------------------------------
# Reading and checking the CSV
# --------------------------------------------------------------------------------------------
def fail(path: Path | str, problems: list[str], what: str = "system file") -> None:
    shown = problems[:MAX_PROBLEMS]
    more = len(problems) - len(shown)
    lines = "\n  ".join(shown + ([f"... and {more} more"] if more > 0 else []))
    n = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
    raise SystemFileError(f"invalid {what} {str(path)!r} ({n}):\n  {lines}")


def decode(path: Path, what: str = "system file") -> str:
    """The file's text: UTF-8, with or without a byte-order mark; anything else is refused
    with the reason (UTF-16, Latin-1/Windows-1252 bytes, an Excel workbook...)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SystemFileError(f"{what} {str(path)!r} not found (relative paths are taken from the "
                              f"directory the command was started in, {os.getcwd()})") from None
    except IsADirectoryError:
        raise SystemFileError(f"{what} {str(path)!r} is a directory, not a file") from None
    except OSError as err:
        raise SystemFileError(f"{what} {str(path)!r} cannot be read: {err.strerror}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(path, ["the file is UTF-16 encoded (as Excel's 'Unicode Text' saves it): save it "
                     "as 'CSV UTF-8' instead"], what)
    if data.startswith(b"PK\x03\x04"):
        fail(path, ["the file is a zipped workbook (e.g. an Excel .xlsx), not text: save it as "
                     "'CSV UTF-8'"], what)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        fail(path, ["the file is empty"], what)
    if b"\x00" in data[:4096]:
        fail(path, ["the file contains NUL bytes: it is UTF-16 without a byte-order mark or not "
                     "a text file; save it as 'CSV UTF-8'"], what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        row = data[:err.start].count(b"\n") + 1
        byte = data[err.start]
        as_latin = bytes([byte]).decode("cp1252", errors="replace")
        fail(path, [f"row {row}: byte 0x{byte:02X} is not UTF-8 (in Windows-1252/Latin-1 it is "
                     f"{as_latin!r}): the file is not UTF-8; save it as 'CSV UTF-8'"], what)
    raise AssertionError("unreachable")


def _norm_name(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def did_you_mean(value: str, choices, extra: dict | None = None) -> str:
    """' (did you mean ...?)' naming the closest of `choices` (or `extra`'s word for `value`),
    or '' when none is close."""
    if extra and value in extra:
        return f" (did you mean {extra[value]!r}?)"
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _number(raw: str) -> tuple[float | None, str | None]:
    """(value, None) or (None, why not)."""
    text = raw.strip()
    if text.endswith("%"):
        try:
            pct = float(text[:-1])
        except ValueError:
            return None, "not a number"
        return None, f"a percentage: rates are fractions, write {pct / 100:g} for {text}"
    try:
        value = float(text)
    except ValueError:
        if re.fullmatch(r"-?[\d,]+(\.\d+)?", text):
            return None, "not a number: write numbers without thousands separators"
        if re.fullmatch(r"-?\d+,\d+", text):
            return None, "not a number: use a dot as the decimal separator"
        return None, "not a number"
    if not math.isfinite(value):
        return None, "not a finite number"
    return value, None


def _rate_problem(column: str, value: float) -> str | None:
    upper_open = column in ("vacancy_rate", "sickness_rate")
    if value < 0:
        return "negative: rates are fractions between 0 and 1"
    if value == 1 and upper_open:
        return "must be below 1 (a rate of 1 would leave no one in post)"
    if value > 1:
        if value <= 100:
            return (f"outside 0-1: is it a percentage? Rates are fractions per year, write "
                    f"{value / 100:g} for {value:g}%")
        return "outside 0-1: rates are fractions per year"
    return None


def age_range(share_over_55: float) -> tuple[float, float]:
    """Mean ages the synthetic population can have with this share aged 55-66."""
    s = share_over_55
    return OLD_MEAN_AGE * s + YOUNG_MEAN_AGE[0] * (1 - s), OLD_MEAN_AGE * s + YOUNG_MEAN_AGE[1] * (1 - s)


def read_rows(path: Path | str) -> tuple[list[Row], list[str]]:
    """Read and check the CSV; return its rows and warnings, or raise `SystemFileError` listing
    every problem (file, row, column, value)."""
    path = Path(path)
    text = decode(path)
    problems: list[str] = []
    warnings: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    records: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue  # blank lines and '#' comment lines
            if header is None:
                header, header_line = cells, reader.line_num
            else:
                records.append((reader.line_num, cells))
    except csv.Error as err:
        fail(path, [f"row {reader.line_num}: the CSV cannot be parsed ({err})"])
    if header is None:
        fail(path, ["the file has no header row (only blank or comment lines)"])
    names = [_norm_name(h) for h in header]
    while names and names[-1] == "":        # trailing separators (spreadsheet exports)
        names.pop()
    if len(names) == 1 and any(sep in header[0] for sep in ";\t|"):
        sep = next(s for s in ";\t|" if s in header[0])
        fail(path, [f"row {header_line}: the columns are separated by {sep!r}, not commas: save the file "
                     f"as 'CSV UTF-8 (comma delimited)'"])
    missing = [c for c in COLUMNS if c not in names]
    extra = [h for h in names if h not in COLUMNS]
    dup = sorted({h for h in names if names.count(h) > 1})
    for h in extra:
        shown = h if h else "(a column with an empty name)"
        near = did_you_mean(h, missing or COLUMNS)
        problems.append(f"row {header_line}, column {shown!r}: unknown column{near}; "
                        f"the columns are {', '.join(COLUMNS)}")
    for c in missing:
        problems.append(f"row {header_line}: missing column {c!r}")
    for h in dup:
        problems.append(f"row {header_line}, column {h!r}: the column appears more than once")
    if problems:
        fail(path, problems)
    if not records:
        fail(path, [f"the file has a header (row {header_line}) but no data rows"])
    index = {c: names.index(c) for c in COLUMNS}
    rows: list[Row] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in records:
        row_problems = len(problems)
        if len(cells) > len(names) and not any(c.strip() for c in cells[len(names):]):
            cells = cells[:len(names)]
        if len(cells) != len(names):
            problems.append(f"row {line}: {len(cells)} cells but the header has {len(names)} columns")
            continue
        raw = {c: cells[index[c]].strip() for c in COLUMNS}

        def bad(col: str, why: str, raw=raw, line=line) -> None:
            problems.append(f"row {line}, column {col}, value {raw[col]!r}: {why}")

        for c in COLUMNS:
            if raw[c] == "":
                problems.append(f"row {line}, column {c}: empty cell (every cell must be filled)")
        sector, role = _norm_name(raw["sector"]), _norm_name(raw["role"])
        if raw["sector"] and sector not in SECTORS:
            bad("sector", f"unknown sector{did_you_mean(sector, SECTORS)}; sectors are {', '.join(SECTORS)}")
        if raw["role"] and role not in ROLES:
            bad("role", f"unknown role{did_you_mean(role, ROLES, ROLE_HINTS)}; roles are {', '.join(ROLES)}")
        values: dict[str, float] = {}
        for c in COLUMNS[2:]:
            if raw[c] == "":
                continue
            v, why = _number(raw[c])
            if why:
                bad(c, why)
                continue
            values[c] = v
            if c in RATE_COLUMNS:
                why = _rate_problem(c, v)
                if why:
                    bad(c, why)
        hc = values.get("headcount")
        if hc is not None:
            if hc < 0:
                bad("headcount", "negative: headcount is a number of people")
            elif not float(hc).is_integer():
                bad("headcount", "not a whole number: headcount is a number of people")
        fte = values.get("fte")
        if fte is not None and fte < 0:
            bad("fte", "negative")
        elif fte is not None and hc is not None and hc >= 0 and float(hc).is_integer():
            if fte > hc:
                hint = (" (is it the mean FTE? fte is the row's total FTE)" if fte <= 1 else "")
                bad("fte", f"FTE {fte:g} is above the headcount {hc:g}: fte is the row's total FTE, "
                           f"at most 1 per person{hint}")
            elif hc > 0 and fte == 0:
                bad("fte", f"zero FTE with a headcount of {hc:g}")
            elif hc > 0 and fte / hc < 0.1:
                bad("fte", f"mean FTE per person {fte / hc:.3f} is below 0.1: fte is the row's total "
                           f"FTE (e.g. {0.89 * hc:.0f} for {hc:g} people at 0.89), not the mean")
            elif hc > 0 and fte / hc < MIN_MEAN_FTE:
                warnings.append(f"row {line}: mean FTE per person {fte / hc:.2f} is below "
                                f"{MIN_MEAN_FTE}; the synthetic population's part-timers work 0.1-0.9, "
                                f"so its mean FTE will be about {MIN_MEAN_FTE}")
        age = values.get("mean_age")
        if age is not None and not 18 <= age <= 67:
            bad("mean_age", "outside 18-67 years")
        pay = values.get("annual_pay_gbp")
        if pay is not None:
            if pay <= 0:
                bad("annual_pay_gbp", "must be positive")
            elif pay < 1000:
                bad("annual_pay_gbp", "too small for annual pay: is it hourly or weekly? Give GBP a year "
                                      "(e.g. 12.00 an hour x 37.5 h x 52.14 weeks = 23,460)")
            elif pay > 1_000_000:
                bad("annual_pay_gbp", "above GBP 1M a year: is it a total pay bill? Give pay per person")
        over55 = values.get("share_over_55")
        if age is not None and over55 is not None and 18 <= age <= 67 and 0 <= over55 <= 1:
            lo, hi = age_range(over55)
            if not lo - 0.5 <= age <= hi + 0.5:
                bad("mean_age", f"a mean age of {age:g} cannot go with share_over_55 {over55:g}: with "
                                f"{over55:.0%} aged 55-66 the mean age is between {lo:.1f} and {hi:.1f}")
        if sector in SECTORS and role in ROLES:
            if (sector, role) in seen:
                problems.append(f"row {line}, columns sector and role, value ({raw['sector']!r}, "
                                f"{raw['role']!r}): duplicates row {seen[(sector, role)]}")
            else:
                seen[(sector, role)] = line
        if len(problems) == row_problems:
            rows.append(Row(line, sector, role, int(hc), fte, values["vacancy_rate"],
                            values["turnover_rate"], values["sickness_rate"], age, over55, pay))
    if problems:
        fail(path, problems)
    if not any(r.headcount > 0 for r in rows):
        fail(path, ["every row has a headcount of 0: there is nobody to simulate"])
    return rows, warnings
