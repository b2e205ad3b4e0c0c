"""Pseudonyms for evaluators: names and user ids never leave the service in their responses.

A pseudonym is a keyed HMAC-SHA-256 of the evaluator's scope (their user id and municipality)
and the person, turned into a short label: "Handläggare K7Q", "Medlem B3X" (in English "Case
officer K7Q", "Member B3X"). The key lives under the var dir (`keys/pseudonym.key`), so a label
is stable for one evaluator across responses, exports and days, differs between evaluators,
and cannot be reversed without the key. A member's label is the person's (their subject id),
so one person on two task forces has one label; members recorded before subjects existed
are labelled by member id. In public texts shown to evaluators, the names of the record's
known members are replaced by their labels.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from domain.values import Actor

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread
WORDS = {
    "sv": {"user": "Handläggare", "member": "Medlem"},
    "en": {"user": "Case officer", "member": "Member"},
}
PUBLIC_TEXTS = {
    "issue": ("description",),
    "task_force": ("mandate",),
    "decision": ("rationale",),
    "outcome": ("summary",),
}
_key = secrets.token_bytes(32)  # until the service sets the key kept under its var dir


def use_key(key: bytes) -> None:
    """The HMAC key that makes labels stable across processes and days."""
    global _key
    _key = key


class Pseudonyms:
    def __init__(self, scope: str = "", lang: str = "sv") -> None:
        self.scope = scope
        self.words = WORDS.get(lang, WORDS["sv"])

    @classmethod
    def for_reader(cls, actor: Actor, lang: str = "sv") -> Pseudonyms:
        """The labels one evaluator sees, wherever and whenever they look."""
        return cls(f"{actor.user_id}@{actor.municipality}", lang)

    def _label(self, kind: str, person: str) -> str:
        digest = hmac.new(_key, f"{self.scope}\0{kind}\0{person}".encode(), hashlib.sha256)
        number = int.from_bytes(digest.digest()[:8], "big")
        code = ""
        for _ in range(3):
            number, index = divmod(number, len(ALPHABET))
            code += ALPHABET[index]
        return f"{self.words[kind]} {code}"

    def member(self, member_id: str, subject_id: str | None = None) -> str:
        """The label of a member: of the person (subject) where known, else of the member."""
        return self._label("member", subject_id or member_id)

    def of_member(self, member: dict[str, Any]) -> str:
        return self.member(str(member["member_id"]), member.get("subject_id"))

    def user(self, user_id: str | None) -> str | None:
        if user_id is None:
            return None
        return self._label("user", user_id)

    def text(self, value: Any, names: dict[str, str]) -> Any:
        """A public text with each known name replaced by its label."""
        if not isinstance(value, str) or not names:
            return value
        pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        return re.sub(pattern, lambda m: names[m.group(0)], value)

    def names_of(self, members: list[dict[str, Any]]) -> dict[str, str]:
        """Known members' display names (and user ids) -> their labels."""
        names: dict[str, str] = {}
        for m in members:
            if m.get("display_name") and len(m["display_name"]) > 2:
                names[m["display_name"]] = self.of_member(m)
            if m.get("user_id"):
                names[m["user_id"]] = self.user(m["user_id"]) or ""
        return names

    def view(
        self, kind: str, view: dict[str, Any], known: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """A copy of a record view as an evaluator may see it; `known` are the record's
        members whose names are replaced in its public texts."""
        view = dict(view)
        members = list(known or []) + list(view.get("members") or [])
        names = self.names_of(members)
        for field in PUBLIC_TEXTS.get(kind, ()):
            view[field] = self.text(view.get(field), names)
        if kind == "issue":
            if view.get("responsibility"):
                view["responsibility"] = {
                    **view["responsibility"],
                    "user_id": self.user(view["responsibility"].get("user_id")),
                }
            if view.get("follow_up"):
                follow_up = view["follow_up"]
                view["follow_up"] = {
                    **follow_up,
                    "note": None,
                    "set_by": self.user(follow_up["set_by"]),
                }
            if "notes" in view:
                view["notes"] = [
                    {
                        **n,
                        "text": self.text(n["text"], names),
                        "recorded_by": self.user(n["recorded_by"]),
                    }
                    for n in view["notes"]
                    if n["public"]
                ]
        elif kind == "task_force":
            view["members"] = [
                {
                    **{k: v for k, v in m.items() if k != "subject_id"},
                    "display_name": self.of_member(m),
                    "user_id": self.user(m.get("user_id")),
                }
                for m in view["members"]
            ]
            if "progress" in view:
                view["progress"] = [
                    {
                        **p,
                        "text": self.text(p["text"], names),
                        "recorded_by": self.user(p["recorded_by"]),
                    }
                    for p in view["progress"]
                ]
        elif kind == "outcome":
            view["recorded_by"] = self.user(view["recorded_by"])
            view["last_corrected_by"] = self.user(view.get("last_corrected_by"))
        elif kind == "locality":
            view["services"] = [
                {**s, "closed_by": self.user(s.get("closed_by"))} for s in view["services"]
            ]
        elif kind == "staff_member":
            view["user_id"] = self.user(view["user_id"])
            view["handed_over_to"] = self.user(view.get("handed_over_to"))
        return view
