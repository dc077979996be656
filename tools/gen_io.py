"""Seed-file frames in the declared column order, written as the contract's CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from schemas import seed_file


def as_dates(values: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(values, np.int32)).cast(pl.Date)


def declared(name: str, columns: dict[str, object]) -> pl.DataFrame:
    """A frame of seed file `name` with exactly its declared columns, in order.

    Extra columns starting with '_' (such as the folder a row goes to) are kept at the end.
    """
    wanted = seed_file(name).column_names
    given = [column for column in columns if not column.startswith("_")]
    if sorted(given) != sorted(wanted):
        raise ValueError(f"{name}: columns {given} differ from the declaration {wanted}")
    frame = pl.DataFrame(columns)
    extra = [column for column in columns if column.startswith("_")]
    # An empty string is a null in the contract; written as nothing, not as "".
    text = [c for c, t in frame.schema.items() if t == pl.String]
    frame = frame.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in text
    )
    return frame.select([*wanted, *extra])


def csv_text(frame: pl.DataFrame) -> bytes:
    body = frame.write_csv(line_terminator="\n", date_format="%Y-%m-%d")
    return body.encode("utf-8")


def write_csv(path: Path, frame: pl.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = frame.select([c for c in frame.columns if not c.startswith("_")])
    path.write_bytes(csv_text(frame))
