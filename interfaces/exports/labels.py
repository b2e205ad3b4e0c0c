"""Words for people: the kinds, categories and page text in Swedish (the default) and English."""

from __future__ import annotations

from typing import Any

from domain.municipalities import municipality_name

LANGUAGES = ("sv", "en")

KINDS: dict[str, tuple[str, str]] = {
    "issue_opened": ("Ärende öppnat", "Issue opened"),
    "issue_edited": ("Ärende ändrat", "Issue edited"),
    "issue_split": ("Delärende avknoppat", "Sub-issue split off"),
    "responsibility_assigned": ("Ansvar tilldelat", "Responsibility assigned"),
    "issue_resolved": ("Ärende löst", "Issue resolved"),
    "issue_closed": ("Ärende avslutat", "Issue closed"),
    "issue_reopened": ("Ärende återöppnat", "Issue reopened"),
    "issue_replicated": ("Förebild för ärende i annan ort", "Model for an issue elsewhere"),
    "dialogue_noted": ("Dialog antecknad", "Dialogue noted"),
    "task_force_formed": ("Insatsstyrka bildad", "Task force formed"),
    "task_force_due": ("Insatsstyrkans slutdatum", "Task force due"),
    "member_added": ("Medlem tillagd", "Member added"),
    "member_removed": ("Medlem borttagen", "Member removed"),
    "lead_handed_over": ("Ledningen överlämnad", "Lead handed over"),
    "mandate_extended": ("Mandatet förlängt", "Mandate extended"),
    "progress_reported": ("Lägesrapport", "Progress reported"),
    "task_force_completed": ("Insatsstyrka slutförd", "Task force completed"),
    "task_force_disbanded": ("Insatsstyrka upplöst", "Task force disbanded"),
    "decision_proposed": ("Beslut föreslaget", "Decision proposed"),
    "decision_adopted": ("Beslut fattat", "Decision adopted"),
    "decision_rejected": ("Beslut avslaget", "Decision rejected"),
    "decision_revoked": ("Beslut upphävt", "Decision revoked"),
    "decision_superseded": ("Beslut ersatt", "Decision superseded"),
    "outcome_recorded": ("Utfall registrerat", "Outcome recorded"),
    "outcome_verified": ("Utfall verifierat", "Outcome verified"),
    "outcome_corrected": ("Utfall korrigerat", "Outcome corrected"),
    "outcome_retracted": ("Utfall tillbakadraget", "Outcome retracted"),
    "note_corrected": ("Anteckning rättad", "Note corrected"),
    "note_withdrawn": ("Anteckning återkallad", "Note withdrawn"),
    "decision_corrected": ("Beslut rättat", "Decision corrected"),
    "service_opened": ("Service öppnad i orten", "Service opened in the locality"),
    "service_closed": ("Service stängd i orten", "Service closed in the locality"),
}

CATEGORIES: dict[str, tuple[str, str]] = {
    "groceries": ("Dagligvaror", "Groceries"),
    "fuel": ("Drivmedel", "Fuel"),
    "parcel_pickup": ("Paketutlämning", "Parcel pick-up"),
    "pharmacy_agent": ("Apoteksombud", "Pharmacy agent"),
    "cash_services": ("Kontanttjänster", "Cash services"),
    "public_service_point": ("Offentlig servicepunkt", "Public service point"),
    "transport": ("Transport", "Transport"),
    "other": ("Övrigt", "Other"),
}

STATUSES: dict[str, tuple[str, str]] = {
    "open": ("öppet", "open"),
    "resolved": ("löst", "resolved"),
    "closed": ("avslutat", "closed"),
    "active": ("aktiv", "active"),
    "completed": ("slutförd", "completed"),
    "disbanded": ("upplöst", "disbanded"),
}

TEXT: dict[str, tuple[str, str]] = {
    "timeline": ("Tidslinje", "Timeline"),
    "whole_programme": ("Hela programmet", "The whole programme"),
    "entries": ("poster", "entries"),
    "period": ("Period", "Period"),
    "generated": ("Skapad", "Generated"),
    "pseudonymised": (
        "Namn och användar-id är ersatta med pseudonymer.",
        "Names and user ids are replaced by pseudonyms.",
    ),
    "legend": ("Teckenförklaring", "Legend"),
    "no_entries": ("Inga poster matchar urvalet.", "No entries match the selection."),
    "issue_lane": ("Ärendet", "The issue"),
    "decisions": ("Beslut", "Decisions"),
    "outcomes": ("Utfall", "Outcomes"),
    "task_force_active": ("Insatsstyrka, aktiv", "Task force, active"),
    "task_force_completed": ("Insatsstyrka, slutförd", "Task force, completed"),
    "task_force_disbanded": ("Insatsstyrka, upplöst", "Task force, disbanded"),
    "due": ("Slutdatum", "Due date"),
    "handover": ("Ledningen överlämnad", "Lead handed over"),
    "issue_event": ("Händelse i ärendet", "Issue event"),
    "service_opened": ("Service öppnad i orten", "Service opened in the locality"),
    "service_closed": ("Service stängd i orten", "Service closed in the locality"),
    "decision_adopted": ("Beslut fattat", "Decision adopted"),
    "decision_other": ("Beslut föreslaget, avslaget, upphävt eller ersatt", "Other decision step"),
    "outcome": ("Utfall registrerat eller verifierat", "Outcome recorded or verified"),
    "outcome_other": ("Utfall korrigerat eller tillbakadraget", "Outcome corrected or retracted"),
    "date": ("Datum", "Date"),
    "what": ("Vad", "What"),
    "record": ("Post", "Record"),
    "who": ("Vem", "Who"),
    "locality": ("Ort", "Locality"),
    "category": ("Kategori", "Category"),
    "status": ("Status", "Status"),
    "sub_issue_of": ("Delärende till", "Sub-issue of"),
    "former_member": ("tidigare medlem", "former member"),
    "municipality": ("Kommun", "Municipality"),
    "today": ("I dag", "Today"),
    "indicators": ("Indikatorer över tid", "Indicators over time"),
    "service_impact": ("Påverkan på service", "Service impact"),
    "baseline": ("utgångsläge", "baseline"),
    "target": ("mål", "target"),
}


def word(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """The word for `key`; unknown keys are shown as they are."""
    pair = table.get(key)
    if pair is None:
        return key
    return pair[LANGUAGES.index(lang)]


def place_name(code: str | None, lang: str) -> str:
    """A municipality's name, or "the whole programme" for national scope."""
    if code is None or code == "*":
        return word(TEXT, "whole_programme", lang)
    return municipality_name(code)


def translator(lang: str) -> Any:
    """`t("legend")` for templates."""
    return lambda key: word(TEXT, key, lang)
