"""The relay's message shape: subject, CloudEvent attributes and the deduplication id."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from infrastructure.integration.relay_messages import cloud_event, outgoing, position_of, subject_of

NOTE = {
    "position": 4711,
    "version": 3,
    "type": "Issue.NoteAdded",
    "occurred_at": datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
    "actor": {"user_id": "anna.lind", "role": "caseworker", "municipality": "0561"},
    "command_id": "c-1",
    "correlation_id": "r-1",
    "data": {"kind": "meeting", "text": "Möte i bygdegården i Falerum.", "public": False},
    "aggregate_type": "issue",
    "aggregate_id": "0c8ab847-2862-4d7a-8e11-e5ff1409faa9",
    "municipality": "0561",
}


def test_the_subject_names_municipality_record_type_and_event_without_extra_dots() -> None:
    assert subject_of("samverkan", NOTE) == "samverkan.0561.issue.NoteAdded"
    forming = {**NOTE, "type": "TaskForce.LeadHandedOver", "aggregate_type": "task_force"}
    assert subject_of("samverkan", forming) == "samverkan.0561.task_force.LeadHandedOver"


def test_a_cloud_event_carries_the_position_as_id_and_the_history_data() -> None:
    event = cloud_event(NOTE)
    assert event["specversion"] == "1.0"
    assert event["id"] == "4711"
    assert event["source"] == "/samverkan/0561"
    assert event["type"] == "se.samverkan.issue.NoteAdded"
    assert event["subject"] == NOTE["aggregate_id"]
    assert event["time"] == "2026-03-04T09:30:00+00:00"
    assert event["datacontenttype"] == "application/json"
    assert event["data"] == NOTE["data"]
    assert (event["actoruser"], event["commandid"]) == ("anna.lind", "c-1")


def test_the_message_id_is_store_and_position_and_reads_back_for_this_store_only() -> None:
    [message] = outgoing([NOTE], "f00d", "samverkan")
    assert message.headers["Nats-Msg-Id"] == "f00d:4711"
    assert orjson.loads(message.payload)["data"]["text"] == "Möte i bygdegården i Falerum."
    assert position_of("f00d:4711", "f00d") == 4711
    assert position_of("beef:4711", "f00d") is None
    assert position_of(None, "f00d") is None


def test_the_stores_own_records_of_national_scope_publish_under_national_not_a_wildcard() -> None:
    incident = {**NOTE, "municipality": "*", "aggregate_type": "integrity_incident"}
    incident["type"] = "IntegrityIncident.Opened"
    assert subject_of("samverkan", incident) == "samverkan.national.integrity_incident.Opened"
    assert cloud_event(incident)["source"] == "/samverkan/national"
