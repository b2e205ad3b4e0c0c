"""Pseudonyms for evaluators: names and user ids never leave the service in their responses.

Pseudonyms are stable within one response or export, so that "Member A handed over to
Member B" still reads clearly.
"""

from __future__ import annotations

from string import ascii_uppercase
from typing import Any


class Pseudonyms:
    def __init__(self) -> None:
        self._members: dict[str, str] = {}
        self._users: dict[str, str] = {}

    def member(self, member_id: str) -> str:
        if member_id not in self._members:
            self._members[member_id] = f"Member {_letters(len(self._members))}"
        return self._members[member_id]

    def user(self, user_id: str | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self._users:
            self._users[user_id] = f"Case officer {len(self._users) + 1}"
        return self._users[user_id]

    def view(self, kind: str, view: dict[str, Any]) -> dict[str, Any]:
        """A copy of a record view as an evaluator may see it."""
        view = dict(view)
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
                    {**n, "recorded_by": self.user(n["recorded_by"])}
                    for n in view["notes"]
                    if n["public"]
                ]
        elif kind == "task_force":
            view["members"] = [
                {
                    **m,
                    "display_name": self.member(str(m["member_id"])),
                    "user_id": self.user(m.get("user_id")),
                }
                for m in view["members"]
            ]
            if "progress" in view:
                view["progress"] = [
                    {**p, "recorded_by": self.user(p["recorded_by"])} for p in view["progress"]
                ]
        elif kind == "outcome":
            view["recorded_by"] = self.user(view["recorded_by"])
            view["last_corrected_by"] = self.user(view.get("last_corrected_by"))
        elif kind == "staff_member":
            view["user_id"] = self.user(view["user_id"])
            view["handed_over_to"] = self.user(view.get("handed_over_to"))
        return view


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = ascii_uppercase[rest] + letters
    return letters
