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
3. A real SMTP server on loopback in a process of its own (``bench/smtp_sink.py``,
   which writes down each recipient) and the worker's loop (``campaign_run`` until the
   campaign is done) in another. When the server has taken half the messages the worker
   is killed with SIGKILL; a new worker starts once the dead one's hold on the campaign
   runs out (``CLIENTELA_CAMPAIGN_LEASE_SECONDS``, 5 here) and sends the rest.
4. The figures: messages a second while a worker sends (the wait for the lease left
   out), the workers' peak memory (``ru_maxrss``), and what the server received:
   every recipient exactly once.
5. The click redirect (``/m/c/<token>/``) against a bare Django view on gunicorn, in
   the same run.

Targets: ≥ 1,000 messages/s, ≤ 500 MB peak, every message exactly once; the click
redirect ≥ 50 % of the bare view's requests a second.
"""

from __future__ import annotations

import argparse
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
    then print the sent count, seconds and peak memory."""
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"worker sent={sent} seconds={time.monotonic() - started:.2f} peak_mb={peak}", flush=True)


def _start_worker(db: Path, campaign_id: int, port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "BENCH_DB": str(db),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "CLIENTELA_CAMPAIGN_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    return subprocess.Popen(
        [sys.executable, __file__, "--worker", str(campaign_id)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _received(path: Path) -> int:
    try:
        with path.open("rb") as lines:
            return sum(1 for _ in lines)
    except FileNotFoundError:
        return 0


def _peak_of(pid: int) -> int:
    """A live process's peak resident memory (MB), from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def measure(n: int) -> dict[str, Any]:
    db = BENCH_DIR / f"marketing-run-{n}.sqlite3"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copy(base_file(n), db)
    subprocess.run(
        [sys.executable, __file__, "--make-campaign", str(db)], check=True, stdout=subprocess.PIPE
    )
    log = BENCH_DIR / "marketing-sink.log"
    log.unlink(missing_ok=True)
    port = _free_port()
    sink = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("smtp_sink.py")), str(port), str(log)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None
    assert sink.stdout.readline().strip() == "ready"
    campaign_id, audience = map(int, (BENCH_DIR / "marketing-campaign.txt").read_text().split())
    try:
        first = _start_worker(db, campaign_id, port)
        started = time.monotonic()
        peak_first = 0
        while _received(log) < audience // 2:
            peak_first = max(peak_first, _peak_of(first.pid))
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at, sent_first = time.monotonic(), _received(log)
        time.sleep(LEASE_SECONDS + 0.5)
        resumed = time.monotonic()
        second = _start_worker(db, campaign_id, port)
        out, _err = second.communicate(timeout=3600)
        finished = time.monotonic()
        time.sleep(0.5)  # the sink's last lines
    finally:
        sink.terminate()
        sink.wait()
    recipients = Counter(log.read_text().split())
    peak_second = int(out.rsplit("peak_mb=", 1)[1].split()[0]) if "peak_mb=" in out else 0
    sending = (killed_at - started) + (finished - resumed)
    configure_django(db)
    from clientela.marketing.models import Delivery

    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    return {
        "people": n,
        "recipients": audience,
        "received": sum(recipients.values()),
        "distinct": len(recipients),
        "twice": sum(1 for c in recipients.values() if c > 1),
        "sent_before_kill": sent_first,
        "seconds_sending": round(sending, 1),
        "rate": round(sum(recipients.values()) / sending),
        "peak_mb": max(peak_first, peak_second),
        "statuses": dict(statuses),
        "load": os.getloadavg(),
        "cpu_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime,
    }


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
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--make-campaign", help=argparse.SUPPRESS)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
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
    results = measure(n)
    results |= measure_clicks(BENCH_DIR / f"marketing-run-{n}.sqlite3")
    for key, value in results.items():
        print(f"{key:>18}: {value}")
    ok = results["twice"] == 0 and results["received"] >= results["recipients"] - 1
    print("exactly once:", "yes" if ok else "NO", "| rate ≥ 1,000/s:", results["rate"] >= 1000)


if __name__ == "__main__":
    main()
