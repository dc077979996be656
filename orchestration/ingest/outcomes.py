"""What a load did: per unit and file (FileOutcome), per seed file (IngestResult)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from schemas.contract import SeedFile
from schemas.rules import message_for


@dataclass
class FileOutcome:
    """What happened to one unit's copy of one seed file (a row of quality.submission_files)."""

    unit_code: str
    file: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    status: str = "accepted"
    message: str = ""
    content_sha256: str = ""
    # The rule of a file refused whole or held back; None for an accepted file.
    rule: str | None = None
    rejected_by_rule: Counter = field(default_factory=Counter)
    # Rows rejected by a rule across units (kept out of the reject rate).
    rows_rejected_across: int = 0
    # The file read, as the unit saved it (`cadres.xlsx`); empty when none was.
    source_file: str = ""


@dataclass
class IngestResult:
    seed: SeedFile
    outcomes: list[FileOutcome]
    # True when no input changed since the last load and nothing was read.
    skipped: bool = False
    # Units whose CSV was read by this load (the others kept their last load).
    units_read: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(outcome.rows_read for outcome in self.outcomes)

    @property
    def rows_accepted(self) -> int:
        return sum(outcome.rows_accepted for outcome in self.outcomes)

    @property
    def rows_rejected(self) -> int:
        return sum(outcome.rows_rejected for outcome in self.outcomes)

    @property
    def rejected_by_rule(self) -> Counter:
        total: Counter = Counter()
        for outcome in self.outcomes:
            total.update(outcome.rejected_by_rule)
        return total


class WholeFileRejection(Exception):
    """A file refused before any row is read (a file rule of schemas/rules.py)."""

    def __init__(self, rule: str, detail: str = ""):
        super().__init__(message_for(rule, detail))
        self.rule = rule
