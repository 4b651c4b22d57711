"""A cache of per-document results, so that a re-run analyses only what changed.

One small JSON file per document (safe to read: no pickle), named by a key that
hashes the file's bytes and everything else that decides its result: the model
files, the cues, the taxonomy's levers, the version of leviers and the format of
a result (`tasks.RESULT_FORMAT`). Changed bytes or another model give another
key, so a stale result is never found. Each file is written as its document is
done, to a temporary name then renamed, so an interrupted run resumes where it
stopped and never leaves half a result.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from . import __version__
from .cues import Cues
from .model import META_FILE, MODEL_FILE
from .tasks import RESULT_FORMAT, DocumentResult, file_digest
from .taxonomy import Taxonomy

CACHE_FOLDER = ".leviers-cache"


def code_digest() -> str:
    """Of the package's code that a document's result goes through (all of it but the CLI,
    its messages and training): a change of the code between two releases, as in a clone
    being worked on, is a change of result."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith("training/") or relative in ("cli.py", "i18n.py"):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def context_digest(model_dir: str | Path, taxonomy: Taxonomy, cues: Cues) -> str:
    """What, beside a file's bytes, decides its result."""
    model_dir = Path(model_dir)
    parts = {
        "leviers": __version__,
        "code": code_digest(),
        "format": RESULT_FORMAT,
        "model": {name: file_digest(model_dir / name) for name in (MODEL_FILE, META_FILE)},
        "taxonomy": taxonomy.digest,
        "cues": cues.digest,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class ResultCache:
    """Results by key in `folder`; reading a missing, damaged or foreign file is a miss."""

    def __init__(self, folder: str | Path, context: str):
        self.folder = Path(folder)
        self.context = context
        self.hits = 0

    def key(self, sha256: str) -> str:
        return hashlib.sha256(f"{sha256}\n{self.context}".encode()).hexdigest()

    def get(self, sha256: str, name: str) -> DocumentResult | None:
        path = self.folder / f"{self.key(sha256)}.json"
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("sha256") != sha256 or data.get("context") != self.context:
                return None
            fields = data["result"]
            result = DocumentResult(name, int(fields["pages"]), str(fields["skipped"]), None,
                                    dict(fields["table"]), {})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        self.hits += 1
        return result

    def put(self, sha256: str, result: DocumentResult) -> None:
        """Keep a clean result; a failure or a page left unread (OCR may be installed
        by the next run) is analysed again next time. A cache that cannot be written
        only costs that time."""
        if result.error or result.skipped:
            return
        # Not dataclasses.asdict, which would copy every cell of the table first.
        fields = {"pages": result.pages, "skipped": result.skipped, "table": result.table}
        data = {"sha256": sha256, "context": self.context, "result": fields}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(data, out, ensure_ascii=False)
                os.replace(temporary, self.folder / f"{self.key(sha256)}.json")
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass
