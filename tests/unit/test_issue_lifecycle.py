"""Any sequence of commands on an issue: only an open issue changes, reopening is the exception,
an illegal command records nothing, and the log always rebuilds the same issue."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.issue import Issue
from domain.values import Category, IssueStatus, NoteKind
from tests.unit.builders import TODAY, an_issue, by
from tests.unit.lifecycle import LIFECYCLE_SETTINGS, AggregateLifecycle, blank, replay, texts

localities = st.sampled_from(["Falerum", "Trönö", "Gårdby"])
categories = st.sampled_from(list(Category))


class IssueLifecycle(AggregateLifecycle):
    aggregate: Issue

    @initialize()
    def open_issue(self) -> None:
        self.start(an_issue())
        self.status = IssueStatus.OPEN
        self.children: list[Issue] = []

    @property
    def is_open(self) -> bool:
        return self.status == IssueStatus.OPEN

    @rule(locality=localities, category=categories)
    def edit(self, locality: str, category: Category) -> None:
        changes = {"locality": locality, "category": str(category)}
        self.attempt(self.is_open, lambda: self.aggregate.edit(changes, by()))

    @rule(user=st.sampled_from([None, "erik.holm", "sara.nyberg"]))
    def assign(self, user: str | None) -> None:
        self.attempt(
            self.is_open,
            lambda: self.aggregate.assign_responsibility("Näringsliv", "bygdelots", user, by()),
        )

    @rule(kind=st.sampled_from(list(NoteKind)), text=texts, public=st.booleans())
    def add_note(self, kind: NoteKind, text: str, public: bool) -> None:
        legal = self.is_open and not blank(text)
        self.attempt(legal, lambda: self.aggregate.add_note(str(kind), text, TODAY, public, by()))

    @rule(title=texts)
    def split(self, title: str) -> None:
        legal = self.is_open and not blank(title)
        split: list[Issue] = []
        if self.attempt(
            legal, lambda: split.append(self.aggregate.split_off(title, "", None, by()))
        ):
            child = split[0]
            (opened,) = child.collect_events()
            assert isinstance(opened, Issue.Opened) and opened.parent_id == self.aggregate.id
            assert replay([opened]).municipality == self.aggregate.municipality
            self.children.append(child)

    @rule(summary=texts)
    def resolve(self, summary: str) -> None:
        legal = self.is_open and not blank(summary)
        if self.attempt(legal, lambda: self.aggregate.resolve(summary, by())):
            self.status = IssueStatus.RESOLVED

    @rule(reason=texts)
    def close(self, reason: str) -> None:
        legal = self.is_open and not blank(reason)
        if self.attempt(legal, lambda: self.aggregate.close(reason, by())):
            self.status = IssueStatus.CLOSED

    @rule(reason=texts)
    def reopen(self, reason: str) -> None:
        legal = not self.is_open and not blank(reason)
        if self.attempt(legal, lambda: self.aggregate.reopen(reason, by())):
            self.status = IssueStatus.OPEN

    def teardown(self) -> None:
        if hasattr(self, "aggregate"):
            assert self.aggregate.status == self.status
            assert self.aggregate.child_ids == [child.id for child in self.children]


IssueLifecycle.TestCase.settings = LIFECYCLE_SETTINGS
TestIssueLifecycle = IssueLifecycle.TestCase
