"""`make bench` (issue 10): every page under load beside two bare floors, at each data size.

1. For each size in ``BENCH_SIZES`` (default ``demo,large``) a database of its own,
   dropped and recreated: ``constellation_bench_demo``, ``constellation_bench_large`` on
   the server of ``BENCH_DATABASE_URL`` (default
   ``postgres://postgres@127.0.0.1:5432/constellation_bench``; never ``DATABASE_URL``),
   migrated and filled by ``seed_demo`` (plus ``seed_demo --size large``). Then
   bench/pages.py, in-process against it: one URL per route with real objects, each
   page's SQL queries, size and time alone, ``reconcile_commons``, the CSV export.
2. One gunicorn per size with production settings (DEBUG off, HTTPS off, 2 workers) on a
   free loopback port; a real log-in POST as each caller (member, organizer, convener).
3. ``wrk`` on every page and on the two floors (``constellation/bench_views.py``), the
   sizes taking turns page by page, so a machine that gets busier during the run skews
   both sizes alike; the logged-in floor once more at the end shows such drift.
4. The tables: one per size, then side by side; then bench/bench_*.py in-process (pytest,
   on ``BENCH_DATABASE_URL``'s database, or SQLite without PostgreSQL).

Without PostgreSQL or wrk only step 4 runs. Figures only: nothing here passes or fails.
What is printed after the set-up is also written to ``var/bench/latest.txt``.

Environment: ``BENCH_SECONDS`` (3), ``BENCH_THREADS`` (2), ``BENCH_CONNECTIONS`` (8),
``BENCH_SIZES``, ``BENCH_PAGES`` (a substring of the page name or URL; the floors always
run), ``BENCH_DATABASE_URL``, ``SECRET_KEY`` (else one is made for the run),
``PYTEST_ARGS`` (step 4).
"""

import http.client
import http.cookiejar
import itertools
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "bench"
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
CONNECTIONS = max(int(os.environ.get("BENCH_CONNECTIONS", "8")), THREADS)
SIZES = [s.strip() for s in os.environ.get("BENCH_SIZES", "demo,large").split(",") if s.strip()]
PAGE_FILTER = os.environ.get("BENCH_PAGES", "").strip()
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/constellation_bench"
)
SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
DEMO_PASSWORD = "sovereignty-not-spectacle"
FLOOR_ANONYMOUS = "floor: anonymous"  # labels as bench/pages.py gives them
FLOOR_LOGGED_IN = "floor: logged in"


# --- output: printed, and kept for var/bench/latest.txt -----------------------------------

REPORT: list[str] = []


def say(text=""):
    print(text, flush=True)
    REPORT.append(text)


def table(headers, rows):
    """Columns aligned; the first column left, the others right."""
    cells = [list(map(str, headers)), *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        say(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            say("  ".join("-" * w for w in widths))


# --- what is measured ---------------------------------------------------------------------


@dataclass
class Page:
    label: str  # the URL name, e.g. "commons:pool"
    url: str  # path and query
    caller: str  # "member", "organizer", "convener" or "anonymous"
    expect: int  # the status every answer must have
    queries: int  # SQL queries of one request, in-process
    size: int  # response body, bytes
    ms: float  # one request alone, in-process


@dataclass
class Load:
    """One wrk run. Latencies in milliseconds."""

    rps: float
    p50: float
    p95: float
    p99: float
    max: float
    errors: int


@dataclass
class Size:
    name: str
    notes: list[str] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    skipped: list[list[str]] = field(default_factory=list)
    loads: dict[str, Load] = field(default_factory=dict)  # by page label
    problems: dict[str, str] = field(default_factory=dict)  # by page label: why no figures
    callers: dict[str, str] = field(default_factory=dict)  # caller: e-mail
    session_cookie: str = "sessionid"
    port: int = 0
    cookies: dict[str, str] = field(default_factory=dict)  # caller: Cookie header

    @property
    def database_url(self):
        parts = urllib.parse.urlsplit(DATABASE_URL)
        return urllib.parse.urlunsplit(parts._replace(path=f"{parts.path}_{self.name}"))

    def page(self, label):
        return next((page for page in self.pages if page.label == label), None)

    def rps(self, label):
        load = self.loads.get(label)
        return load.rps if load else None


# --- what the machine has -----------------------------------------------------------------


def postgres_problem():
    """None when the bench database's server answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(maintenance_url(), connect_timeout=3):
            return None
    except Exception as error:
        reason = str(error).strip().splitlines()[0]
        return f"PostgreSQL at {public(DATABASE_URL)} is not reachable ({reason})"


def wrk_problem():
    """None when wrk is here (installing Debian's package if we may), else why not."""
    if shutil.which("wrk"):
        return None
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk is missing: apt-get install -y wrk", flush=True)
        done = subprocess.run(
            ["apt-get", "install", "-y", "wrk"], capture_output=True, text=True, check=False
        )
        if shutil.which("wrk"):
            return None
        return f"`apt-get install -y wrk` failed: {done.stderr.strip()[-300:]}"
    return "wrk is not installed (Debian: apt-get install -y wrk)"


def maintenance_url():
    parts = urllib.parse.urlsplit(DATABASE_URL)
    return urllib.parse.urlunsplit(parts._replace(path="/postgres"))


def public(url):
    """A database URL without its password."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 5432}{parts.path}"


def production_environment(database_url):
    """A production server's settings on plain HTTP, the floors mounted, a database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY_FILE", "REDIS_URL")  # the file broker: GETs publish nothing
    }
    env.update(
        DJANGO_SETTINGS_MODULE="constellation.settings",
        DATABASE_URL=database_url,
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        BENCH_FLOOR_VIEWS="true",
        STATIC_MANIFEST="false",
        VAR_DIR=str(OUT_DIR / "run"),
        LOG_LEVEL="WARNING",
    )
    return env


def seed_has_size(size):
    done = subprocess.run(
        [PYTHON, "manage.py", "seed_demo", "--help"],
        cwd=BASE_DIR,
        env=production_environment(DATABASE_URL),
        capture_output=True,
        text=True,
        check=False,
    )
    return re.search(rf"--size \{{[^}}]*\b{re.escape(size)}\b", done.stdout) is not None


# --- step 1: a database per size, and the in-process figures ----------------------------


def prepare(size):
    print(f"\n=== {size.name} size: {public(size.database_url)}", flush=True)
    recreate_database(size.database_url)
    env = production_environment(size.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    seconds = manage(env, "seed_demo")
    if size.name != "demo":
        seconds += manage(env, "seed_demo", "--size", size.name)
    command = "seed_demo" if size.name == "demo" else f"seed_demo + seed_demo --size {size.name}"
    size.notes.append(f"{command}: {seconds:.1f} s")
    found = OUT_DIR / f"pages-{size.name}.json"
    subprocess.run([PYTHON, "-m", "bench.pages", found], cwd=BASE_DIR, env=env, check=True)
    figures = json.loads(found.read_text())
    size.notes.extend(figures["notes"])
    size.pages = [Page(**page) for page in figures["pages"] if wanted(page)]
    size.skipped = figures["skipped"]
    size.callers = figures["callers"]
    size.session_cookie = figures["session_cookie"]


def wanted(page):
    return (
        page["label"].startswith("floor: ")
        or PAGE_FILTER in page["label"]
        or PAGE_FILTER in page["url"]
    )


def recreate_database(url):
    import psycopg
    from psycopg import sql

    name = sql.Identifier(urllib.parse.urlsplit(url).path.lstrip("/"))
    with psycopg.connect(maintenance_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def manage(env, *args):
    """A manage.py command in its own process; its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)
    return time.perf_counter() - started


# --- step 2: the servers, and logging in --------------------------------------------------


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_serving(size):
    """gunicorn, 2 sync workers, on a free loopback port; its log in var/bench/."""
    port = free_port()
    log = (OUT_DIR / f"gunicorn-{size.name}.log").open("w")
    process = subprocess.Popen(
        [
            GUNICORN,
            "constellation.wsgi:application",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--timeout=120",
            "--log-level=warning",
        ],
        cwd=BASE_DIR,
        env=production_environment(size.database_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_answering(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_until_answering(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}: see {OUT_DIR}")
        try:
            status_of(port, "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {seconds} s")


def status_of(port, path, cookie=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def log_in(size, email):
    """A real log-in: the form's CSRF token, a POST, and the session cookie it sets."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"http://127.0.0.1:{size.port}/accounts/login/"
    form = opener.open(login_url, timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = {"csrfmiddlewaretoken": token, "login": email, "password": DEMO_PASSWORD}
    opener.open(login_url, data=urllib.parse.urlencode(data).encode(), timeout=60)
    session = next((c.value for c in jar if c.name == size.session_cookie), None)
    if session is None:
        raise RuntimeError(f"logging in as {email} set no session cookie")
    return f"{size.session_cookie}={session}"


# --- step 3: the load ---------------------------------------------------------------------


def load_every_page(sizes):
    """Each page at each size in turn, then the logged-in floor again."""
    labels = list(dict.fromkeys(page.label for size in sizes for page in size.pages))
    print(f"\nwrk: {SECONDS} s, {THREADS} threads, {CONNECTIONS} connections", flush=True)
    for label in labels:
        shown = []
        for size in sizes:
            page = size.page(label)
            if page is not None:
                load_one(size, page)
                rps = size.rps(label)
                shown.append(f"{size.name} {rps:8.1f} req/s" if rps else f"{size.name} -")
        print(f"  {label:<32} {' | '.join(shown)}", flush=True)
    for size in sizes:
        floor = size.page(FLOOR_LOGGED_IN)
        again = run_wrk(size.port, floor, size.cookies.get(floor.caller))
        size.notes.append(
            f"logged-in floor at the end of the run: {again.rps:.1f} req/s (at the start: "
            f"{size.rps(FLOOR_LOGGED_IN) or 0:.1f}); far apart: the machine's load changed mid-run"
        )


def load_one(size, page):
    cookie = size.cookies.get(page.caller)
    statuses = warm_up(size.port, page, cookie)
    if statuses != {page.expect}:
        size.problems[page.label] = f"over HTTP: {sorted(statuses)}"
        return
    load = run_wrk(size.port, page, cookie)
    if load is None:
        size.problems[page.label] = f"no answer within {SECONDS} s"
    else:
        size.loads[page.label] = load


def warm_up(port, page, cookie, requests=4):
    """A few requests at once, so both workers have compiled the page before wrk starts.
    Returns the statuses seen."""
    with ThreadPoolExecutor(max_workers=requests) as pool:
        return set(pool.map(lambda _n: status_of(port, page.url, cookie), range(requests)))


def run_wrk(port, page, cookie):
    """wrk on one URL; None when no request finished in time."""
    command = ["wrk", f"--threads={THREADS}", f"--connections={CONNECTIONS}"]
    command += [f"--duration={SECONDS}s", "--timeout=60s", f"--script={WRK_SCRIPT}"]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{page.url}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = re.search(r"^BENCH (.*)$", output, re.M).group(1)
    n = {key: int(value) for key, value in (pair.split("=") for pair in line.split())}
    if n["requests"] == 0:
        return None
    return Load(
        rps=n["requests"] / (n["duration_us"] / 1e6),
        p50=n["p50_us"] / 1000,
        p95=n["p95_us"] / 1000,
        p99=n["p99_us"] / 1000,
        max=n["max_us"] / 1000,
        errors=n["errors"],
    )


# --- step 4 -------------------------------------------------------------------------------


def in_process_figures(database_url):
    """bench/bench_*.py under pytest, against PostgreSQL when it is here."""
    report_file = OUT_DIR / "in_process.txt"
    report_file.unlink(missing_ok=True)
    env = dict(os.environ, BENCH_REPORT=str(report_file))
    if database_url:
        env["DATABASE_URL"] = database_url
    say(f"\n## In-process figures (bench/bench_*.py, {'PostgreSQL' if database_url else 'SQLite'})")
    command = [PYTHON, "-m", "pytest", "bench", "-o", "python_files=bench_*.py"]
    command += ["-p", "no:cacheprovider", "-q", "-s"]
    command += shlex.split(os.environ.get("PYTEST_ARGS", ""))
    print(flush=True)
    subprocess.run(command, cwd=BASE_DIR, env=env, check=False)
    if report_file.exists():
        REPORT.extend(report_file.read_text().splitlines())


# --- the tables ---------------------------------------------------------------------------


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


def figure(value, digits=1):
    return "-" if value is None else f"{value:.{digits}f}"


def print_size(size):
    say(f"\n## {size.name} size")
    for note in size.notes:
        say(f"- {note}")
    say()
    floor = size.rps(FLOOR_LOGGED_IN)
    rows = []
    for page in size.pages:
        load = size.loads.get(page.label)
        if load:
            measured = [figure(load.rps), figure(load.p50), figure(load.p95), figure(load.p99)]
            measured += [figure(load.max), load.errors or ""]
        else:
            measured = [size.problems.get(page.label, "not run"), "", "", "", "", ""]
        rows.append(
            [page.label, page.caller, *measured, page.queries, figure(page.size / 1024)]
            + [figure(page.ms), ratio(size.rps(page.label), floor)]
        )
    headers = ["page", "as", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"]
    table(headers + ["queries", "KB", "alone ms", "x floor"], rows)
    floors = ratio(floor, size.rps(FLOOR_ANONYMOUS))
    say(f"\nfloors' ratio (logged in / anonymous): {floors}")
    say(f"req/s to max ms: wrk on loopback, {SECONDS} s, {THREADS} threads, {CONNECTIONS} conns")
    say("errors: statuses >= 400 and socket errors; x floor: req/s over the logged-in floor's")
    say("queries, KB, alone ms (median of 3): in-process, Django's test Client, same user")
    reasons = {}
    for name, why in size.skipped:
        reasons.setdefault(why, []).append(name)
    say("routes without a page to bench:" if reasons else "")
    for why, names in reasons.items():
        say(f"- {why}: {', '.join(names)}")


def print_side_by_side(first, second):
    a, b = first.name, second.name
    say(f"\n## {a} and {b} side by side")
    floors = first.rps(FLOOR_LOGGED_IN), second.rps(FLOOR_LOGGED_IN)
    labels = dict.fromkeys(page.label for page in first.pages + second.pages)
    rows = []
    for label in labels:
        one, two = first.loads.get(label), second.loads.get(label)
        queries = [
            size.page(label).queries if size.page(label) else "-" for size in (first, second)
        ]
        rows.append(
            [
                label,
                figure(one and one.rps),
                figure(two and two.rps),
                ratio(two and two.rps, one and one.rps),
                ratio(one and one.rps, floors[0]),
                ratio(two and two.rps, floors[1]),
                figure(one and one.p99),
                figure(two and two.p99),
                figure(one and one.max),
                figure(two and two.max),
                f"{queries[0]} / {queries[1]}",
            ]
        )
    headers = ["page", f"req/s {a}", f"req/s {b}", f"{b}/{a}", f"x floor {a}", f"x floor {b}"]
    headers += [f"p99 {a}", f"p99 {b}", f"max ms {a}", f"max ms {b}", "queries"]
    table(headers, rows)
    for size in (first, second):
        floors_ratio = ratio(size.rps(FLOOR_LOGGED_IN), size.rps(FLOOR_ANONYMOUS))
        say(f"floors' ratio at {size.name} size (logged in / anonymous): {floors_ratio}")


# --- main ---------------------------------------------------------------------------------


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    no_postgres = postgres_problem()
    problems = [p for p in (no_postgres, wrk_problem()) if p]
    if problems:
        say("The load part (gunicorn + wrk at each size) needs PostgreSQL and wrk; skipped:")
        for problem in problems:
            say(f"- {problem}")
    else:
        run_load_part()
    in_process_figures(None if no_postgres else DATABASE_URL)
    say(f"\nmake bench took {time.perf_counter() - started:.0f} s")
    (OUT_DIR / "latest.txt").write_text("\n".join(REPORT) + "\n")
    print(f"(also in {OUT_DIR / 'latest.txt'})")


def run_load_part():
    shutil.rmtree(OUT_DIR / "run", ignore_errors=True)  # the last run's broker folders
    sizes = []
    for name in SIZES:
        if name == "demo" or seed_has_size(name):
            sizes.append(Size(name))
        else:
            say(f"\n## {name} size: skipped, `manage.py seed_demo` has no --size {name}")
    for size in sizes:
        prepare(size)
    with ExitStack() as servers:
        for size in sizes:
            size.port = servers.enter_context(gunicorn_serving(size))
            size.cookies = {caller: log_in(size, email) for caller, email in size.callers.items()}
        load_every_page(sizes)
    for size in sizes:
        print_size(size)
    for first, second in itertools.pairwise(sizes):
        print_side_by_side(first, second)


if __name__ == "__main__":
    main()
