"""Errors raised by the application layer. Each maps to one HTTP status in one place."""


class ApplicationError(Exception):
    """Base for errors the caller can act on."""


class NotFoundError(ApplicationError):
    """No such record, or one the caller may not see: the two are indistinguishable."""


class ForbiddenError(ApplicationError):
    """The caller's role or municipality does not allow this."""


class PreconditionFailedError(ApplicationError):
    """The record is no longer at the version the caller expected (If-Match)."""


class IdempotencyKeyReuseError(ApplicationError):
    """An Idempotency-Key was used again for a different command."""


class WriteConflictError(ApplicationError):
    """Another writer changed the record first; the command can be retried."""


class ConflictError(ApplicationError):
    """Write conflicts persisted beyond the retry budget."""


class StoreUnavailableError(ApplicationError):
    """The event store cannot be reached; the command was not recorded."""


class IntegrityAlarmError(ApplicationError):
    """The log's chain does not verify where a writer would extend it; nothing is written.

    Only `samverkan audit incident` ends the alarm; reads go on meanwhile.
    """


class UnstorableInputError(ApplicationError):
    """The database refused a value of this command (its input was at fault); nothing written."""
