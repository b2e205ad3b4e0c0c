"""Evaluators' pseudonyms: Swedish, stable for one evaluator, different between evaluators, and
the names of a record's members replaced in its public texts."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from domain.values import Actor, Role
from infrastructure.keys import pseudonym_key
from infrastructure.settings import Settings
from interfaces.privacy import Pseudonyms, use_key
from tests.e2e.conftest import ÅTVIDABERG, Headers

LABEL = re.compile(r"^Medlem [2-9A-Z]{3}$")


def test_labels_are_stable_per_evaluator_and_names_leave_public_texts(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    api_settings: Settings,
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    issue_id = open_issue(description="Karin Berg från kommunen har kontakt med byalaget.")
    task_force_id = form_task_force(issue_id)
    note = {"kind": "meeting", "text": "Karin Berg träffade byn.", "occurred_on": "2026-01-12"}
    note["public"] = True
    client.post(f"/api/v1/issues/{issue_id}/notes", json=note, headers=caseworker)
    eva, olle = auth("eva", "evaluator", ÅTVIDABERG), auth("olle", "evaluator", "*")

    seen = client.get(f"/api/v1/task-forces/{task_force_id}", headers=eva).json()
    (lead,) = seen["members"]
    assert LABEL.match(lead["display_name"]) and lead["subject_id"] is None
    again = client.get("/api/v1/task-forces", headers=eva).json()["items"][0]["members"][0]
    assert again["display_name"] == lead["display_name"]
    other = client.get(f"/api/v1/task-forces/{task_force_id}", headers=olle).json()
    assert other["members"][0]["display_name"] != lead["display_name"]

    issue = client.get(f"/api/v1/issues/{issue_id}", headers=eva).json()
    assert "Karin Berg" not in str(issue)
    assert issue["description"].startswith(f"{lead['display_name']} från kommunen")
    assert issue["notes"][0]["text"] == f"{lead['display_name']} träffade byn."

    use_key(pseudonym_key(api_settings.var_dir))  # another process, another day: same key
    member_id = lead["member_id"]
    later = Pseudonyms.for_reader(Actor("eva", Role.EVALUATOR, ÅTVIDABERG)).member(member_id)
    assert later == lead["display_name"]
    english = Pseudonyms.for_reader(Actor("eva", Role.EVALUATOR, ÅTVIDABERG), "en")
    assert english.member(member_id) == lead["display_name"].replace("Medlem", "Member")
