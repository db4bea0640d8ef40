"""Errors a user can act on; the CLI prints their message on one line and exits non-zero."""


class FactcheckError(RuntimeError):
    """Base class: the message says what went wrong and what to do."""


class ModelError(FactcheckError):
    """A model that cannot be loaded or does not fit the index."""


class IndexBusy(FactcheckError):
    """Another process is writing to the same index."""


class CorpusError(FactcheckError):
    """An index that is missing, unreadable, or of another format."""


class MissingExtra(FactcheckError):
    """An optional dependency (an extra of the package) that is not installed."""


class InputError(FactcheckError, ValueError):
    """Input a user can correct (a claim, a date, an option value). Also a ``ValueError``, so
    that Python callers may catch it as one; the CLI reports it, and lets any other
    ``ValueError`` (a bug) surface with its traceback."""
