"""The one translation catalogue (analysis/core/labels.yaml): every key in both languages, the same
placeholders in both, and a clear error for a key that is missing."""

from __future__ import annotations

import re
import string

import pytest
import yaml

from analysis.core.labels import LABELS_PATH, label

CATALOGUE = yaml.safe_load(LABELS_PATH.read_text(encoding="utf-8"))


def _fields(text: str) -> set[str]:
    """Placeholder names, a language suffix aside (``{share_vi}`` and ``{share_en}`` are one value
    formatted for each language)."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return {re.sub(r"_(vi|en)$", "", name) for name in names}


def test_the_catalogue_is_not_empty() -> None:
    assert len(CATALOGUE) > 100


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_vietnamese_and_english_with_the_same_placeholders(key: str) -> None:
    entry = CATALOGUE[key]
    assert set(entry) >= {"vi", "en"}, key
    assert entry["vi"].strip() and entry["en"].strip(), key
    assert _fields(entry["vi"]) == _fields(entry["en"]), key


def test_vietnamese_labels_carry_diacritics_in_nfc() -> None:
    import unicodedata

    for key, entry in CATALOGUE.items():
        assert unicodedata.is_normalized("NFC", entry["vi"]), key
    assert re.search(r"[ạảãàáâấầẩẫậăắằẳẵặđêếềểễệôốồổỗộơớờởỡợưứừửữự]", label("synthetic", "vi"))


def test_a_missing_key_or_language_is_named() -> None:
    with pytest.raises(KeyError, match="no label 'no_such_key'"):
        label("no_such_key")
    with pytest.raises(KeyError, match="has no 'fr' text"):
        label("synthetic", "fr")
