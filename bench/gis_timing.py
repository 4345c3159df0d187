"""Maps after a bulk load with the national boundaries imported: the national map of every
subdistrict with one indicator (time and size, gzipped as served), a province's village
map, the PNG of a province, and the GPS check of every household (PostgreSQL).

    flask gis import-boundaries ../shared/data/boundaries/tha_admbnda_adm3_rtsd_20220121_simplified.zip
    python -m bench.gis_timing --url postgresql+psycopg://postgres@127.0.0.1/bmn_bench_national
"""
from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

from bench.common import make_app, table
from bench.report_timing import officer_tokens, save, time_requests

QUERIES = [
    ("national map: 7,425 subdistricts, indicator 22", "admin",
     "/api/v1/maps?round=2565&level=subdistrict&measure=pct_failed&indicator=22"),
    ("province 65: its districts", "province",
     "/api/v1/maps?round=2565&area=65&measure=pct_failed&indicator=22"),
    ("province 65: its 1,100 villages (Voronoi cells)", "province",
     "/api/v1/maps?round=2565&area=65&level=village&measure=pct_failed&indicator=22"),
    ("PNG of province 65 by subdistrict", "province",
     "/api/v1/maps/print?round=2565&area=65&level=subdistrict&format=png"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the bulk-loaded database")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bmn-bench"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = make_app(args.url, args.workdir)
    tokens = officer_tokens(app)
    timings = time_requests(args.url, args.workdir, args.runs,
                            [(label, tokens[who], path) for label, who, path in QUERIES])
    rows = [[t.label, *t.ms()[:2], f"{len(t.body) / 1024:,.0f}",
             f"{len(gzip.compress(t.body)) / 1024:,.0f}"] for t in timings]
    with app.app_context():
        from app.extensions import db
        from app.units import Unit
        from gis.quality import check_gps
        from survey.households import get_round
        start = time.perf_counter()
        result = check_gps(get_round(2565), Unit.nation())
        db.session.commit()
        seconds = time.perf_counter() - start
        rows.append([f"GPS check of {result.households_checked:,} households "
                     f"({result.outside:,} outside, {result.inaccurate:,} inaccurate)",
                     f"{1000 * seconds:,.0f}", "", "", ""])
        print(" | ".join(rows[-1]), flush=True)
    result = table(["request", "first ms", "then median ms", "KiB", "KiB gzipped"], rows)
    print(f"\n{args.runs} runs each\n{result}")
    save("gis_timing", result)


if __name__ == "__main__":
    main()
