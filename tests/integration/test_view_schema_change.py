"""A read-model schema change is handled by rebuilding the views from the log."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from application import commands as c
from application.ports import CommandContext
from domain.values import Actor, Role
from infrastructure.bootstrap import Samverkan, bootstrap
from infrastructure.views.read_models import VIEWS
from tests.conftest import settings_for

KARIN = CommandContext(actor=Actor("karin.berg", Role.CASEWORKER, "2182"))


def open_trönö_issue(samverkan: Samverkan) -> None:
    samverkan.bus.dispatch(
        c.OpenIssue(
            municipality="2182",
            locality="Trönö",
            title="Servicepunkt i Trönö",
            description="Kommundelscentrat behöver ett paketombud.",
            category="parcel_pickup",
            raised_by=c.RaisedBy(organisation="Trönö byalag", kind="village_association"),
        ),
        KARIN,
    )


def test_changed_view_definitions_are_rebuilt_from_the_log_at_start_up(tmp_path: Path) -> None:
    settings = settings_for("sqlite", tmp_path / "var")
    first = bootstrap(settings)
    open_trönö_issue(first)
    tracking, issues = VIEWS["tracking"], VIEWS["issue"]
    with first.events.transaction() as session:
        # As if an older release had created the views: its fingerprint differs, its rows are gone.
        views = tracking.c.name == "views"
        session.execute(update(tracking).where(views).values(schema="an older definition"))
        session.execute(issues.delete())
    first.close()

    second = bootstrap(settings)
    with second.events.transaction() as session:
        titles = session.execute(select(issues.c.title)).scalars().all()
        fingerprint = session.execute(select(tracking.c.schema).where(views)).scalar_one()
    second.close()
    assert titles == ["Servicepunkt i Trönö"]
    assert fingerprint != "an older definition"


def test_unchanged_view_definitions_are_left_alone(tmp_path: Path) -> None:
    settings = settings_for("sqlite", tmp_path / "var")
    first = bootstrap(settings)
    open_trönö_issue(first)
    with first.events.transaction() as session:
        session.execute(VIEWS["issue"].delete())  # not rebuilt: nothing says the views changed
    first.close()
    second = bootstrap(settings)
    with second.events.transaction() as session:
        count = len(session.execute(select(VIEWS["issue"].c.id)).all())
    second.close()
    assert count == 0
