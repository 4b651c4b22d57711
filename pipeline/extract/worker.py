"""Imported by the fork server only, before it forks the workers that read files.

A worker started by multiprocessing first runs the caller's main script again
(as `__mp_main__`) unless it is guarded by `if __name__ == "__main__"`; the
README's example, saved as a script, is not, and each worker would start the
analysis anew. The readers need nothing from the caller's script, so the
workers forked from this server skip that step.
"""

from multiprocessing import spawn


def _skip_main(main_path: str) -> None:
    """Stands in for multiprocessing's re-run of the caller's script."""


spawn._fixup_main_from_path = _skip_main  # type: ignore[attr-defined]
