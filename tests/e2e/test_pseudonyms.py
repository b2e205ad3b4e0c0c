"""Evaluators' pseudonyms: Swedish, stable for one evaluator, different between evaluators, and
the names of a record's members replaced in its public texts."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from domain.values import Actor, Role
from infrastructure.settings import Settings
from infrastructure.store.keys import pseudonym_key
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
    (known,) = client.get(f"/api/v1/task-forces/{task_force_id}", headers=caseworker).json()[
        "members"
    ]
    subject_id = known["subject_id"]
    eva_later = Pseudonyms.for_reader(Actor("eva", Role.EVALUATOR, ÅTVIDABERG))
    assert eva_later.member(member_id, subject_id) == lead["display_name"]
    english = Pseudonyms.for_reader(Actor("eva", Role.EVALUATOR, ÅTVIDABERG), "en")
    assert english.member(member_id, subject_id) == lead["display_name"].replace("Medlem", "Member")


def test_one_person_on_two_task_forces_has_one_label_per_evaluator(
    client: TestClient,
    caseworker: Headers,
    auth: Callable[..., Headers],
    open_issue: Callable[..., str],
    form_task_force: Callable[..., str],
) -> None:
    person = {"display_name": "Astrid Lövgren", "organisation": "Grebo byalag", "role": "ledamot"}
    first = form_task_force(open_issue(), lead=person)
    second = form_task_force(open_issue())
    added = client.post(f"/api/v1/task-forces/{second}/members", json=person, headers=caseworker)
    assert added.status_code == 200, added.text
    eva, olle = auth("eva", "evaluator", ÅTVIDABERG), auth("olle", "evaluator", "*")

    def label(headers: Headers, task_force_id: str, member_id: str | None = None) -> str:
        members = client.get(f"/api/v1/task-forces/{task_force_id}", headers=headers).json()[
            "members"
        ]
        (found,) = [m for m in members if member_id is None or m["member_id"] == member_id]
        return str(found["display_name"])

    for evaluator in (eva, olle):
        on_first = label(evaluator, first)
        assert LABEL.match(on_first)
        assert label(evaluator, second, added.json()["member_id"]) == on_first
    assert label(eva, first) != label(olle, first)
    lead = client.get("/api/v1/insights/person-dependency", headers=eva).json()
    leads = [t["lead_display_name"] for row in lead["issues"] for t in row["fragile_task_forces"]]
    assert label(eva, first) in leads and "Astrid" not in str(lead)
    page = client.get(  # the HTML timeline names the member added to the second one alike
        f"/api/v1/exports/timeline?format=html&municipality={ÅTVIDABERG}", headers=eva
    )
    assert page.status_code == 200 and f"→ {label(eva, first)}" in page.text
    assert "Astrid" not in page.text
