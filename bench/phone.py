"""The phone journey (issue 13): `make bench-phone` runs the two browser tests of
portico/web/tests/test_browser_onboarding_part2.py with BENCH_RESULTS_DIR set; they write
phone_journey_card.json and phone_journey_ach.json there (taps, the taps of each step, seconds).
``python -m bench.phone`` merges them into latest.json / latest.md as ``phone_journey.card`` and
``phone_journey.ach`` (p50 = p95 = the seconds from opening the invitation link to the job existing,
one run each) with a note quoting the taps; the other measures' entries and notes are kept."""

from __future__ import annotations

import json
import sys
from typing import Any

from bench.run import RESULTS, _write

KINDS = {"card": "a card (Visa 4242) saved", "ach": "a US bank account, verified later by Stripe's webhook"}


def _entry(kind: str, figures: dict[str, Any]) -> dict[str, Any]:
    ms = round(figures["seconds"] * 1000, 2)
    return {
        "name": f"phone_journey.{kind}",
        "n": 1,
        "p50_ms": ms,
        "p95_ms": ms,
        "queries": None,
        "taps": figures["taps"],
        "max_taps": figures["max_taps"],
        "taps_by_step": figures["taps_by_step"],
    }


def note(entries: list[dict[str, Any]]) -> str:
    runs = "; ".join(
        f"{e['name']} ({KINDS[e['name'].split('.')[1]]}): **{e['taps']} taps** (limit {e['max_taps']}: "
        + ", ".join(f"{step} {n}" for step, n in e["taps_by_step"].items())
        + f"), {e['p95_ms'] / 1000:.1f} s"
        for e in entries
    )
    return (
        "phone_journey.*: one run each of the browser tests in portico/web/tests/test_browser_onboarding_part2.py, "
        "headless Chromium at 390×844 with touch, against the live test server and the local fake Stripe: open "
        "the emailed invitation link, account by sign-in code, approve the estimate, consent to electronic "
        "records, draw the signature with a finger and tick the intent, sign, add the payment method through "
        "the stand-in Stripe.js; each page goes on to the next step by itself. Taps = every click, check or "
        "drawn stroke (typing not counted); the time (p50 = p95, ms) runs from opening the link to the job "
        "existing (for ACH, until the verification webhook the test sends right after saving). "
        f"{runs}."
    )


def main() -> int:
    entries = []
    for kind in KINDS:
        path = RESULTS / f"phone_journey_{kind}.json"
        if not path.exists():
            print(f"missing {path}: run `make bench-phone`", file=sys.stderr)
            return 1
        entries.append(_entry(kind, json.loads(path.read_text())))
    _write(entries, [note(entries)], merge=True)
    for e in entries:
        print(f"{e['name']}: {e['taps']} taps {e['taps_by_step']}, {e['p95_ms'] / 1000:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
