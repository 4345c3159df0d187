"""What every CSV import shares: reading UTF-8 or TIS-620 files, the header check, and
row errors that name the line, the field, a stable code and a Thai reason."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterator

FILE_ERRORS_TH = {
    "ENCODING": "อ่านไฟล์ไม่ได้: กรุณาบันทึกเป็น CSV UTF-8 หรือ TIS-620",
    "EMPTY_FILE": "ไฟล์ว่างเปล่า",
    "MISSING_COLUMNS": "หัวตารางไม่ครบ",
    "MALFORMED_CSV": "อ่านไฟล์ CSV ไม่ได้ (ช่องข้อมูลยาวผิดปกติหรือเครื่องหมายคำพูดไม่ครบ)",
}


class CsvFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, empty)."""

    def __init__(self, error_code: str, message: str):
        super().__init__(message)
        self.error_code = error_code

    @property
    def message_th(self) -> str:
        return FILE_ERRORS_TH[self.error_code]


@dataclass
class RowError:
    line: int
    field: str
    error_code: str
    message: str
    message_th: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "error_code": self.error_code,
                "message": self.message, "message_th": self.message_th}


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read in: UTF-8, else TIS-620/cp874
    (what Thai Excel writes)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp874"), "cp874"
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            "ENCODING", f"the file is neither UTF-8 nor TIS-620/Windows-874 (byte "
                        f"0x{data[exc.start]:02x} at offset {exc.start}); save it as CSV UTF-8"
        ) from exc


def read_rows(data: bytes, columns: list[str]) -> tuple[str, Iterator[tuple[int, dict]]]:
    """The encoding and the rows as ``(line number, {column: stripped value})``.
    A row with more fields than the header gets the key ``None``."""
    text, encoding = decode(data)
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise CsvFileError("MALFORMED_CSV", f"line 1: {exc}") from exc
    header = [h.strip() for h in (fieldnames or [])]
    if not header:
        raise CsvFileError("EMPTY_FILE", "the file is empty")
    missing = [c for c in columns if c not in header]
    if missing:
        raise CsvFileError("MISSING_COLUMNS", f"line 1: missing column(s) {', '.join(missing)}; "
                                              f"expected {', '.join(columns)}")
    reader.fieldnames = header

    def rows():
        line = 1
        try:
            for line, raw in enumerate(reader, start=2):
                yield line, {k: (v.strip() if isinstance(v, str) else v)
                             for k, v in raw.items()}
        except csv.Error as exc:  # e.g. a field over csv.field_size_limit() (131,072)
            raise CsvFileError("MALFORMED_CSV", f"line {line + 1}: {exc}") from exc

    return encoding, rows()
