"""Exceptions raised by the library; the CLI turns them into one-line messages."""


class LeviersError(Exception):
    """Base class of every error the pipeline reports to a user."""


class TaxonomyError(LeviersError):
    """The taxonomy file is missing, malformed or inconsistent."""


class ExtractionError(LeviersError):
    """A document could not be read (corrupt, encrypted, empty, wrong format)."""


class AnnotationError(LeviersError):
    """An annotated file is malformed; the message names the file and line."""


class ModelError(LeviersError):
    """A model directory is missing, unreadable or built for another taxonomy."""
