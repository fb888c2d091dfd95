"""One resolver for every place and village a person names, in the API and on the command line.

A place is given by its slug (``cao-loc``), its code (``183``, ``06220``) or its name, with or
without diacritics, in any case (``Cao Lộc``, ``cao loc``, ``Huyện Cao Lộc``, ``Xã Công Sơn``).
A village by its id (``CLG-VANLINH``) or its name (``Thôn Vạn Linh``, ``van linh``).

Never a guess: a slug, code or id matches exactly (case aside); a name must fit one place or
village only. Names are shared (the district-level area Bắc Sơn and the commune xã Bắc Sơn; two
communes have shared a name), so a name that fits several is an :class:`AmbiguousNameError`
listing them, and a name that fits none an :class:`UnknownNameError` listing the close matches
(``difflib``). Both are :class:`~analysis.core.errors.UsageError` (exit code 2).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import pandas as pd

from analysis.core.errors import UsageError
from analysis.core.text import slugify
from analysis.data import places as places_mod
from analysis.data.places import LEVELS

#: Words a village name may start with, left out when matching (``Thôn Vạn Linh`` = ``Vạn Linh``).
VILLAGE_PREFIXES = ("thon", "ban", "lang", "khoi", "pho", "xom", "khu")
#: How many close matches an error lists.
N_SUGGESTIONS = 6


class ResolveError(UsageError):
    """A place or village that cannot be named with certainty; ``candidates`` lists ids."""

    def __init__(self, message: str, candidates: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.candidates = list(candidates)


class UnknownNameError(ResolveError):
    """No place or village by that name; ``candidates`` are the close matches."""


class AmbiguousNameError(ResolveError):
    """Several places or villages by that name; ``candidates`` are all of them."""


def fold(text: object) -> str:
    """A name reduced for matching: no diacritics, lower case, words joined by ``-``."""
    return slugify(str(text))


def _resolve(
    text: object,
    ids: pd.Series,
    keys: pd.DataFrame,
    describe: pd.Series,
    what: str,
    valid: str = "",
) -> str:
    """The one id of ``ids`` that ``text`` names: an exact id, else one row whose folded
    ``keys`` hold the folded text; errors otherwise."""
    given = str(text).strip()
    if not given:
        raise UnknownNameError(f"no {what} given")
    exact = ids[ids.str.casefold() == given.casefold()]
    if len(exact) == 1:
        return str(exact.iloc[0])
    folded = fold(given)
    hit = keys.apply(lambda column: column.map(fold) == folded).any(axis=1) | (
        ids.map(fold) == folded
    )
    found = ids[hit.to_numpy()].drop_duplicates()
    if len(found) == 1:
        return str(found.iloc[0])
    if len(found) > 1:
        listed = "; ".join(f"{i} ({describe[i]})" for i in found)
        raise AmbiguousNameError(
            f"{given!r} names {len(found)} {what}s: {listed}. Give one of their ids.",
            list(found),
        )
    vocabulary = {
        fold(v): str(i) for column in keys for i, v in zip(ids, keys[column], strict=True)
    }
    vocabulary.update({fold(i): str(i) for i in ids})
    close = difflib.get_close_matches(folded, list(vocabulary), n=N_SUGGESTIONS * 2, cutoff=0.6)
    suggested = list(dict.fromkeys(vocabulary[c] for c in close))[:N_SUGGESTIONS]
    hint = (
        "; did you mean " + "; ".join(f"{i} ({describe[i]})" for i in suggested) + "?"
        if suggested
        else ""
    )
    valid = valid or f"for example: {', '.join(sorted(ids)[:N_SUGGESTIONS])}"
    raise UnknownNameError(f"unknown {what} {given!r}; {valid}{hint}", suggested)


def resolve_place(text: object, level: str | Sequence[str] | None = None) -> str:
    """The slug (``place_id``) of the place ``text`` names: slug, code or name (full or short,
    Vietnamese or English), with or without diacritics, any case; ``level`` (``province``,
    ``district``, ``commune`` or several) narrows the search. :class:`AmbiguousNameError` or
    :class:`UnknownNameError` (with close matches) otherwise."""
    table = places_mod.places()
    if level is not None:
        levels = [level] if isinstance(level, str) else list(level)
        unknown = sorted(set(levels) - set(LEVELS))
        if unknown:
            raise UsageError(f"unknown level {unknown[0]!r}; valid: {', '.join(LEVELS)}")
        table = table[table["level"].isin(levels)]
    table = table.reset_index(drop=True)
    ids = table["place_id"].astype(str)
    codes = table["code"].astype(str)
    code_hit = ids[codes == str(text).strip()]
    if len(code_hit) == 1:
        return str(code_hit.iloc[0])
    keys = table[["name_vi", "short_name_vi", "name_en"]].astype(str)
    describe = pd.Series(
        [f"{n}, {lv}" for n, lv in zip(table["name_vi"], table["level"], strict=True)],
        index=ids.to_numpy(),
    )
    top = table["level"] != "commune"
    valid = (
        "valid: "
        + ", ".join(ids[top])
        + (", or a 2025 commune (slug, code or name)" if (~top).any() else "")
    )
    return _resolve(text, ids, keys, describe, "place", valid)


def resolve_places(
    texts: str | Sequence[str], level: str | Sequence[str] | None = None
) -> list[str]:
    """:func:`resolve_place` for one name or several (a list, or names separated by commas)."""
    items = texts.split(",") if isinstance(texts, str) else list(texts)
    return [resolve_place(t, level) for t in items if str(t).strip()]


def _without_prefix(name: str) -> str:
    folded = fold(name)
    pattern = r"^(?:" + "|".join(VILLAGE_PREFIXES) + r")-"
    return re.sub(pattern, "", folded)


def resolve_village(villages: pd.DataFrame, text: object) -> str:
    """The ``village_id`` of the village ``text`` names in ``villages`` (``ds.villages``): its
    id, or its name with or without diacritics and the leading ``Thôn``/``Bản``/``Khối``...
    :class:`AmbiguousNameError` when several villages share the name (give the id),
    :class:`UnknownNameError` with close matches when none has it."""
    table = villages.reset_index(drop=True)
    ids = table["village_id"].astype(str)
    names = table["name_vi"].astype(str)
    keys = pd.DataFrame({"name": names, "short": names.map(_without_prefix)})
    communes = places_mod.commune_name_by_code()
    describe = pd.Series(
        [
            f"{n}, {communes.get(str(c), str(c))}"
            for n, c in zip(names, table["commune_code"], strict=True)
        ],
        index=ids.to_numpy(),
    )
    return _resolve(text, ids, keys, describe, "village")
