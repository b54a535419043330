#!/usr/bin/env python
"""Benchmark of campaign sending (issue 15, item 15; ``bench/README.md``, "Campaigns").

    .venv/bin/python bench/marketing.py                      # 100,000 recipients
    .venv/bin/python bench/marketing.py --recipients 20000

1. Data: the people of ``bench/generate.py`` (built if missing), each with an e-mail
   address, consent to the newsletter by e-mail (an event and its state, as the
   services write them) and a place on one static list; kept in var/bench/ and copied
   for each run, because a run sends the campaign.
2. A personalised campaign to that list through the services (a 6 KB HTML template
   with merge fields, CSS to inline and three tracked links), sent as a user presses
   "Send": a draft checked and scheduled.
3. The SMTP server alone first (``bench/smtp_sink.py``, in a process of its own): the
   campaign's first message, rendered once, sent again and again for a few seconds
   through the worker's own SMTP steps (``Transport``) over as many connections, without
   the database or rendering: the most this machine can carry at this moment.
4. The campaign: the server in a process of its own (it writes down each recipient
   with the time) and the worker's loop (``campaign_run`` until the campaign is done)
   in another. When the server has taken half the messages the worker is killed with
   SIGKILL; a new worker starts once the dead one's hold on the campaign runs out
   (``CLIENTELA_CAMPAIGN_LEASE_SECONDS``, 5 here) and sends the rest.
5. The figures: messages a second while a worker sends (from the server's times: its
   first to its last message before the kill, and after the restart), the start-to-end
   time (with planning, both workers' start-up and the lease wait), the workers' peak
   memory (resident, the process and its children) and CPU time a message, what the
   server received (every recipient exactly once), and the load average.
6. The click redirect (``/m/c/<token>/``) against a bare Django view on gunicorn, in
   the same run.

Targets: ≥ 1,000 messages/s, ≤ 500 MB peak, every message exactly once; the click
redirect ≥ 50 % of the bare view's requests a second.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import BENCH_DIR, configure_django, db_path  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SINK = Path(__file__).with_name("smtp_sink.py")

LEASE_SECONDS = 5
HTML = (
    "<html><head><style>"
    "body { font-family: Georgia, serif; color: #222 } h1 { color: #0d6efd; font-size: 24px }"
    " .offer { border: 1px solid #ddd; padding: 12px; margin: 8px 0 } .price { color: #198754 }"
    "</style></head><body><h1>Hola {{ first_name }}, llega el invierno</h1>"
    + "".join(
        f'<div class="offer"><p>Oferta {i}: un artículo que {{{{ organization }}}} conoce bien, '
        f'<span class="price">{10 + i},95 €</span>.</p></div>'
        for i in range(24)
    )
    + '<p><a href="https://shop.example/invierno">Ver las ofertas</a> · '
    '<a href="https://shop.example/novedades">Novedades</a> · '
    '<a href="https://shop.example/tiendas">Nuestras tiendas</a></p>'
    "<p>{{ owner_signature }}</p></body></html>"
)


def base_file(n: int) -> Path:
    return BENCH_DIR / f"marketing-{n}.sqlite3"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- data -------------------------------------------------------------------------------


def prepare(n: int) -> None:
    """``marketing-N.sqlite3``: the people file with consents and the list (run in a
    process of its own: Django points at the new file)."""
    target = base_file(n)
    shutil.copy(db_path(n), target)
    configure_django(target)
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from clientela.contacts.models import Person
    from clientela.core.services import roles_ensure_defaults, user_create
    from clientela.marketing.models import (
        ConsentEvent,
        ConsentPurpose,
        ConsentState,
        ListMember,
        StaticList,
    )

    roles_ensure_defaults()
    marketer = user_create(
        username="bench_marketer",
        password="bench-pass-1",  # noqa: S106 - a benchmark account on its own file
        role_key="marketing",
        team_name="Bench",
    )
    newsletter = ConsentPurpose.objects.get(key="newsletter")
    now = timezone.now()
    with transaction.atomic():
        people = list(Person.objects.exclude(email="").values_list("pk", flat=True))
        events = ConsentEvent.objects.bulk_create(
            [
                ConsentEvent(
                    person_id=pk,
                    purpose=newsletter,
                    channel="email",
                    granted=True,
                    source="import",
                    legal_basis="consent",
                    at=now,
                )
                for pk in people
            ],
            batch_size=5000,
        )
        ConsentState.objects.bulk_create(
            [
                ConsentState(
                    person_id=e.person_id,
                    purpose=newsletter,
                    channel="email",
                    granted=True,
                    since=now,
                    event=e,
                )
                for e in events
            ],
            batch_size=5000,
        )
        static = StaticList.objects.create(name="Everyone", owner=marketer, team=marketer.team)
        ListMember.objects.bulk_create(
            [ListMember(list=static, person_id=pk, added_at=now) for pk in people],
            batch_size=5000,
        )
    print(f"prepared {target.name}: {len(people):,} people with consent on one list")


def make_campaign(db: Path) -> tuple[int, int]:
    """The campaign, created and sent as the marketer would (in this process)."""
    configure_django(db)
    from clientela.core.models import User
    from clientela.marketing.models import StaticList
    from clientela.marketing.services import campaigns

    marketer = User.objects.get(username="bench_marketer")
    campaign = campaigns.campaign_create(
        actor=marketer,
        data={
            "name": "Invierno",
            "purpose": "newsletter",
            "list_ids": [StaticList.objects.get(name="Everyone").pk],
            "subject": "{{ first_name }}, las ofertas de invierno",
            "html": HTML,
            "from_email": "ofertas@shop.example",
            "from_name": "Tienda",
        },
    )
    campaigns.campaign_send(actor=marketer, campaign=campaign)
    from clientela.marketing.sending.sources import audience_people

    return campaign.pk, audience_people(campaign).count()


# --- the worker --------------------------------------------------------------------------


def worker(campaign_id: int) -> None:
    """Run the campaign until it is done (the worker's loop, without the task queue),
    then print the sent count, seconds, CPU seconds and peak memory."""
    configure_django(Path(os.environ["BENCH_DB"]))
    from clientela.marketing.sending.engine import campaign_run

    started, sent = time.monotonic(), 0
    while True:
        result = campaign_run(campaign_id)
        sent += result.sent
        if result.next_run is None and result.sent == 0:
            break
        if result.sent == 0:
            time.sleep(0.5)
    print(
        f"worker sent={sent} seconds={time.monotonic() - started:.2f} "
        f"cpu={time.process_time():.2f} peak_mb={_own_peak_mb()}",
        flush=True,
    )


def _own_peak_mb() -> int:
    """This process's and its children's peak resident memory (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return int(own + children) // 1024


def sink_probe(campaign_id: int, seconds: float) -> None:
    """The server alone: the campaign's first message, rendered once, sent over and over
    with the worker's SMTP steps on ``CLIENTELA_CAMPAIGN_CONNECTIONS`` connections for
    ``seconds``; prints messages and CPU seconds."""
    configure_django(Path(os.environ["BENCH_DB"]))
    from django.conf import settings

    from clientela.marketing.models import Campaign, Delivery
    from clientela.marketing.sending.sources import Renderer, audience
    from clientela.marketing.sending.transport import Transport

    campaign = Campaign.objects.get(pk=campaign_id)
    first = audience(campaign)[0]
    renderer = Renderer(campaign)
    row = Delivery(pk=1, person_id=first.person_id, address=first.address, language="")
    fields = renderer.fields_of([row])[first.person_id]
    message = renderer.message(row, fields)
    transports = [Transport() for _ in range(settings.CLIENTELA_CAMPAIGN_CONNECTIONS)]
    for transport in transports:
        transport.__enter__()
    sent, cpu = 0, time.process_time()
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        for transport in transports:
            transport.start(message)
        for transport in transports:
            transport.write_content()
        for transport in transports:
            transport.hand_over()
        for transport in transports:
            sent += transport.outcome().sent
    elapsed = time.monotonic() - started
    for transport in transports:
        transport.__exit__(None, None, None)
    size = len(as_bytes_of(message))
    print(
        f"probe sent={sent} seconds={elapsed:.2f} cpu={time.process_time() - cpu:.2f} bytes={size}"
    )


def as_bytes_of(message: Any) -> bytes:
    from clientela.marketing.sending.mime import as_bytes

    return as_bytes(message)


def _env(db: Path, port: int, connections: int | None) -> dict[str, str]:
    env = {
        **os.environ,
        "BENCH_DB": str(db),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "CLIENTELA_CAMPAIGN_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    if connections:
        env["CLIENTELA_CAMPAIGN_CONNECTIONS"] = str(connections)
    return env


def _start_worker(
    db: Path, campaign_id: int, port: int, connections: int | None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "--worker", str(campaign_id)],
        env=_env(db, port, connections),
        stdout=subprocess.PIPE,
        text=True,
    )


def _received(path: Path) -> int:
    try:
        with path.open("rb") as lines:
            return sum(1 for _ in lines)
    except FileNotFoundError:
        return 0


def _proc(pid: int) -> tuple[int, float]:
    """A live process's peak resident memory (MB, ``VmHWM``) and CPU seconds."""
    peak, cpu = 0, 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) // 1024
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return peak, cpu


class Sink:
    """``bench/smtp_sink.py`` on a free port, writing to ``log``."""

    def __init__(self, log: Path, *options: str) -> None:
        log.unlink(missing_ok=True)
        self.log, self.port = log, _free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(SINK), str(self.port), str(log), *options],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"
        self.peak_mb, self.cpu = 0, 0.0

    def stop(self) -> None:
        self.peak_mb, self.cpu = _proc(self.process.pid)
        self.process.terminate()
        self.process.wait()

    def lines(self) -> list[tuple[float, str]]:
        found = []
        for line in self.log.read_text().splitlines():
            at, _sep, recipients = line.partition(" ")
            found.append((float(at), recipients))
        return found


def measure_sink(
    db: Path, campaign_id: int, connections: int | None, seconds: float, *options: str
) -> dict[str, Any]:
    """``sink_probe`` against a sink of its own."""
    sink = Sink(BENCH_DIR / "marketing-probe.log", *options)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--sink-probe", str(campaign_id), "--seconds", str(seconds)],
            env=_env(db, sink.port, connections),
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
    finally:
        sink.stop()
    figures = dict(item.split("=") for item in out.split()[1:])
    sent, elapsed = int(figures["sent"]), float(figures["seconds"])
    return {
        "rate": round(sent / elapsed),
        "client_cpu_ms": round(1000 * float(figures["cpu"]) / max(sent, 1), 3),
        "sink_cpu_ms": round(1000 * sink.cpu / max(sent, 1), 3),
        "message_bytes": int(figures["bytes"]),
        "load": os.getloadavg(),
    }


def _window(times: list[float]) -> float:
    return max(times) - min(times) if times else 0.0


def measure(n: int, connections: int | None, sink_processes: int) -> dict[str, Any]:
    db = BENCH_DIR / f"marketing-run-{n}.sqlite3"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copy(base_file(n), db)
    subprocess.run(
        [sys.executable, __file__, "--make-campaign", str(db)], check=True, stdout=subprocess.PIPE
    )
    campaign_id, audience = map(int, (BENCH_DIR / "marketing-campaign.txt").read_text().split())
    results: dict[str, Any] = {
        "people": n,
        "recipients": audience,
        "load_at_start": os.getloadavg(),
    }
    results["sink_alone"] = measure_sink(
        db, campaign_id, connections, 5.0, "--processes", str(sink_processes)
    )
    results["aiosmtpd_alone"] = measure_sink(db, campaign_id, connections, 5.0, "--aiosmtpd")
    sink = Sink(BENCH_DIR / "marketing-sink.log", "--processes", str(sink_processes))
    try:
        first = _start_worker(db, campaign_id, sink.port, connections)
        started = time.monotonic()
        peak_first = cpu_first = 0.0
        while _received(sink.log) < audience // 2:
            peak, cpu_first = _proc(first.pid)
            peak_first = max(peak_first, peak)
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        killed_wall = time.time()
        first.wait()
        time.sleep(LEASE_SECONDS + 0.5)
        second = _start_worker(db, campaign_id, sink.port, connections)
        out, _err = second.communicate(timeout=3600)
        finished = time.monotonic()
        time.sleep(0.5)  # the sink's last lines
    finally:
        sink.stop()
    lines = sink.lines()
    recipients = Counter(to for _at, to in lines)
    before = [at for at, _to in lines if at <= killed_wall]
    after = [at for at, _to in lines if at > killed_wall]
    second_figures = dict(item.split("=") for item in out.split()[1:]) if "cpu=" in out else {}
    sending = _window(before) + _window(after)
    configure_django(db)
    from clientela.marketing.models import Campaign, Delivery

    campaign = Campaign.objects.get(pk=campaign_id)
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    assert campaign.started_at is not None
    assert campaign.planned_at is not None
    planning = (campaign.started_at - campaign.planned_at).total_seconds()
    cpu = cpu_first + float(second_figures.get("cpu", 0))
    results |= {
        "connections": connections or "default",
        "received": len(lines),
        "distinct": len(recipients),
        "twice": sum(1 for c in recipients.values() if c > 1),
        "sent_before_kill": len(before),
        "seconds_sending": round(sending, 1),
        "rate": round(len(lines) / sending),
        "rate_first_worker": round(len(before) / max(_window(before), 1e-9)),
        "rate_second_worker": round(len(after) / max(_window(after), 1e-9)),
        "seconds_planning": round(planning, 1),
        "seconds_start_to_end": round(finished - started, 1),
        "worker_cpu_ms_a_message": round(1000 * cpu / max(len(lines), 1), 3),
        "sink_cpu_ms_a_message": round(1000 * sink.cpu / max(len(lines), 1), 3),
        "peak_mb": max(int(peak_first), int(second_figures.get("peak_mb", 0))),
        "sink_peak_mb": sink.peak_mb,
        "statuses": dict(statuses),
        "load_at_end": os.getloadavg(),
    }
    return results


def measure_clicks(db: Path, seconds: float = 10.0) -> dict[str, Any]:
    """The click redirect against a bare Django view through the same middleware, on
    gunicorn (``bench.run.bench_server``), in the same run: requests a second of each,
    bare before and after, clicks on 500 different recipients' links."""
    configure_django(db)
    from bench.run import _throughput, bench_server
    from clientela.marketing import tracking
    from clientela.marketing.models import Delivery

    sent = list(
        Delivery.objects.filter(sent_at__isnull=False).order_by("pk").values_list("pk", flat=True)
    )
    step = max(1, len(sent) // 500)
    paths = ["/m/c/" + tracking.click_token(pk, 0) + "/" for pk in sent[::step]]
    with bench_server(db, workers=2) as port:
        if port is None:
            return {"status": "the benchmark server did not start"}
        bare_1 = _throughput(port, ["/bench/bare/"], {}, 4, seconds, 10**9)
        clicks = _throughput(port, paths, {}, 4, seconds, 10**9, expect=b"HTTP/1.1 302")
        bare_2 = _throughput(port, ["/bench/bare/"], {}, 4, seconds, 10**9)
    bare = (bare_1["rps"] + bare_2["rps"]) / 2
    return {
        "bare_rps": round(bare, 1),
        "click_rps": clicks["rps"],
        "click_failed": clicks["failed"],
        "ratio": round(clicks["rps"] / bare, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument(
        "--connections", type=int, help="CLIENTELA_CAMPAIGN_CONNECTIONS (default: the setting's)"
    )
    parser.add_argument("--sink-processes", type=int, default=1, help="SMTP server processes")
    parser.add_argument("--no-clicks", action="store_true", help="skip the click redirect")
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--make-campaign", help=argparse.SUPPRESS)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sink-probe", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=5.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink_probe:
        sink_probe(args.sink_probe, args.seconds)
        return
    if args.prepare:
        prepare(args.prepare)
        return
    if args.make_campaign:
        campaign_id, audience = make_campaign(Path(args.make_campaign))
        (BENCH_DIR / "marketing-campaign.txt").write_text(f"{campaign_id} {audience}")
        return
    if args.worker:
        worker(args.worker)
        return
    n = args.recipients
    if not db_path(n).exists():
        generate = [sys.executable, str(ROOT / "bench" / "generate.py"), "--n", str(n)]
        subprocess.run(generate, check=True)
    if not base_file(n).exists():
        subprocess.run([sys.executable, __file__, "--prepare", str(n)], check=True)
    results = measure(n, args.connections, args.sink_processes)
    if not args.no_clicks:
        results |= measure_clicks(BENCH_DIR / f"marketing-run-{n}.sqlite3")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"marketing-{n}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    for key, value in results.items():
        print(f"{key:>26}: {value}")
    once = results["twice"] == 0 and results["distinct"] == results["recipients"]
    print(
        "exactly once:",
        "yes" if once else "NO",
        "| rate ≥ 1,000/s:",
        results["rate"] >= 1000,
        "| peak ≤ 500 MB:",
        results["peak_mb"] <= 500,
    )
    print(f"JSON: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
