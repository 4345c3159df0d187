"""The national export of households below the income line (indicator 22, the only export
whose rows grow with households: ``GET /api/v1/reports/income-failing?format=csv``, and
the same as XLSX) through a real gunicorn worker after a bulk load: rows per second as the
client receives them, and the worker's resident memory before and at its peak during the
export. Run at two sizes of load, it shows whether memory stays flat (the CSV is written
row by row as the database cursor yields them; the XLSX row by row to a temporary file).

The peak is the kernel's high-water mark of the worker (``VmHWM``), reset to the current
size just before the export (``/proc/PID/clear_refs``; needs the worker to be ours).

    python -m bench.export_timing --url postgresql+psycopg://postgres@127.0.0.1/bmn_bench_national
"""
from __future__ import annotations

import argparse
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from bench.common import cmdline, make_app, server, table
from bench.report_timing import officer_tokens, save, timed_get

EXPORT = "/api/v1/reports/income-failing?round=2565&format={format}"
WARM_UP = "/api/v1/reports/income-failing?round=2565&area=6501&format={format}"


def _parent(pid: str) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]


def worker_pid(base: str) -> str:
    """The one gunicorn worker serving ``base``: a process started with its address whose
    parent (the arbiter) was too."""
    address = urlparse(base).netloc
    found = [pid for pid in (p.name for p in Path("/proc").iterdir() if p.name.isdigit())
             if address in cmdline(pid) and address in cmdline(_parent(pid))]
    if len(found) != 1:
        raise RuntimeError(f"expected one worker for {address}, found {found}")
    return found[0]


def memory_mib(pid: str) -> dict[str, float]:
    """The process's resident size now (``VmRSS``) and its peak (``VmHWM``), MiB."""
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {key: int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}


def streamed(url: str, token: str) -> tuple[float, int, int]:
    """Read the response as it comes: seconds, bytes and lines."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    size = lines = 0
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=3600) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
    return time.perf_counter() - start, size, lines


def measure(url: str, workdir: Path, token: str, export_format: str, rows: int) -> list:
    """One fresh worker: warm it up with a district's export (imports, connections), reset
    its peak, export the nation, read the peak."""
    with server(url, workdir, workers=1, threads=4) as base:
        timed_get(base + WARM_UP.format(format=export_format), token)
        pid = worker_pid(base)
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # peak := current
        before = memory_mib(pid)["VmRSS"]
        seconds, size, lines = streamed(base + EXPORT.format(format=export_format), token)
        peak = memory_mib(pid)["VmHWM"]
    if export_format == "csv":
        assert lines == rows + 1, (lines, rows)  # and the header
    return [export_format, f"{rows:,}", f"{size / 2**20:,.1f}", f"{seconds:,.1f}",
            f"{rows / seconds:,.0f}", f"{before:,.0f}", f"{peak:,.0f}",
            f"{peak - before:+,.0f}"]


def households_below_the_line(app) -> tuple[int, int]:
    from sqlalchemy import func, select

    from app.extensions import db
    from survey.models import Household
    with app.app_context():
        return tuple(db.session.execute(select(
            func.count(), func.count().filter(Household.below_income_line.is_(True)))
            .where(Household.round_year == 2565)).one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the bulk-loaded database")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bmn-bench"))
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"])
    parser.add_argument("--name", default="", help="suffix of the results file")
    args = parser.parse_args()
    app = make_app(args.url, args.workdir)
    token = officer_tokens(app)["admin"]
    households, below = households_below_the_line(app)
    rows = []
    for export_format in args.formats:
        rows.append([f"{households:,}", *measure(args.url, args.workdir, token,
                                                 export_format, below)])
        print(" | ".join(rows[-1]), flush=True)
    result = table(["households loaded", "format", "rows", "MiB", "seconds", "rows/s",
                    "worker RSS before MiB", "worker peak RSS MiB", "growth MiB"], rows)
    print(f"\n{result}")
    save(f"export_timing{args.name}", result)


if __name__ == "__main__":
    main()
