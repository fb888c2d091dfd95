"""Run the corpus of bad inputs (``tests/test_intake_corpus.py``) and print, for each case, its
issue item, expected and actual outcome, and the store's checksum before and after.

A rejected workbook or a refused command must leave the store exactly as it was: the two
checksums (a digest of every table's row count and content, ``intake.tables.table_checksums``)
are equal. An accepted case loads into its own copy of the store, so its checksums differ.

    .venv/bin/python benchmarks/corpus_checksums.py > corpus.md
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import test_intake_corpus as corpus

from analysis.core import config
from analysis.intake.ingest import table_checksums
from analysis.pipeline import build_store

#: Issue-13 item of each malformed-workbook case added for it (the others are older cases).
ITEMS = {
    "empty_village_figures_sheet": 1,
    "village_row_deleted": 1,
    "village_figures_cleared": 1,
    "empty_activities_sheet": 1,
    "left_village_with_figures": 1,
    "unknown_reason_for_leaving": 1,
    "village_name_of_another_village": 2,
    "updates_name_of_another_village": 2,
    "figures_name_of_a_sibling_village": 2,
    "village_left_with_a_reason": 1,
    "no_activities_declared": 1,
    "village_name_misspelt": 2,
    "village_name_in_tcvn3": 2,
    "village_name_in_vni": 2,
    "bidi_override_in_narrative": 8,
    "bidi_override_in_sender": 8,
    "narrative_line_breaks_kept": 8,
    "narrative_starting_with_a_dash": 7,
    "tcvn3_text": 2,
    "vni_text": 2,
}


def main() -> int:
    """Print the table; exit 1 if any case did not end as expected."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sample = build_store(config.SAMPLE_DIR, root / "sample.duckdb", replay=False)
        env = corpus.make_env(root / "corpus", sample)
        rows, bad = [], 0
        for name, (_, code, _) in corpus.CASES.items():
            before = corpus.store_digest(table_checksums(Path(env["db"])))
            result, _, _ = corpus.run_rejected(name, env)
            after = corpus.store_digest(table_checksums(Path(env["db"])))
            ok = result.outcome == "rejected" and code in result.codes and before == after
            bad += not ok
            got = f"{result.outcome}: {', '.join(sorted(result.codes))}"
            rows.append((name, ITEMS.get(name, "-"), f"rejected: {code}", got, before, after, ok))
        for name, (_, code, _, _) in corpus.ACCEPTED.items():
            out = corpus.run_accepted(name, env)
            warned = sorted({w[0] for w in out["warnings"]})
            ok = out["outcome"] == "loaded" and (code is None or code in warned)
            ok = ok and out["check"] is not False
            bad += not ok
            expected = f"loaded{': ' + code if code else ''}"
            got = f"{out['outcome']}: {', '.join(warned) or 'no warning'}"
            rows.append(
                (name, ITEMS.get(name, "-"), expected, got, out["before"], out["after"], ok)
            )
        for name, (item, _, code, words) in corpus.COMMANDS.items():
            out = corpus.run_command(name, env)
            ok = out["code"] == code and words in out["message"] and out["unchanged"]
            bad += not ok
            rows.append(
                (name, item, f"exit {code}", f"exit {out['code']}", out["before"], out["after"], ok)
            )
    print("| case | item | expected | outcome | store before | store after | as expected |")
    print("|---|---|---|---|---|---|---|")
    for name, item, expected, got, before, after, ok in rows:
        same = "=" if before == after else "changed"
        print(f"| {name} | {item} | {expected} | {got} | {before} | {after} ({same}) | {ok} |")
    print(f"\n{len(rows)} cases, {len(rows) - bad} as expected, {bad} not.")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
