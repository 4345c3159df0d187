"""What the benchmarks share: fresh databases, a migrated and loaded schema, a real gunicorn
server, and the synthetic household generator."""
from __future__ import annotations

import base64
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("BMN_BENCH_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
INTERVIEW_DAY = date(2022, 3, 15)
SECRET = "bench-secret"
# A drawn signature is a few KB of PNG; this one is a real 1×1 image padded to that size.
SIGNATURE = base64.b64encode(
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010800000000"
                  "3a7e9b550000000a49444154789c6300010000050001" "0d0a2db40000000049454e44ae426082")
    + b"\0" * 3000).decode()


def fresh_database(kind: str, workdir: Path, name: str) -> str:
    """An empty database: a new SQLite file, or a new PostgreSQL database."""
    if kind == "sqlite":
        path = workdir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def make_app(url: str, workdir: Path):
    os.environ["BMN_INSTANCE_PATH"] = str(workdir / "instance")
    from app import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})


def prepare(app, provinces: list[str]) -> None:
    """Migrate, load the official areas and a demo register for ``provinces``, open round
    2565 and set plausible targets."""
    from flask_migrate import upgrade

    from app.areas.demo import demo_register_csv
    from app.areas.official import load_official_areas
    from app.areas.register import import_register
    from app.extensions import db
    from survey import planning
    with app.app_context():
        upgrade()
        load_official_areas()
        for province in provinces:
            assert import_register(demo_register_csv(province)).ok
        planning.create_round(2565, "2560-2564", date(2022, 1, 1), date(2022, 5, 31))
        db.session.commit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(url: str, workdir: Path, *, workers: int, threads: int, env: dict | None = None):
    """A real gunicorn serving the app on ``url`` (``env``: extra settings); yields its
    base URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET,
           "BMN_INSTANCE_PATH": str(workdir / "instance"), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
         "--no-control-socket", "--backlog", "512", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/login", timeout=10)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def synthetic_household(rng: random.Random, village_code: str, serial: int) -> dict:
    """One realistic submission body: a payload-factory household with the envelope a phone
    adds (UUID, round, GPS, the head's signature)."""
    from survey.payload_factory import make_household
    body = make_household(rng, village_code=village_code, as_of=INTERVIEW_DAY,
                          house_code=f"{village_code[:4]}{serial:07d}")
    body.update(client_uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)), round=2565,
                interviewed_on=INTERVIEW_DAY.isoformat(),
                gps={"lat": round(rng.uniform(13.3, 13.5), 6),
                     "lon": round(rng.uniform(99.9, 100.1), 6),
                     "accuracy_m": round(rng.uniform(3, 30), 1)},
                head_signoff={"name": body["members"][0]["first_name"],
                              "signed_at": "2022-03-15T10:30:00+07:00",
                              "signature_png": SIGNATURE})
    return body


def cmdline(pid: str) -> str:
    """A process's command line ("" once it has ended)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far (user + system) by every gunicorn process on the machine
    ("app"), every PostgreSQL process ("postgres": backends, WAL writer, checkpointer) and
    this process ("client"), read from /proc: read before and after a run, the difference
    says what each side cost (Linux only; empty elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {"app": 0.0, "postgres": 0.0, "client": sum(os.times()[:2])}
    for pid in filter(str.isdigit, os.listdir("/proc") if os.path.isdir("/proc") else ()):
        try:
            name, _, rest = Path(f"/proc/{pid}/stat").read_text().rpartition(")")
        except OSError:
            continue  # ended meanwhile
        fields = rest.split()
        role = "app" if "gunicorn" in cmdline(pid) else \
            "postgres" if name.endswith("(postgres") else None
        if role is not None:
            out[role] += (int(fields[11]) + int(fields[12])) / tick
    return out


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table, for the terminal and the README."""
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
