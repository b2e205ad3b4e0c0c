"""`python -m bench [name ...]`: run every figure, or the named ones, and print the table."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from bench import (
    departed_check,
    history,
    http,
    lists,
    relay,
    replay,
    service_access,
    store,
    streaming_export,
    text_search,
)
from bench.common import POSTGRES_URL, ROUNDS, Figure, create_database_if_missing, say
from bench.machine import describe
from bench.product import BACKENDS, available

FIGURES: dict[str, Callable[[], list[Figure]]] = {
    "http": http.measure_http,
    "store": lambda: [
        store.measure(backend, callers)
        for backend in ("sqlite", "postgres")
        for callers in (1, store.CALLERS)
    ],
    "history": lambda: [history.measure("sqlite")],
    "replay": lambda: [replay.measure(backend) for backend in BACKENDS if available(backend)],
    "lists": lambda: [lists.measure("sqlite")],
    "text-search": lambda: [text_search.measure("sqlite")],
    "export": lambda: [_streaming_export()],
    "scale": lambda: [http.measure_scale_out()],
    "relay": relay.measure,
    "departed": lambda: [departed_check.measure("sqlite")],
    "service-access": lambda: [service_access.measure("sqlite")],
}


def _streaming_export() -> Figure:
    result = streaming_export.measure()
    ratio = result.get("ratio")
    met = None if ratio is None else ratio <= 1.3
    details = [f"{k}: {v}" for k, v in result.items() if k not in ("ratio", "goal")]
    return Figure("streaming export", ratio, str(result.get("goal", "<= 1.3")), met, notes=details)


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        print(f"unknown figure(s): {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
        return 2
    print("Samverkan benchmarks (quality.md): ratios of figures measured side by side, one run")
    for line in machine():
        print("  " + line)
    print(f"  rounds: {ROUNDS} (medians); PostgreSQL: {'yes' if POSTGRES_URL else 'no'}")
    figures: list[Figure] = []
    for name in names or list(FIGURES):
        say(f"[{time.strftime('%H:%M:%S')}] {name} ...")
        started = time.monotonic()
        try:
            found = FIGURES[name]()
        except Exception as error:  # one broken figure must not hide the others
            found = [Figure(name, None, "?", False, notes=[f"failed: {error!r}"])]
        say(f"  done in {time.monotonic() - started:.0f} s")
        figures += found
        for figure in found:
            print(_format(figure), flush=True)
    print(_summary(figures))
    return 0


def machine() -> list[str]:
    """The machine's description. On a fresh machine the PostgreSQL database does not exist
    yet, and describing PostgreSQL connects to it: so it is created first."""
    if POSTGRES_URL:
        create_database_if_missing(POSTGRES_URL)
    return describe()


def _format(figure: Figure) -> str:
    ratio = "n/a" if figure.ratio is None else f"{figure.ratio:.2f}"
    verdict = {True: "MET", False: "MISSED", None: "reported"}[figure.met]
    lines = [f"{figure.name:<38} {ratio:>6}   goal {figure.goal:<14} {verdict}"]
    if figure.product or figure.baseline:
        lines.append(f"    product {figure.product}; baseline {figure.baseline}")
    lines += [f"    {note}" for note in figure.notes]
    return "\n".join(lines)


def _summary(figures: list[Figure]) -> str:
    met = sum(1 for f in figures if f.met is True)
    missed = [f.name for f in figures if f.met is False]
    text = f"\n{met} of {len(figures)} figures met their goal"
    return text + (f"; missed: {', '.join(missed)}" if missed else "")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
