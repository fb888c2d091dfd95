"""The data dictionary in docs/ matches the schemas it is generated from."""

from analysis.data.dictionary import DICTIONARY_PATH, data_dictionary_markdown


def test_dictionary_is_up_to_date() -> None:
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == data_dictionary_markdown(), (
        "docs/data_dictionary.md is stale: run `python -m analysis.data.dictionary`"
    )


def test_dictionary_documents_every_column_in_both_languages() -> None:
    text = data_dictionary_markdown()
    assert (
        "| `households_craft` | Số hộ tham gia nghề | Households in the craft | households |"
        in text
    )
    assert "| `funding_source` | Nguồn kinh phí | Funding source |" in text
    assert "central, local, other, provincial" in text
