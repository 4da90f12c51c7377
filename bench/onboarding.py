"""Onboarding benchmarks (issue 12; `make bench`, or `BENCH_ONLY=onboarding` alone): the three
modules of the onboarding apps, each with an organization of its own (reused when present):

- bench/leads.py: ``leads.submit`` (the public contact form's POST), ``leads.list``;
- bench/estimates.py: ``estimates.pdf`` (20 line items);
- bench/journey.py: ``journey.board``, ``journey.reminders`` (the set-based choice of due reminders);
- bench/agreements.py: ``agreements.sign`` (render + hash + sign + audit certificate + seal, 3 pages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench import agreements, estimates, journey, leads

MODULES = (leads, estimates, journey, agreements)


def seed() -> None:
    """Every onboarding organization's rows, before the first measure and the ANALYZE."""
    for module in MODULES:
        module.seed()


def run(time_measure: Callable[..., dict[str, Any]], measure_class: Callable[..., Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for module in MODULES:
        results += module.run(time_measure, measure_class)
    return results


def notes(results: list[dict[str, Any]]) -> list[str]:
    def of(prefix: str) -> list[dict[str, Any]]:
        return [r for r in results if r["name"].startswith(prefix)]

    return [
        leads.note(of("leads.")),
        estimates.note(of("estimates.")),
        journey.note(of("journey.")),
        agreements.note(of("agreements.")),
    ]
