"""Try dictanote as a hostile local user and a careless one would, and count what fails, per area.

Real things only: ``dictanote`` subprocesses, the review server on loopback behind its secret, the
daemon's control socket, SQLite files on disk, the segmenter fed random dictations (fixed seed),
random and broken TOML, template and config files. Every case asserts the behaviour issue 12 asks
for (not whatever the code does today) and carries the severity of its failure: ``high`` (data lost,
private words in the clinical record, tampering not detected, a server crashed or hung), ``medium``
(a traceback, a wrong exit code, unbounded resource use), ``low`` (wording). It is a measurement:
everything happens in a temporary HOME, nothing outside it is touched.

    .venv/bin/python benchmarks/reliability.py [--quick] [--json PATH] [--strict] [--seed N] [--areas a,b]

``--quick``: a few hundred cases (< 2 min); the default runs thousands (< 10 min). Exit 0 always,
unless ``--strict``: then exit 1 when a case of high or medium severity failed (or could not run).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import logging
import os
import random
import re
import select
import shutil
import signal
import socket
import ssl
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from dictanote.app import Dictation
    from dictanote.core.types import Record
    from dictanote.store import Store

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the words the tests' nothing-lost property draws from
from tests.util import PLAIN_WORDS  # noqa: E402

EXE = shutil.which("dictanote", path=str(Path(sys.executable).parent)) or "dictanote"
SHIPPED_FORMATS = REPO / "templates" / "formats"

Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")
AREAS = ("review", "daemon", "store", "cli", "segmenter", "config", "privacy")
PASSPHRASE = "reliability run: correct horse battery staple"

# What the issue dictated (its repro) and what our own dictations carry: a made-up client, a word
# that must stay in the clinical record and one that must never leave the private note.
ISSUE_REPRO = (
    "Subjective. Client reports better sleep. Plan. Continue weekly. Private note. "
    "I noticed strong countertransference anger. End private note."
)
ISSUE_PRIVATE_WORD = "countertransference"
CLINICAL_WORD = "quillberry"
PRIVATE_WORD = "velvetcrumpet"
DICTATION = (
    f"Subjective. Client W.Q. reports the {CLINICAL_WORD} garden helps her sleep. "
    "Objective. Calm, engaged, fifty minute session in person. "
    f"Private note. I felt a {PRIVATE_WORD} pull to rescue her. End private note. "
    "Plan. Continue weekly sessions."
)
# What the review page says when a route raised something unexpected (its one catch-all).
CATCH_ALL = b"Internal error ("
# Response headers every answer of the review server carries, error answers included.
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "cache-control")


# --- outcomes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One case: where, what, how bad a failure is, and whether it held."""

    area: str
    name: str
    severity: Severity
    ok: bool
    detail: str = ""


@dataclass
class Tally:
    """Every outcome so far, and the cases the harness itself could not run."""

    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, area: str, name: str, severity: Severity, ok: bool, detail: str = "") -> bool:
        """Record one case; returns ``ok``."""
        with self.lock:
            self.outcomes.append(Outcome(area, name, severity, bool(ok), "" if ok else detail[:400]))
        return bool(ok)

    def error(self, area: str, what: str) -> None:
        """The harness could not run a case (not counted as a failure of dictanote)."""
        with self.lock:
            self.errors.append((area, what[:400]))


@dataclass(frozen=True)
class Ran:
    """A finished (or timed out) ``dictanote`` subprocess."""

    code: int | None
    out: str
    err: str
    seconds: float

    def brief(self) -> str:
        """Exit code and the end of stderr, for a failure line."""
        code = "no exit (timed out)" if self.code is None else f"exit {self.code}"
        tail = " | ".join(self.err.strip().splitlines()[-3:])
        return f"{code} after {self.seconds:.1f} s; stderr: {tail[:240]!r}"


def error_verdict(ran: Ran, codes: Sequence[int]) -> tuple[Severity | None, str]:
    """None when ``ran`` failed as the contract says (one ``dictanote: error:`` line, exit in
    ``codes``); else the severity of what went wrong and why."""
    if ran.code is None:
        return "medium", ran.brief()
    if "Traceback" in ran.err:
        return "medium", "traceback: " + ran.brief()
    if ran.code not in codes:
        return "medium", f"expected exit {'/'.join(map(str, codes))}: " + ran.brief()
    lines = [x for x in ran.err.strip().splitlines() if not x.startswith("dictanote: warning")]
    if len(lines) != 1 or not lines[0].startswith("dictanote: error: "):
        return "low", "not one 'dictanote: error:' line: " + ran.brief()
    return None, ""


# --- the rig: a temporary HOME, the CLI, the store ------------------------------------------------


@contextlib.contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """``os.environ`` is ``env`` inside (settings and the passphrase are read from it in-process)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass
class Rig:
    """Where a run happens and how it calls dictanote."""

    base: Path
    env: dict[str, str]
    quick: bool
    seed: int
    tally: Tally
    finishers: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def make(cls, base: Path, quick: bool, seed: int) -> Rig:
        """Fresh HOME/XDG/TMP folders under ``base``; the passphrase and a keyring that is no keyring."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DICTANOTE_", "XDG_"))}
        dirs = {"HOME": "home", "XDG_CONFIG_HOME": "xdg-config", "XDG_DATA_HOME": "xdg-data"}
        dirs |= {"XDG_CACHE_HOME": "xdg-cache", "XDG_RUNTIME_DIR": "run", "TMPDIR": "tmp"}
        for name, sub in dirs.items():
            (base / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
            env[name] = str(base / sub)
        env["DICTANOTE_PASSPHRASE"] = PASSPHRASE
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        env["PYTHONFAULTHANDLER"] = "1"
        return cls(base, env, quick, seed, Tally())

    def checker(self, area: str) -> Callable[..., bool]:
        """``check(name, severity, ok, detail)`` for one area."""

        def check(name: str, severity: Severity, ok: bool, detail: str = "") -> bool:
            return self.tally.check(area, name, severity, ok, detail)

        return check

    def scale(self, quick: int, full: int) -> int:
        """How many of a repeated case: ``quick`` under --quick, else ``full``."""
        return quick if self.quick else full

    def rng(self, area: str) -> random.Random:
        """A generator per area, so one area's cases do not shift another's."""
        return random.Random(f"{self.seed}:{area}")

    def home(self, name: str, runtime: bool = False) -> dict[str, str]:
        """The environment of a user whose data and config live in ``base/name``."""
        root = self.base / name
        (root / "config").mkdir(parents=True, exist_ok=True)
        env = {**self.env, "DICTANOTE_HOME": str(root / "data"), "DICTANOTE_CONFIG_DIR": str(root / "config")}
        if runtime:  # a runtime directory (daemon socket) of its own; AF_UNIX paths stay short
            env["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="rt-", dir=self.base)
        return env

    def cli(
        self, *args: str, env: dict[str, str], stdin: str | bytes | None = None, timeout: float = 60.0
    ) -> Ran:
        """Run the installed ``dictanote`` as a user would; a timeout is an outcome, not an error."""
        data = stdin.encode("utf-8", "surrogateescape") if isinstance(stdin, str) else stdin
        start = time.monotonic()
        try:
            done = subprocess.run(
                [EXE, *args], input=data, capture_output=True, env=env, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else ""
            err = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else ""
            return Ran(None, out, err, time.monotonic() - start)
        return Ran(
            done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"),
            time.monotonic() - start,
        )

    def expect_error(self, area: str, name: str, ran: Ran, codes: Sequence[int]) -> bool:
        """A case that must end in a one-line error with one of ``codes``."""
        severity, why = error_verdict(ran, codes)
        return self.tally.check(area, name, severity or "medium", severity is None, why)

    def expect_ok(self, area: str, name: str, ran: Ran, severity: Severity = "medium") -> bool:
        """A case that must succeed (exit 0, no traceback)."""
        ok = ran.code == 0 and "Traceback" not in ran.err
        return self.tally.check(area, name, severity, ok, ran.brief())


def dictation_of(env: dict[str, str]) -> Dictation:
    """The application core as the CLI builds it for this user."""
    from dictanote.app import Dictation
    from dictanote.core.config import load_config

    with environment(env):
        return Dictation(load_config())


def open_store(env: dict[str, str]) -> Store:
    """This user's store, opened in-process the way the CLI opens it (keys, passphrase, recovery)."""
    dictation = dictation_of(env)
    with environment(env):
        return dictation.open_store()


def save_text(env: dict[str, str], text: str, format_id: str = "soap", count: int = 1) -> list[int]:
    """Segment ``text`` and save it ``count`` times through the application core; the draft ids."""
    dictation = dictation_of(env)
    with environment(env):
        result = dictation.from_text(text, format_id)
        with dictation.open_store() as store:
            return [dictation.save(result, source="reliability", store=store).id for _ in range(count)]


def with_connection(env: dict[str, str], record: Record, act: Callable[[Any], None]) -> None:
    """Run ``act(conn)`` in one write transaction on a record's database file, as a local user with
    the store's keys and an SQLite shell would (triggers can be dropped, rows rewritten)."""
    store = open_store(env)
    try:
        with store.database(record).write() as conn:
            act(conn)
    finally:
        store.close()


def drop_triggers(conn: Any) -> None:
    """What an attacker does first: remove every guard trigger."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    for name in names:
        conn.execute(f'DROP TRIGGER "{name}"')


def table_dump(conn: Any) -> str:
    """Every row of every table, as text (what a decrypted database holds)."""
    out: list[str] = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        out.extend(repr(tuple(row)) for row in conn.execute(f'SELECT * FROM "{table}"'))
    return "\n".join(out)


def record_dump(env: dict[str, str], record: Record) -> str:
    """Every row of one record's database, read through the store's own connection."""
    store = open_store(env)
    try:
        with store.database(record).read() as conn:
            return table_dump(conn)
    finally:
        store.close()


def raw_files(*roots: Path) -> Iterator[tuple[Path, bytes]]:
    """Every regular file under ``roots``, with its bytes (WAL and SHM files included)."""
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            with contextlib.suppress(OSError):
                if path.is_file() and not path.is_symlink():
                    yield path, path.read_bytes()


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def thread_count(pid: int) -> int:
    """Threads of a process, from /proc."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


class LogTail:
    """A subprocess's stderr file, read from where the last look ended."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def new(self) -> str:
        """What was written since the last call."""
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except OSError:
            return ""
        self.offset += len(data)
        return data.decode("utf-8", "replace")

    def all(self) -> str:
        """Everything written so far."""
        return self.path.read_text(encoding="utf-8", errors="replace") if self.path.exists() else ""


# --- HTTP over a raw socket -----------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What came back on one connection: a status (None when nothing did), headers, body, or why not."""

    status: int | None
    headers: dict[str, str]
    body: bytes
    why: str = ""  # "closed", "reset" or "timeout" when there is no status

    def has_security_headers(self) -> bool:
        """Every header the review server must send with any answer."""
        return all(h in self.headers for h in SECURITY_HEADERS)

    def brief(self) -> str:
        """For a failure line."""
        if self.status is None:
            return f"no answer ({self.why})"
        return f"HTTP {self.status}: {self.body[:120]!r}"


def read_answer(sock: socket.socket, timeout: float) -> Answer:
    """One HTTP response from ``sock`` (up to its Content-Length), or why there was none."""
    data = b""
    deadline = time.monotonic() + timeout
    while True:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end].decode("latin-1").split("\r\n")
            match = re.match(r"HTTP/\d\.\d (\d{3})", head[0])
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if match and len(data) - head_end - 4 >= length:
                return Answer(int(match.group(1)), headers, data[head_end + 4 : head_end + 4 + length])
        left = deadline - time.monotonic()
        if left <= 0:
            return Answer(None, {}, data, "timeout")
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return Answer(None, {}, data, "timeout")
        except OSError:
            return Answer(None, {}, data, "reset")
        if not chunk:
            answered = re.match(rb"HTTP/\d\.\d (\d{3})", data)
            if answered:  # closed after an answer without Content-Length
                return Answer(int(answered.group(1)), {}, data)
            return Answer(None, {}, data, "closed")
        data += chunk


def exchange(port: int, data: bytes, timeout: float = 10.0, half_close: bool = False) -> Answer:
    """Send raw bytes to 127.0.0.1:port and read one answer."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError as exc:
        return Answer(None, {}, b"", f"connect failed: {exc}")
    with sock:
        with contextlib.suppress(OSError):  # the server may answer (and close) before it read it all
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        return read_answer(sock, timeout)


def tls_client_hello() -> bytes:
    """The first bytes a browser sends to an https:// address: a real TLS ClientHello."""
    context = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):
        tls.do_handshake()
    return outgoing.read()


class ReviewProc:
    """``dictanote review --no-browser`` as a subprocess, logged in like the user's browser."""

    def __init__(self, rig: Rig, env: dict[str, str]) -> None:
        self.log = LogTail(rig.base / "review-server.stderr")
        with self.log.path.open("wb") as err:
            self.proc = subprocess.Popen(
                [EXE, "-v", "review", "--no-browser"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
            )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline().decode() if ready else ""
        found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)", line)
        if not found:
            self.stop()
            raise RuntimeError(f"the review server printed no address: {self.log.all()[-600:]!r}")
        self.port, self.token = int(found.group(1)), found.group(2)
        self.cookie, self.csrf, self.login_error = "", "", ""
        try:
            self.cookie, self.csrf = self._login()
        except RuntimeError as exc:
            self.login_error = str(exc)

    @property
    def origin(self) -> str:
        """The Origin of the server's own pages."""
        return f"http://127.0.0.1:{self.port}"

    def _login(self) -> tuple[str, str]:
        first = exchange(self.port, self.build("GET", f"/?token={self.token}", auth=False))
        cookie = first.headers.get("set-cookie", "").split(";")[0]
        page = exchange(self.port, self.build("GET", "/", cookie=cookie))
        found = re.search(rb'name="dictanote-csrf" content="([^"]+)"', page.body)
        if first.status != 303 or not cookie or not found:
            raise RuntimeError(f"could not log in to the review page: {first.brief()} / {page.brief()}")
        return cookie, found.group(1).decode()

    def build(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        auth: bool = True,
        cookie: str | None = None,
        csrf: bool | None = None,
        extra: dict[str, str] | None = None,
        content_length: int | None = None,
    ) -> bytes:
        """One HTTP/1.1 request as the page's script sends it (or not, as the arguments say)."""
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if auth:
            headers["Cookie"] = cookie if cookie is not None else self.cookie
        if method not in ("GET", "HEAD") and (csrf if csrf is not None else auth):
            headers |= {"Origin": self.origin, "X-CSRF-Token": self.csrf}
        if body is not None:
            headers["Content-Type"] = "application/json"
            headers["Content-Length"] = str(len(body) if content_length is None else content_length)
        headers |= extra or {}
        lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        return "\r\n".join(lines).encode("latin-1", "replace") + (body or b"")

    def call(self, method: str, path: str, data: Any = None, timeout: float = 10.0) -> Answer:
        """An authenticated request, a JSON body when given."""
        body = None if data is None else json.dumps(data).encode()
        return exchange(self.port, self.build(method, path, body), timeout)

    def version(self, draft_id: int, record: str = "clinical") -> int | None:
        """A draft's current version, as the page reads it."""
        answer = self.call("GET", f"/api/{record}/drafts/{draft_id}")
        if answer.status != 200:
            return None
        return int(json.loads(answer.body)["version"])

    def alive(self) -> bool:
        """Still answering an authenticated request within 5 s."""
        return self.proc.poll() is None and self.call("GET", "/static/icon.svg", timeout=5).status == 200

    def stop(self) -> None:
        """Ctrl-C, then SIGKILL if it does not go."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


# --- random values ------------------------------------------------------------------------------

ALPHABETS = (
    "abcdefghijklmnopqrstuvwxyz ",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'\"-()[]{}/\\%&<>=+*#@$^`~|",
    "\x00\x07\x08\t\n\r\x0b\x0c\x1b\x7f\x85\x9b\u2028\u2029\u200b\u200d\u202e\ufeff",
    "éñüßøåçÑÉÜ",
    "Яустало東京日本語한국어שלוםمرحباनमस्तेΩμέγα",
    "😀👍🙂🌧❤️\U0001f3fd",
)


def rand_text(rng: random.Random, size: int) -> str:
    """Text drawn from several scripts, control characters and emoji."""
    return "".join(rng.choice(rng.choice(ALPHABETS)) for _ in range(size))


def rand_json(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value (huge numbers, lone surrogates, deep-ish nesting included)."""
    pick = rng.randrange(9 if depth < 4 else 6)
    if pick == 0:
        return None
    if pick == 1:
        return rng.random() < 0.5
    if pick == 2:
        return rng.choice(
            [0, -1, 1, 2**31, 2**63, -(2**64), 10 ** rng.randint(20, 4000)]
        )  # str() stops at 4,300 digits
    if pick == 3:
        return rng.choice([0.5, -1e308, 1e308, float("nan"), float("inf")])
    if pick == 4:
        return rand_text(rng, rng.choice([0, 1, 5, 40, 6000]))
    if pick == 5:
        return rng.choice(["\ud800", "a\udfffb", "1", "true", "null", "../../etc/passwd", "soap", ""])
    if pick == 6:
        return [rand_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["version", "fields", "session", "format", "kind", "signed_by", "id", "text", rand_text(rng, 4)]
    return {rng.choice(keys): rand_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def json_bytes(value: Any) -> bytes:
    """``value`` as the page would send it (lone surrogates escaped, NaN as JSON's NaN)."""
    return json.dumps(value).encode("utf-8")


# --- review server ------------------------------------------------------------------------------


def review_area(rig: Rig) -> None:
    """The review page as an attacker on this machine and a clumsy browser would reach it."""
    env = rig.home("review")
    config = Path(env["DICTANOTE_CONFIG_DIR"])
    (config / "templates").mkdir(parents=True, exist_ok=True)
    (config / "templates" / "dap.md.j2").write_text("{{ 1/0 }}\n", encoding="utf-8")
    ids = save_text(env, DICTATION, "soap", count=6)
    dap_id = save_text(env, "Data. Arrived on time. Plan. Meet weekly.", "dap")[0]
    evil = evil_format(rig.base / "outside")
    server = ReviewProc(rig, env)
    if server.login_error:
        server.stop()
        raise RuntimeError(server.login_error)
    try:
        _review_access(rig, server, ids[0])
        _review_hostile(rig, server, ids[0])
        _review_short_body(rig, server, ids[0])
        _review_broken_pipe(rig, server)
        _review_formats(rig, server, save_text(env, DICTATION, count=3), dap_id, evil, config)
        _review_fuzz(rig, server, env, ids)
        _review_damaged(rig, server, env, ids)
    except BaseException:
        server.stop()
        raise
    rig.finishers.append(_review_hold(rig, server))
    _review_broken_format(rig)


def evil_format(folder: Path) -> Path:
    """A valid format file outside every formats directory (what ``--format ../x`` would reach)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (SHIPPED_FORMATS / "soap.toml").read_text(encoding="utf-8")
    text = re.sub(r'^id = "soap"', 'id = "evil"', text, flags=re.M)
    text = re.sub(r"^label = .*$", 'label = "EVILFORMAT"', text, count=1, flags=re.M)
    (folder / "evil.toml").write_text(text, encoding="utf-8")
    return folder / "evil"


def _refused(rig: Rig, name: str, answer: Answer) -> None:
    check = rig.checker("review")
    if answer.status is not None and 200 <= answer.status < 400:
        check(name, "high", False, "let in: " + answer.brief())
    else:
        check(name, "medium", answer.status in (400, 403), answer.brief())


def _review_access(rig: Rig, srv: ReviewProc, draft_id: int) -> None:
    """The secret, Host, Origin and CSRF checks hold exactly as strict as before."""
    check = rig.checker("review")
    save = f"/api/clinical/drafts/{draft_id}/save"
    before = srv.version(draft_id)
    body = json_bytes({"version": before, "session": {"client": "XX"}})
    port = srv.port
    cases: list[tuple[str, bytes]] = [
        ("no cookie: inbox", srv.build("GET", "/", auth=False)),
        ("no cookie: draft API", srv.build("GET", f"/api/clinical/drafts/{draft_id}", auth=False)),
        ("no cookie: private draft page", srv.build("GET", f"/private/drafts/{draft_id}", auth=False)),
        ("wrong token", srv.build("GET", "/?token=" + srv.token[::-1], auth=False)),
        ("token in other case", srv.build("GET", "/?token=" + srv.token.swapcase(), auth=False)),
        (
            "cookie of another port",
            srv.build("GET", "/", cookie=srv.cookie.replace(str(port), str(port + 1))),
        ),
        ("DNS rebinding Host", srv.build("GET", "/", extra={"Host": f"evil.example:{port}"})),
        ("Host localhost.evil", srv.build("GET", "/", extra={"Host": f"localhost.evil:{port}"})),
        ("save without Origin", srv.build("POST", save, body, extra={"Origin": ""})),
        ("save from another Origin", srv.build("POST", save, body, extra={"Origin": "http://evil.example"})),
        ("save without CSRF token", srv.build("POST", save, body, csrf=False)),
        ("save with a wrong CSRF token", srv.build("POST", save, body, extra={"X-CSRF-Token": "x" * 43})),
        ("save without cookie", srv.build("POST", save, body, auth=False, csrf=True)),
    ]
    for name, request in cases:
        _refused(rig, f"access: {name}", exchange(port, request))
    after = srv.version(draft_id)
    check("access: refused saves changed nothing", "high", before == after, f"{before}->{after}")


def _hostile_requests(srv: ReviewProc, draft_id: int) -> list[tuple[str, bytes, tuple[int, ...]]]:
    """The issue's requests and their siblings, each with the statuses that are a proper answer."""
    save = f"/api/clinical/drafts/{draft_id}/save"
    host = f"Host: 127.0.0.1:{srv.port}\r\n"
    return [
        ("nested JSON body (100,000 '[')", srv.build("POST", save, b"[" * 100_000), (400, 413)),
        ("nested JSON objects", srv.build("POST", save, b'{"a":' * 50_000), (400, 413)),
        ("a 5,000-digit integer", srv.build("POST", save, b'{"version": ' + b"9" * 5000 + b"}"), (400,)),
        ("malformed request line", b"GARBAGE\r\n\r\n", (400,)),
        ("unknown HTTP version", f"GET / HTTP/9.9\r\n{host}\r\n".encode(), (400, 505)),
        ("70 KB URI", srv.build("GET", "/" + "a" * 70_000), (414, 400)),
        ("70 KB header", srv.build("GET", "/", extra={"X-Pad": "a" * 70_000}), (431, 400)),
        ("200 headers", srv.build("GET", "/", extra={f"X-H{i}": "1" for i in range(200)}), (431, 400)),
        ("TLS ClientHello", tls_client_hello(), (400,)),
        ("negative Content-Length", srv.build("POST", save, b"{}", content_length=-1), (400,)),
        (
            "Content-Length not a number",
            srv.build("POST", save, b"{}", extra={"Content-Length": "x"}),
            (400,),
        ),
        ("Content-Length 10^30", srv.build("POST", save, b"{}", content_length=10**30), (400, 413)),
        (
            "chunked body",
            srv.build("POST", save, b"2\r\n{}\r\n0\r\n\r\n", extra={"Transfer-Encoding": "chunked"}),
            (400, 411, 501),
        ),
        ("invalid UTF-8 body", srv.build("POST", save, b'{"version": "\xff\xfe"}'), (400,)),
        ("JSON array body", srv.build("POST", save, b"[]"), (400,)),
        ("NUL in the path", srv.build("GET", "/clinical/drafts/1%00"), (400, 404)),
        ("raw NUL in the request line", b"GET /\x00 HTTP/1.1\r\n" + host.encode() + b"\r\n", (400, 403, 404)),
        ("HTTP/1.0 without Host", b"GET / HTTP/1.0\r\n\r\n", (400, 403)),
        ("unknown method", srv.build("BREW", "/"), (400, 405, 501)),
        ("percent-encoded traversal", srv.build("GET", "/static/..%2f..%2fserver.py"), (400, 404)),
    ]


def _review_hostile(rig: Rig, srv: ReviewProc, draft_id: int) -> None:
    """Each request the issue lists gets a proper error answer or a clean close, never a traceback."""
    check = rig.checker("review")
    for name, request, statuses in _hostile_requests(srv, draft_id):
        answer = exchange(srv.port, request, timeout=15.0)
        trace = srv.log.new()
        proper = answer.status in statuses or (answer.status is None and answer.why in ("closed", "reset"))
        check(f"{name}: a proper error answer or a clean close", "medium", proper, answer.brief())
        check(f"{name}: no traceback", "medium", "Traceback" not in trace, trace[-300:])
        if answer.status is not None:
            ok = answer.has_security_headers()
            check(f"{name}: the answer carries the security headers", "medium", ok, str(answer.headers))
        check(f"{name}: the server still answers", "high", srv.alive(), "no answer afterwards")


def _review_short_body(rig: Rig, srv: ReviewProc, draft_id: int) -> None:
    """A body shorter than its Content-Length is refused, and nothing is saved."""
    check = rig.checker("review")
    before = srv.version(draft_id)
    body = json_bytes({"version": before, "session": {"client": "SB"}})
    request = srv.build("POST", f"/api/clinical/drafts/{draft_id}/save", body, content_length=len(body) + 100)
    answer = exchange(srv.port, request, timeout=15.0, half_close=True)
    refused = answer.status == 400 or (answer.status is None and answer.why in ("closed", "reset"))
    check("body shorter than Content-Length: refused", "medium", refused, answer.brief())
    after = srv.version(draft_id)
    check("body shorter than Content-Length: nothing saved", "medium", before == after, f"{before}->{after}")


def _review_broken_pipe(rig: Rig, srv: ReviewProc) -> None:
    """Browsers drop connections all the time: no traceback for it."""
    check = rig.checker("review")
    srv.log.new()
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.sendall(srv.build("GET", "/static/review.js"))
    time.sleep(1.0)
    trace = srv.log.new()
    quiet = "Traceback" not in trace and "BrokenPipe" not in trace
    check("dropped connections: no traceback", "medium", quiet, trace[-300:])


def _review_formats(rig: Rig, srv: ReviewProc, ids: list[int], dap_id: int, evil: Path, config: Path) -> None:
    """A format is an id, never a path; a user template that raises is an error message, not a crash."""
    check = rig.checker("review")
    relative = os.path.relpath(evil, config / "formats")
    targets = (("relative path", relative), ("absolute path", str(evil)), ("soap/../soap", "soap/../soap"))
    for draft_id, (label, target) in zip(ids, targets, strict=True):
        version = srv.version(draft_id)
        answer = srv.call(
            "POST", f"/api/clinical/drafts/{draft_id}/format", {"version": version, "format": target}
        )
        ok = answer.status in (400, 404) and b"EVILFORMAT" not in answer.body
        check(f"format switch to a {label}: refused, nothing read", "medium", ok, answer.brief())
        after = srv.version(draft_id)
        check(
            f"format switch to a {label}: the draft still opens unchanged",
            "high",
            after == version,
            f"{version}->{after}",
        )
    srv.log.new()
    answer = srv.call("GET", f"/clinical/drafts/{dap_id}")
    trace = srv.log.new()
    ok = answer.status is not None and CATCH_ALL not in answer.body and "Traceback" not in trace
    check("a user template that raises: a clear error, not 'Internal error'", "medium", ok, answer.brief())


def _review_broken_format(rig: Rig) -> None:
    """One broken user format file: every other page keeps working."""
    check = rig.checker("review")
    env = rig.home("review-broken-format")
    formats = Path(env["DICTANOTE_CONFIG_DIR"]) / "formats"
    formats.mkdir(parents=True, exist_ok=True)
    (formats / "broken.toml").write_text("id = 'broken'\nfields = [ this is not toml\n", encoding="utf-8")
    draft_id = save_text(env, DICTATION)[0]
    srv = ReviewProc(rig, env)
    try:
        check("a broken user format: the inbox opens", "medium", not srv.login_error, srv.login_error)
        page = (
            srv.call("GET", f"/clinical/drafts/{draft_id}")
            if not srv.login_error
            else Answer(None, {}, b"", "no login")
        )
        check("a broken user format: a draft page opens", "medium", page.status == 200, page.brief())
    finally:
        srv.stop()


FUZZ_METHODS = (
    "GET",
    "GET",
    "POST",
    "POST",
    "POST",
    "HEAD",
    "PUT",
    "DELETE",
    "PATCH",
    "OPTIONS",
    "TRACE",
    "BREW",
)


def _fuzz_path(rng: random.Random, ids: Sequence[int]) -> tuple[str, str]:
    """A path (and the kind of route it aims at) near the real routes."""
    rec = rng.choice(["clinical", "clinical", "private", "CLINICAL", "public", "..", ""])
    num = str(rng.choice([*ids, *ids, 0, -1, 10**12, 10**30, "abc", "1.0", "%31", "1/../2"]))
    action = rng.choice(["save", "save", "format", "finalize", "discard", "nope", "save/"])
    static = rng.choice(
        ["review.js", "review.css", "icon.svg", "../server.py", "..%2fserver.py", "x.js", "REVIEW.JS"]
    )
    junk = "".join(
        f"%{b:02X}" if rng.random() < 0.3 else chr(b)
        for b in rng.randbytes(rng.randint(1, 40))
        if 32 < b < 127
    )
    client = "".join(f"%{b:02X}" for b in rand_text(rng, rng.randint(0, 30)).encode("utf-8", "surrogatepass"))
    kinds = {
        "inbox": "/",
        "favicon": "/favicon.ico",
        "static": f"/static/{static}",
        "draft page": f"/{rec}/drafts/{num}",
        "notes page": f"/{rec}/notes",
        "note page": f"/{rec}/notes/{num}",
        "client page": f"/clients/{client}",
        "draft API": f"/api/{rec}/drafts/{num}",
        "draft action": f"/api/{rec}/drafts/{num}/{action}",
        "export": f"/api/{rec}/notes/{num}/export",
        "junk path": "/" + junk,
    }
    kind = rng.choice(sorted(kinds))
    path = kinds[kind]
    if rng.random() < 0.1:
        path += "?" + rng.choice(["token=", "token=x", "a=" + "b" * 3000, "%ff%fe", "x"])
    return kind, path


def _fuzz_edit(rng: random.Random, fields_: list[dict[str, Any]], version: int | None) -> Any:
    """An edit as the page sends it, with some of its parts broken."""
    body: dict[str, Any] = {"version": version if rng.random() < 0.8 else rand_json(rng)}
    chosen = json.loads(json.dumps(fields_))
    for _ in range(rng.randint(0, 3)):
        target = rng.choice(chosen)
        what = rng.randrange(6)
        if what == 0 and target["sentences"]:
            rng.choice(target["sentences"])["text"] = rand_text(rng, rng.choice([1, 30, 300, 6000]))
        elif what == 1:
            target["sentences"].append({"text": rand_text(rng, 20), rand_text(rng, 3): rand_json(rng)})
        elif what == 2 and target["sentences"]:
            rng.choice(chosen)["sentences"].append(target["sentences"].pop())
        elif what == 3:
            target[rng.choice(["sentences", "id", "text"])] = rand_json(rng)
        elif what == 4:
            chosen.append({"id": rand_text(rng, 5), "sentences": []})
        else:
            chosen.remove(target)
    if rng.random() < 0.9:
        body["fields"] = chosen
    if rng.random() < 0.5:
        facts = ["client", "date", "duration_minutes", "modality", "service_type", "risk", rand_text(rng, 4)]
        body["session"] = {rng.choice(facts): rand_json(rng) for _ in range(rng.randint(0, 3))}
    return body


def _review_fuzz(rig: Rig, srv: ReviewProc, env: dict[str, str], ids: list[int]) -> None:
    """Random requests near the real routes: never a 500, never in without the secret, edits stay readable."""
    from dictanote.core.codec import draft_to_dict

    check = rig.checker("review")
    rng = rig.rng("review")
    store = open_store(env)
    try:
        fields_ = draft_to_dict(store.get_draft(ids[0]).draft)["fields"]
    finally:
        store.close()
    editable = ids[:-1]  # the last one is for format switches
    for n in range(rig.scale(150, 1500)):
        kind, path = _fuzz_path(rng, ids)
        method = rng.choice(FUZZ_METHODS)
        auth = rng.random() < 0.8
        csrf = auth and rng.random() < 0.85
        body = None
        target = rng.choice(editable)
        if kind == "draft action" and path.endswith(("/save", "/format")) and auth and rng.random() < 0.7:
            path = (
                f"/api/clinical/drafts/{target if path.endswith('/save') else ids[-1]}/"
                + path.rsplit("/", 1)[1]
            )
            version = srv.version(target if path.endswith("/save") else ids[-1])
            if path.endswith("/save"):
                body = json_bytes(_fuzz_edit(rng, fields_, version))
            else:
                body = json_bytes(
                    {
                        "version": version,
                        "format": rng.choice(
                            [
                                "dap",
                                "birp",
                                "pie",
                                "soap",
                                "psychotherapy",
                                "nope",
                                "../soap",
                                rand_text(rng, 6),
                            ]
                        ),
                    }
                )
            method = "POST"
        elif method not in ("GET", "HEAD") or rng.random() < 0.05:
            value = rand_json(rng)
            if kind == "draft action" and isinstance(value, dict):
                value["version"] = rng.choice(["1", -1, None, 1.5])  # never a real finalize or discard
            body = json_bytes(value) if rng.random() < 0.9 else rng.randbytes(rng.randint(0, 200))
        request = srv.build(method, path, body, auth=auth, csrf=csrf)
        answer = exchange(srv.port, request, timeout=15.0)
        _fuzz_verdict(rig, srv, f"random {method} to {kind}", answer, auth, csrf, method)
        if (
            answer.status == 200
            and body is not None
            and path.startswith("/api/clinical/drafts/")
            and method == "POST"
        ):
            page = srv.call("GET", path.rsplit("/", 1)[0].replace("/api", "", 1))
            check(
                "an accepted edit leaves a draft that opens",
                "high",
                page.status == 200,
                f"{request[:300]!r} -> {page.brief()}",
            )
        if n % 100 == 99:
            check("still answering during random requests", "high", srv.alive(), f"after {n + 1}")
    listed = rig.cli("drafts", "list", env=env)
    rig.expect_ok("review", "the CLI still lists the inbox after random edits", listed, "high")


def _fuzz_verdict(
    rig: Rig, srv: ReviewProc, name: str, answer: Answer, auth: bool, csrf: bool, method: str
) -> None:
    """Never in without the secret (or a change without CSRF); never a 500 or a traceback."""
    check = rig.checker("review")
    trace = srv.log.new()
    admitted = auth and (csrf or method in ("GET", "HEAD"))
    if not admitted and answer.status is not None and 200 <= answer.status < 400:
        check(name + ": refused without the secret or CSRF", "high", False, answer.brief())
        return
    fine = answer.status is not None and answer.status != 500 and "Traceback" not in trace
    check(name, "medium", fine, answer.brief() + (" traceback" if "Traceback" in trace else ""))


def _review_damaged(rig: Rig, srv: ReviewProc, env: dict[str, str], ids: list[int]) -> None:
    """One damaged draft row: the inbox still opens and the other drafts too."""
    check = rig.checker("review")
    damaged = ids[1]

    def damage(conn: Any) -> None:
        drop_triggers(conn)
        conn.execute("UPDATE draft_revisions SET content = '{not json' WHERE draft_id = ?", (damaged,))

    with_connection(env, "clinical", damage)
    inbox = srv.call("GET", "/")
    check("a damaged draft: the inbox still opens", "medium", inbox.status == 200, inbox.brief())
    other = srv.call("GET", f"/clinical/drafts/{ids[2]}")
    check("a damaged draft: the other drafts open", "medium", other.status == 200, other.brief())
    own = srv.call("GET", f"/clinical/drafts/{damaged}")
    ok = own.status is not None and CATCH_ALL not in own.body
    check("a damaged draft: its page says so, not 'Internal error'", "medium", ok, own.brief())


def _review_hold(rig: Rig, srv: ReviewProc) -> Callable[[], None]:
    """Idle connections and a request trickling in: bounded threads now, closed by the end of the run."""
    check = rig.checker("review")
    count = rig.scale(100, 500)
    before = thread_count(srv.proc.pid)
    idle: list[socket.socket] = []
    for _ in range(count):
        with contextlib.suppress(OSError):
            idle.append(socket.create_connection(("127.0.0.1", srv.port), timeout=5))
    time.sleep(1.0)
    threads = thread_count(srv.proc.pid)
    bounded = threads - before <= min(64, count // 2)
    check(f"{count} idle connections hold few threads", "medium", bounded, f"{before} -> {threads} threads")
    probe = srv.call("GET", "/static/icon.svg", timeout=5)
    check(f"answers while {count} idle connections are open", "high", probe.status is not None, probe.brief())
    cut: list[float] = []
    opened = time.monotonic()
    trickle = threading.Thread(target=_trickle, args=(srv.port, f"127.0.0.1:{srv.port}", cut), daemon=True)
    trickle.start()

    def finish() -> None:
        wait_for(lambda: time.monotonic() - opened > 60 and not trickle.is_alive(), 65, 0.5)
        still = sum(1 for s in idle if not _closed_by_peer(s))
        check(
            "idle connections are closed by the server within 60 s",
            "medium",
            still == 0,
            f"{still} of {len(idle)} still open",
        )
        check(
            "a request trickling in byte by byte is cut off within 60 s",
            "medium",
            bool(cut),
            "still connected",
        )
        for s in idle:
            s.close()
        check("still answering at the end of the run", "high", srv.alive(), "no answer")
        trace = srv.log.all()
        check(
            "no traceback on the server's stderr over the whole run",
            "medium",
            "Traceback" not in trace,
            trace[trace.find("Traceback") :][:300],
        )
        srv.stop()

    return finish


def _trickle(port: int, host: str, cut: list[float], limit: float = 62.0) -> None:
    """Send a request's headers one byte every 2 s; record when the server hangs up."""
    start = time.monotonic()
    payload = f"GET / HTTP/1.1\r\nHost: {host}\r\n" + "X-Slow: " + "a" * 1000
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            for ch in payload:
                if time.monotonic() - start > limit:
                    return
                sock.sendall(ch.encode())
                readable, _, _ = select.select([sock], [], [], 2.0)
                if readable and not sock.recv(4096):
                    cut.append(time.monotonic() - start)
                    return
    except OSError:
        cut.append(time.monotonic() - start)


def _closed_by_peer(sock: socket.socket) -> bool:
    """Whether the server hung up (after an answer such as 408, or without one)."""
    while True:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        try:
            if sock.recv(65536) == b"":
                return True
        except OSError:
            return True


# --- daemon socket ------------------------------------------------------------------------------


class DaemonProc:
    """``dictanote daemon --no-capture`` (the socket and state machine; no microphone needed)."""

    def __init__(self, rig: Rig, env: dict[str, str], name: str = "daemon") -> None:
        self.env = env
        self.socket = Path(env["XDG_RUNTIME_DIR"]) / "dictanote" / "daemon.sock"
        self.log = LogTail(rig.base / f"{name}.stderr")
        with self.log.path.open("wb") as err:
            self.proc = subprocess.Popen(
                [EXE, "-v", "daemon", "--no-notify", "--no-capture"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
            )
        if not wait_for(lambda: self.proc.poll() is not None or self.ping(), 60, 0.1) or not self.ping():
            self.stop()
            raise RuntimeError(f"the daemon did not come up: {self.log.all()[-600:]!r}")

    def ping(self) -> bool:
        """Whether it answers a ping within a second."""
        from dictanote.daemon import ping

        return self.proc.poll() is None and ping(self.socket, timeout=1.0) is not None

    def stop(self) -> int | None:
        """SIGTERM, as systemd stops it; the exit code (None if it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                return None
        return self.proc.returncode


def unix_exchange(path: Path, data: bytes, timeout: float = 10.0) -> tuple[dict[str, Any] | None, str]:
    """Send raw bytes to the daemon's socket (then end the write side) and read its one reply line."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    with sock:
        try:
            sock.connect(str(path))
        except OSError as exc:
            return None, f"connect failed: {exc}"
        with contextlib.suppress(OSError):
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while b"\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            return None, "timeout"
        except OSError:
            return None, "reset"
    if not data:
        return None, "closed"
    try:
        reply = json.loads(data.split(b"\n", 1)[0])
    except ValueError:
        return None, f"not JSON: {data[:100]!r}"
    if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
        return None, f"not a reply: {data[:100]!r}"
    return reply, ""


DAEMON_HOSTILE: tuple[tuple[str, bytes, bool], ...] = (  # name, line, whether a close without a reply is fine
    ("empty line", b"\n", True),
    ("empty object", b"{}\n", False),
    ("a JSON array", b"[]\n", False),
    ("JSON null", b"null\n", False),
    ("a bare string", b'"status"\n', False),
    ("an unknown key", b'{"cmd":"status","x":1}\n', False),
    ("private as a string", b'{"cmd":"status","private":"yes"}\n', False),
    ("private on stop", b'{"cmd":"stop","private":true}\n', False),
    ("a 70 KB line", b'{"cmd":"' + b"A" * 70_000 + b'"}\n', True),
    ("invalid UTF-8", b"\xff\xfe\n", False),
    ("60,000 nested arrays", b"[" * 60_000 + b"\n", False),
    ("a 5,000-digit number", b'{"cmd":"status","private":' + b"9" * 5000 + b"}\n", False),
    ("NUL bytes", b'{"cmd":"status"}\x00\x00\n', False),
    ("an HTTP request", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", False),
    ("a TLS ClientHello", b"", False),  # filled in at run time
)


def daemon_area(rig: Rig) -> None:
    """The control socket as a flood of shortcuts, a confused program and a hostile local user reach it."""
    env = rig.home("daemon", runtime=True)
    daemon = DaemonProc(rig, env)
    try:
        _daemon_modes(rig, daemon)
        _daemon_hostile(rig, daemon)
        _daemon_fuzz(rig, daemon)
        _daemon_concurrency(rig, daemon, env)
        second = rig.cli("daemon", "--no-capture", "--no-notify", env=env, timeout=30)
        rig.expect_error("daemon", "a second daemon is refused", second, (6,))
    except BaseException:
        daemon.stop()
        raise
    rig.finishers.append(_daemon_hold(rig, daemon))
    _daemon_socket_path(rig)


def _daemon_modes(rig: Rig, daemon: DaemonProc) -> None:
    check = rig.checker("daemon")
    mode = stat.S_IMODE(daemon.socket.stat().st_mode)
    check("the socket is 0600", "medium", mode & 0o077 == 0, oct(mode))
    mode = stat.S_IMODE(daemon.socket.parent.stat().st_mode)
    check("the runtime directory is 0700", "medium", mode & 0o077 == 0, oct(mode))


def _daemon_hostile(rig: Rig, daemon: DaemonProc) -> None:
    check = rig.checker("daemon")
    for name, line, close_ok in DAEMON_HOSTILE:
        reply, why = unix_exchange(daemon.socket, line or tls_client_hello())
        trace = daemon.log.new()
        good = (reply is not None and (reply["ok"] is False or name == "NUL bytes")) or (
            close_ok and why == "closed"
        )
        check(f"{name}: an error reply", "medium", good, why or str(reply))
        check(f"{name}: no traceback in the log", "medium", "Traceback" not in trace, trace[-300:])
        check(f"{name}: the daemon still answers", "high", daemon.ping(), "no ping reply")


def _daemon_fuzz(rig: Rig, daemon: DaemonProc) -> None:
    check = rig.checker("daemon")
    rng = rig.rng("daemon")
    commands = ["start", "stop", "toggle", "cancel", "status", "ping", "STATUS", "", "quit"]
    for n in range(rig.scale(100, 1000)):
        if rng.random() < 0.6:
            value: Any = {
                rng.choice(["cmd", "cmd", "private", "x", "Cmd"]): rng.choice(
                    [rng.choice(commands), rand_json(rng)]
                )
                for _ in range(rng.randint(0, 3))
            }
            line = json.dumps(value).encode() + b"\n"
            kind = "random JSON request"
        else:
            line = rng.randbytes(rng.randint(0, 300)) + (b"\n" if rng.random() < 0.8 else b"")
            kind = "random bytes"
        reply, why = unix_exchange(daemon.socket, line)
        trace = daemon.log.new()
        ok = (
            reply is not None or (why == "closed" and not line.split(b"\n", 1)[0].strip())
        ) and "Traceback" not in trace
        check(kind, "medium", ok, f"{line[:80]!r}: {why or reply} {trace[-200:]}")
        if n % 100 == 99:
            check("still answering during random requests", "high", daemon.ping(), f"after {n + 1}")
    unix_exchange(daemon.socket, b'{"cmd":"cancel"}\n')


def _daemon_concurrency(rig: Rig, daemon: DaemonProc, env: dict[str, str]) -> None:
    """Forty shortcuts at once (the issue's case), then 200 clients in one burst."""
    from dictanote.daemon import Request, send

    check = rig.checker("daemon")
    for round_ in range(rig.scale(1, 3)):
        procs = [
            subprocess.Popen([EXE, "status"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(40)
        ]
        codes = [p.wait(60) for p in procs]
        for p in procs:
            assert p.stderr is not None
            p.stderr.close()
        failed = sum(1 for c in codes if c != 0)
        check(
            "40 concurrent `dictanote status` all succeed",
            "medium",
            failed == 0,
            f"round {round_ + 1}: {failed} of 40 failed",
        )
    barrier = threading.Barrier(200)
    failures: list[str] = []

    def client() -> None:
        barrier.wait(30)
        try:
            send(daemon.socket, Request("status"), timeout=20)
        except Exception as exc:
            failures.append(type(exc).__name__ + ": " + str(exc)[:80])

    workers = [threading.Thread(target=client) for _ in range(200)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    check(
        "200 clients connecting at once all get a reply",
        "medium",
        not failures,
        f"{len(failures)} failed: {failures[:1]}",
    )


def _daemon_hold(rig: Rig, daemon: DaemonProc) -> Callable[[], None]:
    """Idle connections and a request line trickling in: the daemon stays usable and drops them."""
    check = rig.checker("daemon")
    idle: list[socket.socket] = []
    for _ in range(rig.scale(100, 200)):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(daemon.socket))
            idle.append(sock)
        except OSError:
            sock.close()
    start = time.monotonic()
    status = rig.cli("status", env=daemon.env, timeout=10)
    rig.expect_ok(
        "daemon", f"`dictanote status` answers while {len(idle)} idle connections are open", status, "high"
    )
    cut: list[float] = []
    trickle = threading.Thread(target=_unix_trickle, args=(daemon.socket, cut), daemon=True)
    trickle.start()

    def finish() -> None:
        wait_for(lambda: time.monotonic() - start > 30 and not trickle.is_alive(), 40, 0.5)
        still = sum(1 for s in idle if not _closed_by_peer(s))
        check(
            "idle connections are dropped within 30 s",
            "medium",
            still == 0,
            f"{still} of {len(idle)} still open",
        )
        check(
            "a request line trickling in byte by byte is cut off within 30 s",
            "medium",
            bool(cut),
            "still connected",
        )
        for s in idle:
            s.close()
        check("still answering at the end of the run", "high", daemon.ping(), "no ping reply")
        code = daemon.stop()
        check("SIGTERM: exit 0", "medium", code == 0, f"exit {code}")
        check("SIGTERM: the socket is removed", "medium", not daemon.socket.exists(), "still there")
        log = daemon.log.all()
        check(
            "no traceback in the daemon's log over the whole run",
            "medium",
            "Traceback" not in log,
            log[log.find("Traceback") :][:300],
        )

    return finish


def _unix_trickle(path: Path, cut: list[float], limit: float = 32.0) -> None:
    """One byte of a request line per second, never the newline; record when the daemon hangs up."""
    start = time.monotonic()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
        while time.monotonic() - start < limit:
            sock.sendall(b" ")
            readable, _, _ = select.select([sock], [], [], 1.0)
            if readable:
                sock.recv(65536)
                cut.append(time.monotonic() - start)
                return
    except OSError:
        cut.append(time.monotonic() - start)
    finally:
        sock.close()


def _daemon_socket_path(rig: Rig) -> None:
    """Something other than a socket where the socket belongs."""
    env = rig.home("daemon-paths", runtime=True)
    where = Path(env["XDG_RUNTIME_DIR"]) / "dictanote"
    where.mkdir(mode=0o700)
    (where / "daemon.sock").mkdir()
    ran = rig.cli("status", env=env, timeout=20)
    rig.expect_error("daemon", "a directory at the socket path: `status`", ran, (6,))
    ran = rig.cli("daemon", "--no-capture", "--no-notify", env=env, timeout=30)
    rig.expect_error("daemon", "a directory at the socket path: `daemon`", ran, (6,))
    (where / "daemon.sock").rmdir()
    (where / "daemon.sock").write_text("not a socket\n")
    ran = rig.cli("status", env=env, timeout=20)
    rig.expect_error("daemon", "a regular file at the socket path: `status`", ran, (6,))


# --- store --------------------------------------------------------------------------------------


def pair_problems(env: dict[str, str]) -> tuple[list[str], int, int]:
    """Drafts whose partner is missing (every dictation here has a private note); the two counts."""
    store = open_store(env)
    try:
        clinical = store.list_drafts()
        private = store.list_drafts(private=True)
        ids = {d.id for d in clinical}
        problems = [
            f"clinical draft {d.id} has no private note" for d in clinical if store.companion_of(d.id) is None
        ]
        problems += [f"private draft {p.id} has no clinical draft" for p in private if p.companion not in ids]
        return problems, len(clinical), len(private)
    finally:
        store.close()


def store_area(rig: Rig) -> None:
    """The two database files under locks, kill -9, tampering, damage, concurrency and migration."""
    for locked in ("private", "clinical"):
        _store_locked(rig, locked)
    _store_kill(rig)
    _store_audit(rig)
    _store_damaged(rig)
    _store_garbage_files(rig)
    _store_concurrent(rig)
    _store_encrypt(rig)


def _store_locked(rig: Rig, locked: Record) -> None:
    """A save while another process holds one file's write lock: the pair whole or not at all, and the
    message true; a retry then gives exactly one more pair."""
    check = rig.checker("store")
    env = rig.home(f"store-lock-{locked}")
    save_text(env, DICTATION)
    store = open_store(env)
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with store.database(locked).write():
            held.set()
            release.wait(60)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    try:
        ran = rig.cli("segment", "-", "--save", env=env, stdin=DICTATION, timeout=30)  # busy wait: 5 s
    finally:
        release.set()
        thread.join(10)
        store.close()
    problems, clinical, private = pair_problems(env)
    name = f"{locked}.db locked during a save"
    check(
        f"{name}: the pair is saved whole or not at all", "high", not problems, f"{problems} ({ran.brief()})"
    )
    truthful = (ran.code == 0 and clinical == private == 2) or (ran.code == 4 and clinical == private == 1)
    check(
        f"{name}: the exit code says what happened",
        "high",
        truthful,
        f"{clinical} clinical, {private} private drafts; {ran.brief()}",
    )
    retry = rig.cli("segment", "-", "--save", env=env, stdin=DICTATION)
    problems, clinical, private = pair_problems(env)
    expected = 3 if ran.code == 0 else 2
    ok = retry.code == 0 and not problems and clinical == private == expected
    check(
        f"{name}: a retry adds exactly one pair",
        "high",
        ok,
        f"{clinical} clinical, {private} private; {problems}",
    )


def _wal_state(data: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for wal in data.glob("*-wal"):
        with contextlib.suppress(OSError):
            info = wal.stat()
            out[wal.name] = (info.st_size, info.st_mtime_ns)
    return out


def _store_kill(rig: Rig) -> None:
    """kill -9 right as a save writes (the first WAL write, plus a random few milliseconds)."""
    check = rig.checker("store")
    env = rig.home("store-kill")
    data = Path(env["DICTANOTE_HOME"])
    rng = rig.rng("store-kill")
    rig.cli("segment", "-", "--save", env=env, stdin=DICTATION)
    seen: set[str] = set()
    for round_ in range(rig.scale(5, 15)):
        before = _wal_state(data)
        proc = subprocess.Popen(
            [EXE, "segment", "-", "--save"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert proc.stdin is not None
        proc.stdin.write(DICTATION.encode())
        proc.stdin.close()

        def writing(before: dict[str, tuple[int, int]] = before, proc: Any = proc) -> bool:
            now = _wal_state(data)
            return proc.poll() is not None or any(v[0] > 0 and before.get(k) != v for k, v in now.items())

        wait_for(writing, 20, 0.001)
        time.sleep(rng.uniform(0, 0.02))  # the three commits of a save take 5-25 ms here
        proc.kill()
        proc.wait(10)
        problems = [p for p in pair_problems(env)[0] if p not in seen]  # this round's only
        seen.update(problems)
        check(
            "kill -9 during a save: every draft keeps its private note",
            "high",
            not problems,
            f"round {round_ + 1}: {problems[:2]}",
        )


def rechain(conn: Any, keep: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
    """Rewrite the audit log through ``keep`` and recompute its hash chain as the code before issue 12
    did (plain SHA-256, no key): what a local user with an SQLite shell can do."""
    rows = [
        dict(zip(r.keys(), tuple(r), strict=True)) for r in conn.execute("SELECT * FROM audit ORDER BY seq")
    ]
    drop_triggers(conn)
    conn.execute("DELETE FROM audit")
    prev, seq = "0" * 64, 0
    for original in rows:
        row = keep(original)
        if row is None:
            continue
        seq += 1
        payload = [prev, seq, row["at"], row["action"], row["object"], row["object_id"], row["detail"]]
        digest = hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()
        row |= {"seq": seq, "prev": prev, "hash": digest}
        names = list(row)
        conn.execute(
            f"INSERT INTO audit ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [row[n] for n in names],
        )
        prev = digest
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (f"{seq}:{prev}",),
    )


def _audited_home(rig: Rig, name: str) -> dict[str, str]:
    """Two dictations with private notes, one finalized, exported twice and amended."""
    env = rig.home(f"store-audit-{name}")
    dictation = dictation_of(env)
    with environment(env):
        result = dictation.from_text(DICTATION)
        with dictation.open_store() as store:
            first = dictation.save(result, store=store)
            dictation.save(result, store=store)
            note = store.finalize_draft(first.id, expected_version=first.version, signed_by="R. Tester")
            for kind in ("text", "markdown"):
                dictation.export(note.id, kind, store=store)
            store.amend_note(note.id, result.draft, reason="spelling", signed_by="R. Tester")
    return env


def _tampers() -> dict[str, tuple[Record, Callable[[Any], None]]]:
    """What a local user does to the files, and to which record."""

    def no_exports(conn: Any) -> None:
        rechain(conn, lambda r: None if r["action"] == "exported" else r)

    def backdate(conn: Any) -> None:
        rechain(conn, lambda r: {**r, "at": "2020-01-01T00:00:00Z"} if r["action"] == "finalized" else r)

    def rewrite_note(conn: Any) -> None:
        drop_triggers(conn)
        conn.execute(
            "UPDATE notes SET content = replace(content, 'weekly', 'monthly'), signed_by = 'Someone Else'"
        )

    def rewrite_amendment(conn: Any) -> None:
        drop_triggers(conn)
        conn.execute(
            "UPDATE amendments SET content = replace(content, 'weekly', 'never'), signed_by = 'Someone Else'"
        )

    def empty_log(conn: Any) -> None:
        drop_triggers(conn)
        conn.execute("DELETE FROM audit")
        conn.execute("DELETE FROM meta WHERE key LIKE 'audit%'")

    def drop_private_entry(conn: Any) -> None:
        drop_triggers(conn)
        conn.execute("DELETE FROM audit WHERE seq = (SELECT MIN(seq) FROM audit)")

    return {
        "exported entries deleted and the chain recomputed": ("clinical", no_exports),
        "finalized entry backdated and the chain recomputed": ("clinical", backdate),
        "a finalized note's text and signer rewritten": ("clinical", rewrite_note),
        "an amendment's text and signer rewritten": ("clinical", rewrite_amendment),
        "the log emptied while notes exist": ("clinical", empty_log),
        "an entry of private.db deleted (verify without --private)": ("private", drop_private_entry),
    }


def _store_audit(rig: Rig) -> None:
    """Tampering is detected by a plain `dictanote audit verify`; an untouched store verifies."""
    check = rig.checker("store")
    env = _audited_home(rig, "untouched")
    rig.expect_ok("store", "audit: an untouched store verifies", rig.cli("audit", "verify", env=env))
    for number, (name, (record, act)) in enumerate(_tampers().items()):
        env = _audited_home(rig, str(number))
        with_connection(env, record, act)
        ran = rig.cli("audit", "verify", env=env)
        if ran.code == 0:
            check(f"audit: {name}: detected", "high", False, "verify passed: " + ran.out.strip())
        else:
            rig.expect_error("store", f"audit: {name}: detected", ran, (4,))


def _store_damaged(rig: Rig) -> None:
    """One damaged draft row (disk trouble, a careless edit): the others stay usable; exit 4, one line."""
    check = rig.checker("store")
    env = rig.home("store-damaged")
    ids = save_text(env, DICTATION, count=4)
    broken = {ids[1]: "{not json", ids[2]: '{"format": 5, "fields": "x"}'}

    def damage(conn: Any) -> None:
        drop_triggers(conn)
        for draft_id, content in broken.items():
            conn.execute("UPDATE draft_revisions SET content = ? WHERE draft_id = ?", (content, draft_id))

    with_connection(env, "clinical", damage)
    listed = rig.cli("drafts", "list", env=env)
    rows = {int(m) for m in re.findall(r"^\s*(\d+)\s", listed.out, re.M)}
    ok = listed.code == 0 and {ids[0], ids[3]} <= rows
    check("damaged rows: `drafts list` shows the other drafts", "medium", ok, listed.brief())
    named = all(re.search(rf"\b{d}\b", listed.err) for d in broken)
    check("damaged rows: `drafts list` names the damaged ones", "low", named, listed.brief())
    as_json = rig.cli("drafts", "list", "--json", env=env)
    try:
        found = {r["id"] for r in json.loads(as_json.out)} if as_json.code == 0 else set()
    except ValueError:
        found = set()
    check(
        "damaged rows: `drafts list --json` shows the others",
        "medium",
        {ids[0], ids[3]} <= found,
        as_json.brief(),
    )
    rig.expect_error(
        "store",
        "damaged row (not JSON): `drafts show` exits 4",
        rig.cli("drafts", "show", str(ids[1]), env=env),
        (4,),
    )
    rig.expect_error(
        "store",
        "damaged row (wrong-shaped JSON): `drafts show` exits 4",
        rig.cli("drafts", "show", str(ids[2]), env=env),
        (4,),
    )
    rig.expect_ok(
        "store", "damaged rows: an intact draft still shows", rig.cli("drafts", "show", str(ids[0]), env=env)
    )


def _replace_with_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _store_garbage_files(rig: Rig) -> None:
    """Whole files damaged: a one-line exit 4, never a traceback."""
    rng = rig.rng("store-garbage")
    damages: tuple[tuple[str, Callable[[Path], object]], ...] = (
        ("clinical.db is random bytes", lambda p: p.write_bytes(rng.randbytes(8192))),
        ("clinical.db cut in half", lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])),
        ("private.db is random bytes", lambda p: p.with_name("private.db").write_bytes(rng.randbytes(8192))),
        ("clinical.db is a directory", _replace_with_directory),
    )
    for number, (name, make) in enumerate(damages):
        env = rig.home(f"store-garbage-{number}")
        save_text(env, DICTATION, count=3)
        data = Path(env["DICTANOTE_HOME"])
        for leftover in data.glob("*.db-*"):
            leftover.unlink()
        make(data / "clinical.db")
        rig.expect_error("store", f"{name}: `drafts list` exits 4", rig.cli("drafts", "list", env=env), (4,))


def _store_concurrent(rig: Rig) -> None:
    check = rig.checker("store")
    env = rig.home("store-concurrent")
    count = rig.scale(6, 10)
    procs = [
        subprocess.Popen(
            [EXE, "segment", "-", "--save"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(count)
    ]
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(DICTATION.encode())
        p.stdin.close()
    codes = [p.wait(120) for p in procs]
    for p in procs:
        assert p.stderr is not None
        p.stderr.close()
    check(f"{count} concurrent saves all succeed", "medium", all(c == 0 for c in codes), str(codes))
    problems, clinical, private = pair_problems(env)
    saved = codes.count(0)
    ok = not problems and clinical == private == saved
    check(
        f"{count} concurrent saves: every saved pair is there",
        "high",
        ok,
        f"{saved} saved, {clinical}/{private} found",
    )


PLAIN_HEADER = b"SQLite format 3\x00"


def plain_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` with store encryption switched off (whatever the setting is called), for a legacy store."""
    from dictanote.core.config import Settings

    names = [f.name for f in fields(Settings) if "encrypt" in f.name]
    return {**env, **{f"DICTANOTE_{n.upper()}": "false" for n in names}}


def is_plain(path: Path) -> bool:
    """Whether an SQLite file is readable without a key."""
    with contextlib.suppress(OSError), path.open("rb") as fh:
        return fh.read(16) == PLAIN_HEADER
    return False


def _plain_store(rig: Rig, name: str, count: int) -> tuple[dict[str, str], Path]:
    env = rig.home(name)
    save_text(plain_env(env), DICTATION, count=count)
    data = Path(env["DICTANOTE_HOME"])
    if not (is_plain(data / "clinical.db") and is_plain(data / "private.db")):
        raise RuntimeError("could not make a plain (legacy) store to migrate")
    return env, data


def _counts(rig: Rig, env: dict[str, str]) -> tuple[int, int]:
    """Drafts in the clinical and the private inbox, as the CLI lists them (-1: it failed)."""
    out = []
    for extra in ((), ("--private",)):
        ran = rig.cli("drafts", "list", "--json", *extra, env=env)
        try:
            out.append(len(json.loads(ran.out)) if ran.code == 0 else -1)
        except ValueError:
            out.append(-1)
    return out[0], out[1]


def _store_encrypt(rig: Rig) -> None:
    """`dictanote store encrypt` on a plain store: everything kept, files encrypted, even if killed."""
    check = rig.checker("store")
    count = rig.scale(40, 120)
    env, data = _plain_store(rig, "store-encrypt", count)
    start = time.monotonic()
    ran = rig.cli("store", "encrypt", env=env, timeout=300)
    took = time.monotonic() - start
    rig.expect_ok("store", "`store encrypt` migrates a plain store", ran)
    encrypted = not is_plain(data / "clinical.db") and not is_plain(data / "private.db")
    check("`store encrypt`: both files are encrypted afterwards", "high", encrypted, ran.brief())
    check(
        "`store encrypt`: every draft is kept",
        "high",
        _counts(rig, env) == (count, count),
        str(_counts(rig, env)),
    )
    rig.expect_ok(
        "store", "`store encrypt`: the audit log still verifies", rig.cli("audit", "verify", env=env)
    )
    rng = rig.rng("store-encrypt")
    for round_ in range(rig.scale(1, 3)):
        env, data = _plain_store(rig, f"store-encrypt-kill-{round_}", count)
        proc = subprocess.Popen(
            [EXE, "store", "encrypt"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        time.sleep(rng.uniform(0.2, max(0.4, took)))
        proc.kill()
        proc.wait(10)
        kept = _counts(rig, env)
        check(
            "`store encrypt` killed midway: every draft still opens",
            "high",
            kept == (count, count),
            f"round {round_ + 1}: {kept}",
        )
        again = rig.cli("store", "encrypt", env=env, timeout=300)
        done = again.code == 0 and not is_plain(data / "clinical.db") and _counts(rig, env) == (count, count)
        check("`store encrypt` killed midway: a rerun finishes the job", "high", done, again.brief())


# --- CLI ------------------------------------------------------------------------------------------

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def cli_area(rig: Rig) -> None:
    """Big, odd and wrong input to the commands: a one-line error with the documented exit code."""
    check = rig.checker("cli")
    env = rig.home("cli")
    _cli_bounds(rig, env)
    _cli_formats(rig)
    _cli_control_characters(rig)
    _cli_export_targets(rig)
    _cli_bad_input(rig, env)
    ran = rig.cli(
        "segment",
        "-",
        "--json",
        env=env,
        stdin="Subjective. Slept well. Private note. Felt tired. Plan. Meet weekly.",
    )
    try:
        findings = json.loads(ran.out)["findings"] if ran.code == 0 else []
    except (ValueError, KeyError):
        findings = []
    warned = any(
        f.get("severity") in ("warning", "error")
        and "private" in f.get("code", "")
        and f.get("code") not in ("record-in-private", "process-in-record")
        for f in findings
    )
    check(
        "'private note' without 'end private note': a warning on the draft",
        "medium",
        warned,
        str([f.get("code") for f in findings]),
    )


def _cli_bounds(rig: Rig, env: dict[str, str]) -> None:
    """Over a million characters, and deeply nested parentheses: bounded time, one line."""
    check = rig.checker("cli")
    huge = rig.cli("segment", "-", env=env, stdin="word " * 200_001, timeout=60)
    rig.expect_error("cli", "over 1,000,000 characters: exit 2", huge, (2,))
    for depth, limit in ((4_000, 5.0), (50_000, 10.0)):
        text = "Subjective. " + "(" * depth + "x" + ")" * depth + "."
        ran = rig.cli("segment", "-", env=env, stdin=text, timeout=limit * 3)
        ok = ran.code in (0, 2) and "Traceback" not in ran.err and ran.seconds <= limit
        check(f"{depth:,} nested parentheses: done within {limit:.0f} s", "medium", ok, ran.brief())


def _cli_formats(rig: Rig) -> None:
    """A format is an id, never a path; one broken user format or template does not break the rest."""
    check = rig.checker("cli")
    env = rig.home("cli-formats")
    config = Path(env["DICTANOTE_CONFIG_DIR"])
    evil = evil_format(rig.base / "outside-cli")
    text = "Subjective. Slept well. Plan. Meet weekly."
    for label, target in (
        ("relative path", os.path.relpath(evil, config / "formats")),
        ("absolute path", str(evil)),
        ("soap/../soap", "soap/../soap"),
    ):
        ran = rig.cli("segment", "-", "--format", target, env=env, stdin=text)
        if "EVILFORMAT" in ran.out:
            check(f"--format {label}: refused", "medium", False, "loaded the file outside: " + ran.brief())
        else:
            rig.expect_error("cli", f"--format {label}: refused", ran, (2,))
    (config / "formats").mkdir(parents=True, exist_ok=True)
    (config / "formats" / "broken.toml").write_text("id = 'broken'\nfields = [ nope\n", encoding="utf-8")
    listed = rig.cli("formats", env=env)
    ok = listed.code == 0 and "soap" in listed.out and "Traceback" not in listed.err
    check("a broken user format: `formats` lists the others", "medium", ok, listed.brief())
    check(
        "a broken user format: `formats` names it on stderr",
        "low",
        "broken.toml" in listed.err,
        listed.brief(),
    )
    rig.expect_ok(
        "cli",
        "a broken user format: `segment --format soap` works",
        rig.cli("segment", "-", env=env, stdin=text),
    )
    rig.expect_error(
        "cli",
        "a broken user format: asking for it exits 2",
        rig.cli("segment", "-", "--format", "broken", env=env, stdin=text),
        (2,),
    )
    (config / "templates").mkdir(parents=True, exist_ok=True)
    (config / "templates" / "soap.md.j2").write_text("{{ 1/0 }}\n", encoding="utf-8")
    ran = rig.cli("segment", "-", "--format", "soap", env=env, stdin=text)
    rig.expect_error("cli", "a user template that raises: exit 2", ran, (2,))


def _cli_control_characters(rig: Rig) -> None:
    """ESC, OSC, CSI, BEL and C1 controls in dictated text and in client initials never reach the terminal."""
    check = rig.checker("cli")
    env = rig.home("cli-control")
    text = "Subjective. She said \x1b]0;pwned\x07 hello \x1b[2J there\x9b31m. Plan. Meet\x08\x08 weekly."
    draft_id = save_text(env, text)[0]
    store = open_store(env)
    try:
        stored = store.get_draft(draft_id)
        session = replace(stored.draft.session, client="J\x1b[31mT\x07")
        store.update_draft(draft_id, replace(stored.draft, session=session), expected_version=stored.version)
    finally:
        store.close()
    finalized = save_text(env, text)[0]
    rig.cli("drafts", "finalize", str(finalized), "--yes", "--signed-by", "R\x1b[5mT", env=env)
    for args in (
        ("drafts", "list"),
        ("drafts", "show", str(draft_id)),
        ("drafts", "list", "--json"),
        ("drafts", "show", str(draft_id), "--json"),
        ("notes", "list"),
        ("notes", "show", "1"),
    ):
        ran = rig.cli(*args, env=env)
        raw = sorted({f"\\x{ord(c):02x}" for c in CONTROL.findall(ran.out)})
        ok = ran.code == 0 and not raw
        check(
            f"control characters: `{' '.join(args)}` prints none raw", "medium", ok, f"{raw}; {ran.brief()}"
        )


def _cli_export_targets(rig: Rig) -> None:
    """`notes export -o PATH` never replaces something that is not a regular file; exports are 0600."""
    check = rig.checker("cli")
    env = rig.home("cli-export")
    draft_id = save_text(env, DICTATION)[0]
    rig.cli("drafts", "finalize", str(draft_id), "--yes", "--signed-by", "R. Tester", env=env)
    where = rig.base / "export-targets"
    where.mkdir()
    fifo, link, sock_path, folder = where / "fifo", where / "link", where / "sock", where / "dir"
    os.mkfifo(fifo)
    link.symlink_to("/dev/null")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(sock_path))
    folder.mkdir()
    try:
        for name, target, kind in (
            ("a FIFO", fifo, stat.S_ISFIFO),
            ("a symlink to /dev/null", link, stat.S_ISLNK),
            ("a socket", sock_path, stat.S_ISSOCK),
            ("a directory", folder, stat.S_ISDIR),
        ):
            ran = rig.cli("notes", "export", "1", "--as", "text", "-o", str(target), env=env, timeout=20)
            rig.expect_error("cli", f"export onto {name}: refused", ran, (2,))
            kept = kind(target.lstat().st_mode) if target.exists() or target.is_symlink() else False
            check(f"export onto {name}: left as it was", "medium", kept, "replaced")
    finally:
        listener.close()
    out = where / "note.txt"
    ran = rig.cli("notes", "export", "1", "--as", "text", "-o", str(out), env=env)
    mode = stat.S_IMODE(out.stat().st_mode) if out.exists() else -1
    check("an export file is 0600", "medium", ran.code == 0 and mode == 0o600, f"{oct(mode)}; {ran.brief()}")


def _cli_bad_input(rig: Rig, env: dict[str, str]) -> None:
    """The careless user's table: each a one-line error with its exit code."""
    rng = rig.rng("cli")
    scratch = rig.base / "cli-files"
    scratch.mkdir()
    binary = scratch / "binary.txt"
    binary.write_bytes(rng.randbytes(4096))
    text_as_audio = scratch / "notes.wav"
    text_as_audio.write_text("this is not audio\n")
    empty = scratch / "empty.flac"
    empty.write_bytes(b"")
    a_file = scratch / "a-file"
    a_file.write_text("x")
    save_text(env, DICTATION)
    cases: list[tuple[str, tuple[str, ...], bytes | None, tuple[int, ...]]] = [
        ("segment a missing file", ("segment", str(scratch / "nope.txt")), None, (2,)),
        ("segment a directory", ("segment", str(scratch)), None, (2,)),
        ("segment a binary file", ("segment", str(binary)), None, (2,)),
        ("segment invalid UTF-8 on stdin", ("segment", "-"), b"Subjective. \xff\xfe\xfd.", (2,)),
        ("segment an unknown format", ("segment", "-", "--format", "nope"), b"Plan. X.", (2,)),
        ("draft a missing file", ("draft", str(scratch / "nope.wav")), None, (2,)),
        ("draft a text file named .wav", ("draft", str(text_as_audio)), None, (2,)),
        ("transcribe an empty file", ("transcribe", str(empty)), None, (2,)),
        ("show a draft that does not exist", ("drafts", "show", "999"), None, (2,)),
        ("show draft -1", ("drafts", "show", "-1"), None, (2,)),
        ("show a 25-digit draft id", ("drafts", "show", "9" * 25), None, (2,)),
        ("show a 25-digit note id", ("notes", "show", "9" * 25), None, (2,)),
        ("export a 25-digit note id", ("notes", "export", "9" * 25, "--as", "text"), None, (2,)),
        ("export an unknown kind", ("notes", "export", "1", "--as", "bogus"), None, (2,)),
        ("finalize with nobody signing", ("drafts", "finalize", "1", "--yes"), None, (2,)),
        ("edit from a missing file", ("drafts", "edit", "1", "--file", str(scratch / "nope.md")), None, (2,)),
        ("edit from a binary file", ("drafts", "edit", "1", "--file", str(binary)), None, (2,)),
        ("--data-dir is a file", ("--data-dir", str(a_file), "drafts", "list"), None, (2, 4)),
        ("--data-dir under a file", ("--data-dir", str(a_file / "sub"), "drafts", "list"), None, (2, 4)),
        ("an unknown command", ("frobnicate",), None, (2,)),
        ("audit verify of a missing note id filter", ("audit", "log", "--json", "--nope"), None, (2,)),
    ]
    for name, args, stdin, codes in cases:
        rig.expect_error("cli", name, rig.cli(*args, env=env, stdin=stdin, timeout=60), codes)


# --- segmenter ----------------------------------------------------------------------------------

UNICODE_WORDS = [
    "Я",
    "устал東京",
    "日本語",
    "Ñandú",
    "café",
    "naïve",
    "Zoë",
    "São",
    "Łódź",
    "straße",
    "Ωμέγα",
    "مرحبا",
    "שלום",
    "नमस्ते",
    "한국어",
    "😀",
    "👍",
    "🌧",
]
ABBREVIATIONS = ("a.m.", "p.m.", "e.g.", "i.e.", "b.i.d.", "q.i.d.", "p.r.n.")
ABBREVIATION_SENTENCES = (
    "In {a} hours she feels anxious.",
    "For {a} appointments she arrives late.",
    "Under {a} the plan she agreed.",
    "She walks {a} most days.",
    "Evening {a} routines help.",
)
PRIVATE_WORDS = [
    "velvetcrumpet",
    "rescuer",
    "fantasy",
    "envy",
    "boredom",
    "reenactment",
    "mirroring",
    "longing",
    "irritation",
]
TOKEN = re.compile(r"[^\W_]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]")


def tokens(text: str) -> list[str]:
    """The words of a text in any script, emoji included, abbreviation dots dropped, case folded."""
    text = unicodedata.normalize("NFC", text)
    while True:
        joined = re.sub(r"\b(\w)\.(?=\w\b)", r"\1", text)
        if joined == text:
            break
        text = joined
    return sorted(t.casefold() for t in TOKEN.findall(text))


def _sentence(rng: random.Random, words: Sequence[str]) -> str:
    picked = [rng.choice(words) for _ in range(rng.randint(1, 8))]
    text = " ".join(picked)
    return text[:1].upper() + text[1:] + "."


def segmenter_area(rig: Rig) -> None:
    """Random dictations (fixed seed) through the real segmenter: nothing lost, nothing private leaks."""
    env = rig.home("segmenter")
    dictation = dictation_of(env)
    rng = rig.rng("segmenter")
    with environment(env):
        cues = _cues(dictation)
        _segment_issue_cases(rig, dictation)
        for _ in range(rig.scale(100, 1000)):
            _segment_random(rig, dictation, rng, cues)
        for _ in range(rig.scale(40, 400)):
            _segment_private(rig, dictation, rng)
        _segment_abbreviations(rig, dictation, cues)
        _segment_pathological(rig, dictation)


def _cues(dictation: Dictation) -> dict[str, list[str]]:
    """Each clinical format's spoken headers as a sentence ("Plan.", "P."), by format."""
    out = {}
    for fmt_id in ("soap", "dap", "birp", "girp", "pie", "progress"):
        fmt = dictation.format(fmt_id)
        out[fmt_id] = [c[:1].upper() + c[1:] + "." for f in fmt.fields for c in f.cues]
    return out


def _drafted(dictation: Dictation, text: str, format_id: str) -> tuple[Any, str]:
    """The draft of ``text``, or None and why the segmenter failed."""
    from dictanote.core.errors import DictanoteError

    try:
        return dictation.from_text(text, format_id), ""
    except DictanoteError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    except Exception as exc:
        return None, f"crash {type(exc).__name__}: {exc}"


def _placed(draft: Any) -> str:
    """Every sentence placed in the draft's fields."""
    return " ".join(s.text for f in draft.fields for s in f.sentences)


def _segment_random(rig: Rig, dictation: Dictation, rng: random.Random, cues: dict[str, list[str]]) -> None:
    check = rig.checker("segmenter")
    format_id = rng.choice(sorted(cues))
    parts, content = [], []
    for _ in range(rng.randint(1, 10)):
        if rng.random() < 0.3:
            parts.append(rng.choice(cues[format_id]))
        words = rng.choice([PLAIN_WORDS, PLAIN_WORDS + UNICODE_WORDS, UNICODE_WORDS])
        sentence = _sentence(rng, words)
        if rng.random() < 0.15:
            sentence = rng.choice(ABBREVIATION_SENTENCES).format(a=rng.choice(ABBREVIATIONS))
        parts.append(sentence)
        content.append(sentence)
        if rng.random() < 0.1:
            parts.append("New paragraph.")
    text = " ".join(parts)
    result, why = _drafted(dictation, text, format_id)
    if result is None:
        check("random dictation: segmented", "medium", False, f"{why} for {text[:200]!r}")
        return
    got, want = tokens(_placed(result.draft)), tokens(" ".join(content))
    lost = sorted((Counter(want) - Counter(got)).elements())
    extra = sorted((Counter(got) - Counter(want)).elements())
    script = "unicode" if any(not w.isascii() for w in content) else "ascii"
    check(f"random {script} dictation: nothing lost", "high", not lost, f"lost {lost[:6]} in {text[:200]!r}")
    why = f"added {extra[:6]} (a spoken header or command kept as text?) in {text[:200]!r}"
    check(f"random {script} dictation: nothing added or duplicated", "medium", not extra, why)


def _segment_issue_cases(rig: Rig, dictation: Dictation) -> None:
    """The issue's own examples, each in its format."""
    check = rig.checker("segmenter")
    for text, format_id in (
        ("Subjective. Я устал.", "soap"),
        ("Subjective. 東京.", "soap"),
        ("Subjective. Ñandú.", "soap"),
        ("Subjective. 😀.", "soap"),
        ("Subjective. 😀 👍", "soap"),
        ("In p.m. hours she feels anxious.", "soap"),
        ("For a.m. appointments she arrives late.", "soap"),
        ("Under e.g. the plan she agreed.", "pie"),
    ):
        result, why = _drafted(dictation, text, format_id)
        placed = _placed(result.draft) if result else ""
        want = tokens(text.removeprefix("Subjective."))  # the spoken header is not text
        check(
            f"issue example {text!r}: nothing lost",
            "high",
            result is not None and tokens(placed) == want,
            why or f"placed {placed!r}",
        )


def _segment_abbreviations(rig: Rig, dictation: Dictation, cues: dict[str, list[str]]) -> None:
    """One-letter cues inside abbreviations are text: kept whole, never taken for a spoken header."""
    check = rig.checker("segmenter")
    for format_id in sorted(cues):
        for template in ABBREVIATION_SENTENCES:
            for abbreviation in ABBREVIATIONS:
                text = template.format(a=abbreviation)
                result, why = _drafted(dictation, text, format_id)
                if result is None:
                    check("abbreviation: segmented", "medium", False, why)
                    continue
                placed = _placed(result.draft)
                check(
                    "abbreviation with a one-letter cue: nothing lost",
                    "high",
                    tokens(placed) == tokens(text),
                    f"{format_id}: {text!r} -> {placed!r}",
                )
                headed = [
                    s.text for f in result.draft.fields for s in f.sentences if s.origin == "spoken_header"
                ]
                check(
                    "abbreviation with a one-letter cue: not a spoken header",
                    "medium",
                    not headed,
                    f"{format_id}: {text!r} -> {headed}",
                )


def _segment_private(rig: Rig, dictation: Dictation, rng: random.Random) -> None:
    """Private spans anywhere: their words only in the private note, all of them there."""
    from dictanote.core.codec import draft_to_dict

    check = rig.checker("segmenter")
    closed = rng.random() < 0.85
    parts, clinical, private = ["Subjective."], [], []
    for _ in range(rng.randint(1, 2) if closed else 1):
        before = [_sentence(rng, PLAIN_WORDS) for _ in range(rng.randint(0, 3))]
        block = [_sentence(rng, PRIVATE_WORDS) for _ in range(rng.randint(1, 3))]
        clinical += before
        private += block
        parts += [*before, rng.choice(["Private note.", "Psychotherapy note."]), *block]
        if closed:
            parts.append(rng.choice(["End private note.", "End psychotherapy note."]))
    if closed:
        tail = [_sentence(rng, PLAIN_WORDS) for _ in range(rng.randint(0, 2))]
        clinical += tail
        parts += tail
    text = " ".join(parts)
    result, why = _drafted(dictation, text, "soap")
    if result is None:
        check("private span: segmented", "medium", False, why)
        return
    record = draft_to_dict(result.draft)
    record.pop("private", None)
    record_text = json.dumps(record, ensure_ascii=False) + " ".join(f.message for f in result.findings)
    leaked = sorted({w for w in PRIVATE_WORDS if w in record_text.lower()})
    check(
        "private span: no private word in the clinical draft",
        "high",
        not leaked,
        f"{leaked} in the clinical draft of {text[:200]!r}",
    )
    kept = _placed(result.draft.private) if result.draft.private is not None else ""
    lost = sorted((Counter(tokens(" ".join(private))) - Counter(tokens(kept))).elements())
    check(
        "private span: every private word in the private note",
        "high",
        not lost,
        f"lost {lost[:5]} of {text[:200]!r}",
    )
    lost = sorted((Counter(tokens(" ".join(clinical))) - Counter(tokens(_placed(result.draft)))).elements())
    check(
        "private span: every clinical word stays in the clinical draft",
        "high",
        not lost,
        f"lost {lost[:5]} of {text[:200]!r}",
    )
    if not closed:
        warned = any(
            f.severity in ("warning", "error")
            and "private" in f.code
            and f.code not in ("record-in-private", "process-in-record")
            for f in result.findings
        )
        check("private note never ended: a warning", "medium", warned, str([f.code for f in result.findings]))


def _segment_pathological(rig: Rig, dictation: Dictation) -> None:
    """Odd but legal input: an error the user can read, never a crash."""
    check = rig.checker("segmenter")
    cases = {
        "empty": "",
        "whitespace": " \n\t ",
        "only dots": "." * 2000,
        "only headers": "Plan. Subjective. Objective. " * 200,
        "private note 300 times": "Private note. " * 300,
        "end private note first": "End private note. Plan. Meet weekly.",
        "scratch that 500 times": "Scratch that. " * 500,
        "control characters": "Subjective. a\x00b\x1b[2J\x07c\x08. Plan. \x7f\x9b.",
        "right-to-left override": "Subjective. \u202eevil\u202c text. Plan. \u200b\u200d.",
        "a 20,000-letter word": "Subjective. " + "a" * 20_000 + ".",
        "a 5,000-word sentence": "Subjective. " + " ".join(["word"] * 5000) + ".",
        "combining marks": "Subjective. e\u0301\u0301\u0301 a\u0308.",
        "lone surrogate": "Subjective. a\ud800b.",
        "300 nested parentheses": "Subjective. " + "(" * 300 + "x" + ")" * 300 + ".",
    }
    for name, text in cases.items():
        start = time.monotonic()
        _, why = _drafted(dictation, text, "soap")
        took = time.monotonic() - start
        ok = not why.startswith("crash") and took < 10
        check(f"odd input ({name}): no crash", "medium", ok, f"{why} ({took:.1f} s)")


# --- config, format, vocabulary and template files ------------------------------------------------

JINJA_SNIPPETS = (
    "{{ 1/0 }}",
    "{{ draft.nope.nope }}",
    "{% for x in 5 %}{% endfor %}",
    "{% include 'missing.j2' %}",
    "{% extends 'nope.j2' %}",
    "{{ x | nofilter }}",
    "{% if %}",
    "{{",
    "}}",
    "{% raw %}",
    "{{ draft }}",
    "{{ '%d' % 'x' }}",
    "{{ [1][5] }}",
    "{{ {}['k'] }}",
    "{% include '../../../../etc/hostname' %}",
    "{{ self }}",
    "{% set x = 10**100 %}{{ x * x }}",
    '{{ "\\x1b[2J" }}',
    "{% for f in draft.fields %}{{ f.label }}{% endfor %}",
    "{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}",
)


def rand_toml_value(rng: random.Random, depth: int = 0) -> str:
    """A TOML value, often an odd or broken one."""
    pick = rng.randrange(12 if depth < 3 else 5)
    if pick == 0:
        return json.dumps(rand_text(rng, rng.choice([0, 3, 30, 3000])))
    if pick == 1:
        return rng.choice(
            ["0", "-1", "1", "9" * 5000, "-0", "0x1F", "1_000", "2147483648", "99999999999999999999"]
        )
    if pick == 2:
        return rng.choice(["nan", "inf", "-inf", "1e400", "3.14", "-0.0"])
    if pick == 3:
        return rng.choice(["true", "false", "True", "yes"])
    if pick == 4:
        return rng.choice(
            ["1979-05-27T07:32:00Z", "07:32:00", "1979-05-27", "'soap'", "'../../etc/passwd'", '"tiny.en"']
        )
    if pick == 5:
        return "[" + ", ".join(rand_toml_value(rng, depth + 1) for _ in range(rng.randint(0, 4))) + "]"
    if pick == 6:
        return (
            "{ "
            + ", ".join(f"k{i} = {rand_toml_value(rng, depth + 1)}" for i in range(rng.randint(0, 3)))
            + " }"
        )
    if pick == 7:
        k = rng.choice([10, 1000, 5000])
        return "[" * k + "]" * k
    if pick == 8:
        return '"""' + rand_text(rng, 40) + '"""'
    if pick == 9:
        return "'" + rand_text(rng, 20).replace("'", "") + "'"
    if pick == 10:
        return rng.choice(['"unterminated', "[1, 2", "{a=", "=", "", '"\\ud800"', '"\\q"'])
    return rng.randbytes(12).decode("latin-1")


def rand_toml(rng: random.Random, keys: Sequence[str], base: str = "") -> bytes:
    """A TOML file: ``base`` mutated, or random ``key = value`` lines; sometimes broken as bytes."""
    lines = base.splitlines() or [f"{rng.choice(keys)} = {rand_toml_value(rng)}"]
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(lines) + 1)
        what = rng.randrange(6)
        if what == 0 and at < len(lines) and "=" in lines[at]:
            key = lines[at].split("=", 1)[0]
            lines[at] = f"{key}= {rand_toml_value(rng)}"
        elif what == 1 and at < len(lines):
            del lines[at]
        elif what == 2 and at < len(lines):
            lines.insert(at, lines[at])
        elif what == 3:
            lines.insert(
                at,
                f"{rng.choice([*keys, 'unknown', '', 'a.b', '[table]', '[[arr]]'])} = {rand_toml_value(rng)}",
            )
        else:
            lines.insert(at, rng.choice(["[x]", "[[fields]]", "[fields]", "# comment \x00", "\ufeff", "]]"]))
    data = "\n".join(lines).encode("utf-8", "surrogateescape")
    if rng.random() < 0.1:
        cut = rng.randrange(len(data) + 1)
        data = data[:cut] + rng.choice([b"\xff\xfe", b"\x00", b"\xef\xbb\xbf", b""]) + data[cut:]
    return data


def _probe(rig: Rig, name: str, act: Callable[[], object], shown: bytes) -> None:
    """``act`` either works or raises one of dictanote's errors (a one-line message, exit 2)."""
    from dictanote.core.errors import DictanoteError

    check = rig.checker("config")
    try:
        act()
    except DictanoteError:
        pass
    except Exception as exc:
        check(name, "medium", False, f"{type(exc).__name__}: {str(exc)[:100]} for {shown[:160]!r}")
        return
    check(name, "medium", True)


def config_area(rig: Rig) -> None:
    """Random and broken settings, format, vocabulary and template files, read in-process and by the CLI."""
    from dictanote.app import Dictation
    from dictanote.core.config import Settings, load_config
    from dictanote.core.formats import list_formats, load_format
    from dictanote.core.vocabulary import load_vocabulary

    rng = rig.rng("config")
    soap = (SHIPPED_FORMATS / "soap.toml").read_text(encoding="utf-8")
    settings = [f.name for f in fields(Settings)]
    text = "Subjective. Slept well. Plan. Meet weekly."
    for n in range(rig.scale(40, 400)):
        folder = rig.base / "config-fuzz" / str(n)
        (folder / "formats").mkdir(parents=True)
        (folder / "templates").mkdir()
        env = {**rig.env, "DICTANOTE_CONFIG_DIR": str(folder), "DICTANOTE_HOME": str(folder / "data")}
        (folder / "config.toml").write_bytes(data := rand_toml(rng, settings))
        _probe(rig, "random config.toml", functools.partial(load_config, environ=env), data)
        (folder / "config.toml").unlink()
        paths = load_config(environ=env).paths
        (folder / "formats" / "soap.toml").write_bytes(
            data := rand_toml(rng, ["id", "label", "cues", "roles"], soap)
        )

        def use_format(env: dict[str, str] = env, paths: Any = paths) -> None:
            load_format("soap", paths)
            dictation = Dictation(load_config(environ=env))
            dictation.render(dictation.from_text(text, "soap").draft)

        _probe(rig, "mutated format file", use_format, data)
        _probe(rig, "mutated format file: listing the formats", functools.partial(list_formats, paths), data)
        (folder / "formats" / "soap.toml").unlink()
        (folder / "vocabulary.toml").write_bytes(data := rand_toml(rng, ["terms", "replace", "[replace]"]))

        def use_vocabulary(env: dict[str, str] = env, paths: Any = paths) -> None:
            load_vocabulary(paths)
            Dictation(load_config(environ=env)).from_text(text, "soap")

        _probe(rig, "random vocabulary.toml", use_vocabulary, data)
        (folder / "vocabulary.toml").unlink()
        snippet = "".join(rng.choice(JINJA_SNIPPETS) for _ in range(rng.randint(1, 3)))
        (folder / "templates" / "soap.md.j2").write_text(snippet, encoding="utf-8")

        def use_template(env: dict[str, str] = env) -> None:
            dictation = Dictation(load_config(environ=env))
            dictation.render(dictation.from_text(text, "soap").draft)

        _probe(rig, "random user template", use_template, snippet.encode())
    _config_cli(rig)


def _config_cli(rig: Rig) -> None:
    """The same mistakes through the CLI: exit 2 and one line."""
    env = rig.home("config-cli")
    config = Path(env["DICTANOTE_CONFIG_DIR"]) / "config.toml"
    text = "Subjective. Slept well. Plan. Meet weekly."
    for name, content in (
        ("deeply nested arrays", b"beam_size = " + b"[" * 5000 + b"]" * 5000),
        ("invalid UTF-8", b"model = '\xff\xfe'"),
        ("a NUL byte", b"model = 'tiny.en'\x00"),
        ("a wrong type", b'beam_size = "five"'),
        ("an unknown key", b"colour = 'blue'"),
        ("a 5,000-digit number", b"beam_size = " + b"9" * 5000),
        ("not TOML", b"[[[\n"),
    ):
        config.write_bytes(content)
        rig.expect_error(
            "config",
            f"config.toml with {name}: `config show` exits 2",
            rig.cli("config", "show", env=env),
            (2,),
        )
        rig.expect_error(
            "config",
            f"config.toml with {name}: `segment` exits 2",
            rig.cli("segment", "-", env=env, stdin=text),
            (2,),
        )
    config.unlink()
    for variable, value in (
        ("DICTANOTE_BEAM_SIZE", "abc"),
        ("DICTANOTE_CPU_THREADS", "0"),
        ("DICTANOTE_FORMAT", "../../x"),
        ("DICTANOTE_COMPUTE_TYPE", "\x1b[2J"),
    ):
        ran = rig.cli("segment", "-", env={**env, variable: value}, stdin=text)
        rig.expect_error("config", f"{variable}={value!r}: exit 2", ran, (2,))


# --- privacy -------------------------------------------------------------------------------------


def privacy_area(rig: Rig) -> None:
    """What a dictation leaves on disk and in output: encrypted, owner-only, private words kept apart."""
    check = rig.checker("privacy")
    env = rig.home("privacy")
    data = Path(env["DICTANOTE_HOME"])
    logged = rig.cli("-vv", "segment", "-", "--save", env=env, stdin=DICTATION)
    heard = [w for w in (CLINICAL_WORD, PRIVATE_WORD) if w in logged.err]
    check(
        "`-vv segment --save`: no note text in the log",
        "high",
        logged.code == 0 and not heard,
        f"{heard}; {logged.brief()}",
    )
    rig.cli("segment", "-", "--save", env=env, stdin=ISSUE_REPRO)
    for number, word in ((1, PRIVATE_WORD), (2, ISSUE_PRIVATE_WORD)):
        shown = rig.cli("drafts", "show", str(number), "--json", env=env)
        check(
            f"`drafts show {number} --json`: no private word",
            "high",
            shown.code == 0 and word not in shown.out,
            shown.brief(),
        )
    private = rig.cli("drafts", "show", "1", "--private", "--json", env=env)
    check("the private note keeps its words", "high", PRIVATE_WORD in private.out, private.brief())
    rig.cli("drafts", "finalize", "1", "--yes", "--signed-by", "R. Tester", env=env)
    shown = rig.cli("notes", "show", "1", "--json", env=env)
    check(
        "`notes show 1 --json`: no private word",
        "high",
        shown.code == 0 and PRIVATE_WORD not in shown.out,
        shown.brief(),
    )
    exports = rig.base / "privacy-exports"
    exports.mkdir()
    for kind in ("text", "markdown", "fhir", "fhir-docref"):
        out = exports / f"note.{kind}"
        ran = rig.cli("notes", "export", "1", "--as", kind, "-o", str(out), env=env)
        body = out.read_text(encoding="utf-8") if out.exists() else ""
        check(
            f"clinical export ({kind}): no private word",
            "high",
            ran.code == 0 and PRIVATE_WORD not in body,
            ran.brief(),
        )
    clinical = record_dump(env, "clinical")
    leaked = [w for w in (PRIVATE_WORD, ISSUE_PRIVATE_WORD) if w in clinical]
    check("clinical.db (decrypted, every table): no private word", "high", not leaked, f"found {leaked}")
    check(
        "private.db keeps the private words", "high", PRIVATE_WORD in record_dump(env, "private"), "missing"
    )
    _privacy_on_disk(rig, env, data)


def _privacy_on_disk(rig: Rig, env: dict[str, str], data: Path) -> None:
    """Raw bytes of every file (WAL and SHM while a store is open), and their modes."""
    check = rig.checker("privacy")
    store = open_store(env)
    try:
        dictation = dictation_of(env)
        with environment(env):
            dictation.save(dictation.from_text(DICTATION), store=store)
        found = sorted(
            {
                f"{p.name}: {w}"
                for p, raw in raw_files(data, Path(env["DICTANOTE_CONFIG_DIR"]), Path(env["TMPDIR"]))
                for w in (CLINICAL_WORD, PRIVATE_WORD, ISSUE_PRIVATE_WORD)
                if w.encode() in raw
            }
        )
        walled = sorted(p.name for p in data.glob("*-wal"))
    finally:
        store.close()
    check(
        "no dictated word in plain text on disk (WAL and SHM included)",
        "high",
        not found,
        f"{found[:4]} (open: {walled})",
    )
    for name in ("clinical.db", "private.db"):
        check(f"{name} is encrypted", "high", not is_plain(data / name), "plain SQLite header")
    mode = stat.S_IMODE(data.stat().st_mode)
    check("the data directory is 0700", "medium", mode & 0o077 == 0, oct(mode))
    loose = [
        f"{p.name} {oct(stat.S_IMODE(p.stat().st_mode))}"
        for p in data.rglob("*")
        if p.is_file() and p.stat().st_mode & 0o077
    ]
    check("every file in the data directory is owner-only", "medium", not loose, str(loose[:4]))


# --- the run --------------------------------------------------------------------------------------

AREA_RUNS: dict[str, Callable[[Rig], None]] = {
    "review": review_area,
    "daemon": daemon_area,
    "store": store_area,
    "cli": cli_area,
    "segmenter": segmenter_area,
    "config": config_area,
    "privacy": privacy_area,
}


def run_area(rig: Rig, area: str) -> None:
    """One area; a harness failure is recorded, never raised."""
    start = time.monotonic()
    try:
        AREA_RUNS[area](rig)
    except Exception as exc:
        rig.tally.error(area, f"stopped early: {type(exc).__name__}: {exc}")
    print(f"reliability: {area} done in {time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)


def summary(tally: Tally, areas: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per area: cases tried, failures by severity, harness errors."""
    out = {}
    for area in areas:
        mine = [o for o in tally.outcomes if o.area == area]
        failed = [o for o in mine if not o.ok]
        row = {"cases": len(mine), "failed": len(failed)}
        row |= {s: sum(1 for o in failed if o.severity == s) for s in SEVERITIES}
        row["harness_errors"] = sum(1 for a, _ in tally.errors if a == area)
        out[area] = row
    return out


def failures(tally: Tally) -> list[dict[str, Any]]:
    """Failing cases grouped by area, severity and name, with a count and the first detail."""
    groups: dict[tuple[str, str, str], list[Outcome]] = {}
    for o in tally.outcomes:
        if not o.ok:
            groups.setdefault((o.area, o.severity, o.name), []).append(o)
    rank: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
    ordered = sorted(groups.items(), key=lambda kv: (rank[kv[0][1]], AREAS.index(kv[0][0]), kv[0][2]))
    return [
        {"area": a, "severity": s, "case": n, "count": len(found), "detail": found[0].detail}
        for (a, s, n), found in ordered
    ]


def print_report(tally: Tally, areas: Sequence[str], seconds: float, mode: str) -> None:
    """The table, then each failing case on one line."""
    rows = summary(tally, areas)
    print(f"dictanote reliability ({mode}, {seconds:.0f} s)")
    print(f"{'area':<10} {'cases':>6} {'failed':>7} {'high':>5} {'medium':>7} {'low':>4} {'harness':>8}")
    total = Counter[str]()
    for area, row in rows.items():
        total.update(row)
        print(
            f"{area:<10} {row['cases']:>6} {row['failed']:>7} {row['high']:>5} {row['medium']:>7} "
            f"{row['low']:>4} {row['harness_errors']:>8}"
        )
    print(
        f"{'total':<10} {total['cases']:>6} {total['failed']:>7} {total['high']:>5} {total['medium']:>7} "
        f"{total['low']:>4} {total['harness_errors']:>8}"
    )
    listed = failures(tally)
    if listed:
        print("\nfailing cases (severity area: case [x count]: first detail)")
    for f in listed:
        count = f" [x{f['count']}]" if f["count"] > 1 else ""
        detail = " ".join(f["detail"].split())[:220]
        print(f"{f['severity']:<6} {f['area']}: {f['case']}{count}: {detail}")
    for area, what in tally.errors:
        print(f"HARNESS {area}: {what}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the areas asked for, print the table, write JSON if asked; the exit code per --strict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few hundred cases (< 2 min)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any high or medium failure")
    parser.add_argument("--seed", type=int, default=12, help="seed of every random choice (default 12)")
    parser.add_argument(
        "--areas", default=",".join(AREAS), help=f"comma-separated subset of {','.join(AREAS)}"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary HOME for a look afterwards")
    args = parser.parse_args(argv)
    areas = [a.strip() for a in args.areas.split(",") if a.strip()]
    unknown = sorted(set(areas) - set(AREAS))
    if unknown:
        parser.error(f"unknown area {unknown[0]!r}; areas: {', '.join(AREAS)}")
    logging.getLogger("dictanote").addHandler(logging.NullHandler())  # in-process warnings: not ours to print
    base = Path(tempfile.mkdtemp(prefix="dn-rel-"))
    rig = Rig.make(base, args.quick, args.seed)
    start = time.monotonic()
    try:
        with environment(rig.env):
            for area in areas:
                run_area(rig, area)
            for finish in rig.finishers:
                try:
                    finish()
                except Exception as exc:
                    rig.tally.error("finish", f"{type(exc).__name__}: {exc}")
    finally:
        if args.keep:
            print(f"reliability: files kept in {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)
    seconds = time.monotonic() - start
    mode = "quick" if args.quick else "full"
    print_report(rig.tally, areas, seconds, mode)
    if args.json:
        report = {
            "mode": mode,
            "seed": args.seed,
            "seconds": round(seconds, 1),
            "areas": summary(rig.tally, areas),
        }
        report |= {
            "failures": failures(rig.tally),
            "harness_errors": [{"area": a, "what": w} for a, w in rig.tally.errors],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    bad = any(not o.ok and o.severity in ("high", "medium") for o in rig.tally.outcomes) or bool(
        rig.tally.errors
    )
    return 1 if args.strict and bad else 0


if __name__ == "__main__":
    sys.exit(main())
