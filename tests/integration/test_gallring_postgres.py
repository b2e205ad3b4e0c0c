"""Gallring on PostgreSQL: the erased name is in no table of the database (`pg_dump`), the
key store's schema included, and the chain still verifies."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from domain.values import Role
from infrastructure.store.keystore import GENERATION_CHECK_SECONDS
from infrastructure.tokens import TokenIssuer
from infrastructure.views.replay_runs import check_views
from interfaces.http.app import create_app
from tests.conftest import POSTGRES_URL, settings_for

NAME = "Torvald Hjalmarsqvist"
OTHER = "Sigvard Mossbergqvist"


def _dump() -> str:
    assert POSTGRES_URL is not None
    url = make_url(POSTGRES_URL)
    command = ["pg_dump", "-h", str(url.host), "-p", str(url.port or 5432)]
    command += ["-U", str(url.username), "--data-only", str(url.database)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.postgres
def test_gallring_of_a_subject_on_postgres(tmp_path: Path) -> None:
    settings = settings_for("postgres", tmp_path / "var")
    issuer = TokenIssuer(settings)
    caseworker = {"Authorization": f"Bearer {issuer.issue('anna.lind', Role.CASEWORKER, '0561')}"}
    admin = {"Authorization": f"Bearer {issuer.issue('greta.admin', Role.ADMIN, '0561')}"}
    with TestClient(create_app(settings=settings)) as client:
        issue = {
            "municipality": "0561",
            "locality": "Falerum",
            "title": "Butiken i Falerum",
            "description": "Byalaget oroar sig.",
            "category": "groceries",
            "raised_by": {"organisation": "Falerums byalag", "kind": "village_association"},
        }
        issue_id = client.post("/api/v1/issues", json=issue, headers=caseworker).json()["id"]
        due_on = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
        lead = {"display_name": NAME, "organisation": "Byalaget", "role": "ordförande"}
        body = {"issue_id": issue_id, "name": "Styrka", "mandate": "Utred.", "due_on": due_on}
        formed = client.post("/api/v1/task-forces", json={**body, "lead": lead}, headers=caseworker)
        assert formed.status_code == 201, formed.text
        assert NAME in _dump()
        subject = client.get("/api/v1/subjects", headers=admin).json()["items"][0]

        gallring = {"decision_reference": "KS 2026/2", "reason": "Plan.", "subject_ids": []}
        gallring["subject_ids"] = [subject["subject_id"]]
        assert client.post("/api/v1/gallring", json=gallring, headers=admin).status_code == 200

        assert NAME not in _dump()
        view = client.get(f"/api/v1/task-forces/{formed.json()['id']}", headers=admin).json()
        assert view["members"][0]["display_name"] == "[gallrad]"
        assert client.get("/api/v1/audit/verify", headers=admin).json()["intact"] is True
        count, differences = check_views(client.app.state.samverkan.events)  # type: ignore[attr-defined]
        assert count > 0 and differences == []


@pytest.mark.postgres
def test_after_gallring_in_one_process_another_reads_and_writes_no_plaintext(
    tmp_path: Path,
) -> None:
    """Two services on one store (as `--workers 2`): gallring in the first; the second had the
    key and the aggregate cached, yet no longer decrypts and writes no plaintext view."""
    settings = settings_for("postgres", tmp_path / "var")
    issuer = TokenIssuer(settings)
    caseworker = {"Authorization": f"Bearer {issuer.issue('anna.lind', Role.CASEWORKER, '0561')}"}
    admin = {"Authorization": f"Bearer {issuer.issue('greta.admin', Role.ADMIN, '0561')}"}
    with (
        TestClient(create_app(settings=settings)) as first,
        TestClient(create_app(settings=settings)) as second,
    ):
        issue = {
            "municipality": "0561",
            "locality": "Falerum",
            "title": "Butiken i Falerum",
            "description": "Byalaget oroar sig.",
            "category": "groceries",
            "raised_by": {"organisation": "Falerums byalag", "kind": "village_association"},
        }
        issue_id = second.post("/api/v1/issues", json=issue, headers=caseworker).json()["id"]
        due_on = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
        lead = {"display_name": NAME, "organisation": "Byalaget", "role": "ordförande"}
        body = {"issue_id": issue_id, "name": "Styrka", "mandate": "Utred.", "due_on": due_on}
        formed = second.post("/api/v1/task-forces", json={**body, "lead": lead}, headers=caseworker)
        assert formed.status_code == 201, formed.text
        task_force = f"/api/v1/task-forces/{formed.json()['id']}"
        assert NAME in second.get(f"{task_force}/history", headers=admin).text  # key cached

        subject = first.get("/api/v1/subjects", headers=admin).json()["items"][0]
        gallring = {"decision_reference": "KS 2026/2", "reason": "Plan."}
        gallring["subject_ids"] = [subject["subject_id"]]
        assert first.post("/api/v1/gallring", json=gallring, headers=admin).status_code == 200

        # A command in the second service at once: its batch notices the gallring, so
        # neither the cached aggregate nor the cached key writes the name into a view.
        extend = {"due_on": due_on, "reason": "Väntar på svar."}
        extend["due_on"] = (datetime.now(UTC).date() + timedelta(days=60)).isoformat()
        extended = second.post(f"{task_force}/extend", json=extend, headers=caseworker)
        assert extended.status_code == 200, extended.text
        assert NAME not in _dump()
        assert NAME not in second.get(f"{task_force}/history", headers=admin).text
        view = second.get(task_force, headers=admin).json()
        assert view["members"][0]["display_name"] == "[gallrad]"
        count, differences = check_views(second.app.state.samverkan.events)  # type: ignore[attr-defined]
        assert count > 0 and differences == []

        # A read alone: the second service checks at most GENERATION_CHECK_SECONDS apart.
        member = {"display_name": OTHER, "organisation": "Byalaget", "role": "kassör"}
        added = second.post(f"{task_force}/members", json=member, headers=caseworker)
        assert added.status_code == 200, added.text
        assert OTHER in second.get(f"{task_force}/history", headers=admin).text  # cached
        (other,) = first.get(f"/api/v1/subjects?q={OTHER[:5]}", headers=admin).json()["items"]
        gallring["subject_ids"] = [other["subject_id"]]
        assert first.post("/api/v1/gallring", json=gallring, headers=admin).status_code == 200
        time.sleep(2 * GENERATION_CHECK_SECONDS)
        assert OTHER not in second.get(f"{task_force}/history", headers=admin).text
