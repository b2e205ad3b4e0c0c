"""How every CLI command opens the store: it says which one on stderr, and read commands
never make a store or a key up; where none exists they exit 2 naming where they looked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from infrastructure.bootstrap import Samverkan, StoreNotFoundError, bootstrap, describe
from infrastructure.settings import get_settings
from infrastructure.store.keys import KeyFileError


def announce() -> None:
    typer.echo(f"samverkan: {describe(get_settings())}", err=True)


@contextmanager
def opened(create: bool = False) -> Iterator[Samverkan]:
    """The store the settings name; `create=True` only for commands that may make one."""
    announce()
    try:
        samverkan = bootstrap(get_settings(), create=create)
    except (StoreNotFoundError, KeyFileError) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    try:
        yield samverkan
    finally:
        samverkan.close()
