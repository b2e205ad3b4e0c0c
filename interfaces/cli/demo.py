"""The demo programme: loaded through the command bus, so its history is real. DEMO DATA.

The programme itself, in Swedish, is in `demo_programme.py`; how it is told, each command at a
moment consistent with its business dates, is in `demo_writer.py`.
"""

from __future__ import annotations

from functools import partial

import typer

from infrastructure.bootstrap import Samverkan
from interfaces.demo.conductor import StoryConductor
from interfaces.demo.programme import PROGRAMME_LOADERS, Loader
from interfaces.demo.writer import DemoWriter


def load_demo(samverkan: Samverkan, only_if_empty: bool = False) -> int:
    """Load the demo data set; returns the number of commands run (0 if skipped).

    The fifteen municipalities' stories are told side by side, so the global log holds the
    whole programme in the order it happened, from 2022 to the loading day.
    """
    if only_if_empty and samverkan.events.recorder.max_notification_id():
        return 0
    conductor = StoryConductor()
    chapters: dict[str, list[Loader]] = {}
    codes: dict[str, str] = {}
    for code, slug, loader in PROGRAMME_LOADERS:  # a municipality's later chapters follow on
        chapters.setdefault(slug, []).append(loader)
        codes[slug] = code
    writers = {slug: DemoWriter(samverkan.bus, codes[slug], slug, conductor) for slug in chapters}
    conductor.run({slug: partial(_tell, writers[slug], chapters[slug]) for slug in chapters})
    return sum(writer.count for writer in writers.values())


def _tell(writer: DemoWriter, chapters: list[Loader]) -> None:
    for chapter in chapters:
        chapter(writer)


app = typer.Typer(no_args_is_help=True, help="The demo programme.")


@app.command("load")
def load() -> None:
    """Load the demo data set through the command bus."""
    from interfaces.cli.store import opened

    with opened(create=True) as samverkan:
        count = load_demo(samverkan)
    typer.echo(f"loaded {count} demo commands", err=True)
