"""Reference data: every fact has a source, codes tie up, every village reaches a 2025 commune."""

from __future__ import annotations

import pandas as pd

from analysis.core import config
from analysis.data import reference
from analysis.data.places import places
from analysis.data.store import validate_raw


def test_every_reference_row_has_a_source() -> None:
    for path in config.REFERENCE_DIR.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str)
        assert "source" in frame.columns, path.name
        assert frame["source"].notna().all() and (frame["source"].str.strip() != "").all(), (
            path.name
        )
    for path in config.REFERENCE_DIR.glob("*.yaml"):
        data = reference.read_yaml(path.name)
        assert data.get("source") or path.name == "admin_units_meta.yaml", path.name


def test_targets_of_plan_244() -> None:
    t = reference.targets().set_index(["indicator_id", "target_year"])["value"]
    assert t.to_dict() == {
        ("T1", 2025): 1,
        ("T1", 2030): 2,
        ("T2", 2025): 2,
        ("T2", 2030): 3,
        ("T3", 2025): 1,
        ("T3", 2030): 2,
        ("T4", 2025): 1,
        ("T4", 2030): 2,
        ("T5", 2025): 100,
        ("T5", 2030): 50,
        ("T6", 2025): 100,
        ("T6", 2030): 100,
    }
    targets = reference.targets()
    unverified = set(
        zip(
            targets.loc[~targets["verified"], "indicator_id"],
            targets.loc[~targets["verified"], "target_year"],
            strict=True,
        )
    )
    assert unverified == {("T5", 2025), ("T6", 2030)}


def test_every_target_has_an_indicator_definition() -> None:
    ids = set(reference.indicators()["id"])
    assert set(reference.targets()["indicator_id"]) <= ids
    assert set(reference.indicators()["method"]) <= {"linear", "growth"}


def test_every_sample_village_maps_to_a_2025_commune() -> None:
    tables, _ = validate_raw(config.SAMPLE_DIR)
    mapping = reference.commune_map()
    pairs = set(zip(mapping["old_code"], mapping["new_code"], strict=True))
    villages = tables["villages"]
    assert all(
        (o, n) in pairs
        for o, n in zip(villages["old_commune_code"], villages["commune_code"], strict=True)
    )
    assert villages["commune_code"].isin(reference.communes_2025()["code"]).all()


def test_places_table() -> None:
    table = places()
    assert table["level"].value_counts().to_dict() == {"commune": 65, "district": 11, "province": 1}
    assert table["place_id"].is_unique
    assert table.loc[table["level"] == "province", "place_id"].tolist() == ["tinh-lang-son"]
