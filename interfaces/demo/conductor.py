"""Telling several stories side by side, one command at a time, in the order they happened."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime


class StoryConductor:
    """Runs each municipality's story in its own thread, one command at a time, earliest first.

    Before each command a story waits until every other live story is waiting too; then the
    one with the earliest moment (ties by name) goes. The stories stay plain sequential code.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: dict[str, datetime] = {}
        self._alive = 0

    @contextmanager
    def turn(self, name: str, instant: datetime) -> Iterator[None]:
        with self._changed:
            self._waiting[name] = instant
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._is_next(name))
            del self._waiting[name]
        yield  # the others wait until this story asks for its next turn, or ends

    def _is_next(self, name: str) -> bool:
        if len(self._waiting) < self._alive:
            return False
        return min(self._waiting, key=lambda n: (self._waiting[n], n)) == name

    def run(self, stories: dict[str, Callable[[], None]]) -> None:
        """Tell every story to its end; re-raises the first story's error."""
        errors: list[BaseException] = []
        self._alive = len(stories)

        def tell(story: Callable[[], None]) -> None:
            try:
                story()
            except BaseException as error:
                errors.append(error)
            finally:
                with self._changed:
                    self._alive -= 1
                    self._changed.notify_all()

        threads = [threading.Thread(target=tell, args=(s,), name=n) for n, s in stories.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]


@contextmanager
def alone(name: str, instant: datetime) -> Iterator[None]:
    """A story told on its own takes every turn at once."""
    yield
