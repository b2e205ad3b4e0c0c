"""Typed domain errors. Messages are written for the case worker who broke the rule."""


class DomainRuleError(Exception):
    """A command broke a rule of the domain; nothing was recorded."""


class RecordNotOpenError(DomainRuleError):
    """The record's status does not accept this change."""


class NotAMemberError(DomainRuleError):
    """The named member is not in the task force."""


class LeadRemovalError(DomainRuleError):
    """The lead must hand over before leaving the task force."""


class DeadlineError(DomainRuleError):
    """A due date that does not lie after forming, or an extension that is not later."""


class FutureDateError(DomainRuleError):
    """A date that lies in the future where only the past is allowed."""


class FourEyesError(DomainRuleError):
    """The verifier recorded or last corrected the outcome."""


class DuplicateIndicatorError(DomainRuleError):
    """Two indicators with the same name in one outcome."""


class CrossRecordError(DomainRuleError):
    """Two records that must belong together do not (issue, municipality or status)."""


class BlankTextError(DomainRuleError):
    """Required text was empty or blank."""


class AlreadyRegisteredError(DomainRuleError):
    """The issue has a registration number already."""


class DuplicateMemberError(DomainRuleError):
    """A member with the same display name and organisation is already in the task force."""
