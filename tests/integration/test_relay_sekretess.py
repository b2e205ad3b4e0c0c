"""The relay publishes what a national auditor reads: a confidential note's text never leaves."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from application import commands as c
from infrastructure.bootstrap import bootstrap
from infrastructure.integration.relay_messages import RelayLog
from infrastructure.views.read_models import VIEWS
from tests.conftest import settings_for
from tests.integration.history import anna, open_issue


def test_a_confidential_note_is_published_as_sekretess_with_its_lagrum(tmp_path: Path) -> None:
    samverkan = bootstrap(settings_for("sqlite", tmp_path / "var"))
    try:
        issue = open_issue(samverkan, "0561", "Falerum", "Butiken i Falerum")
        note = c.AddNote(
            issue_id=issue,
            kind="phone",
            text="Handlaren berättade om sin sjukdom.",
            occurred_on="2026-11-02",
            confidential={"lagrum": "OSL 21 kap. 1 §"},
        )
        samverkan.bus.dispatch(note, anna())
        with samverkan.events.reading() as session:
            note_id = session.execute(select(VIEWS["note"].c.note_id)).scalar_one()
        correction = c.CorrectNote(
            issue_id=issue,
            note_id=note_id,
            text="Handlaren är frisk igen.",
            reason="Sjukdomen var över i maj.",
        )
        samverkan.bus.dispatch(correction, anna())
        items = RelayLog(samverkan.events, samverkan.policy).after(0, 100)
        corrected = next(i for i in items if i["type"] == "Issue.NoteCorrected")
        assert corrected["data"]["text"] == corrected["data"]["reason"] == "[sekretess]"
        assert corrected["data"]["lagrum"] == "OSL 21 kap. 1 §"
        assert "frisk" not in str(items) and "maj" not in str(items)
        published = next(i for i in items if i["type"] == "Issue.NoteAdded")
        assert published["data"]["text"] == "[sekretess]"
        assert published["data"]["lagrum"] == "OSL 21 kap. 1 §"
        assert "sjukdom" not in str(items)
    finally:
        samverkan.close()
