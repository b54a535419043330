#!/usr/bin/env python
"""Benchmark of the lifetime-value models (issue 13, item 13: "BG/NBD + Gamma-Gamma fit
over 100,000 customers ≤ 30 s", worker peak memory < 1 GB).

    .venv/bin/python bench/clv.py                   # 100,000 customers, seed 13
    .venv/bin/python bench/clv.py --customers 20000 --seed 1

Draws a cohort from the models themselves with the parameters Fader, Hardie & Lee
published for CDNOW (BG/NBD r 0.243, α 4.414 per week, a 0.793, b 2.426; Gamma-Gamma
p 6.25, q 3.74, γ 15.44): first purchases spread over 12 weeks from 1997-01-01, each
customer buying at her own rate until she leaves (after a repeat purchase, with her
own probability) or the 39-week calibration period ends; each purchase's value from
her own spend distribution. The purchases become (customer, date, amount) rows, as
the analytics app will read them, and the figures are the seconds of each step:
summarising the rows, fitting each model, and scoring every customer (P(alive), 90-day
purchases, 12-month revenue). Peak memory is the process's peak resident set (Django,
NumPy and SciPy included) and the NumPy/Python allocations' peak during the fits
(tracemalloc, in a second untimed pass, since tracing slows allocation down).

The fitted parameters are printed beside the true ones: recovering them from data the
model generated is a check of the fit, not only of its speed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CUSTOMERS = 100_000
SEED = 13
TARGET_SECONDS = 30.0
START = datetime.date(1997, 1, 1)
CALIBRATION_WEEKS = 39
#: The published CDNOW parameters the cohort is drawn with.
TRUE_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
TRUE_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def simulate(customers: int, seed: int) -> list[tuple[int, datetime.date, float]]:
    """(customer, date, amount) rows of a cohort drawn from the two models."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = TRUE_BGNBD.values()
    p, q, v = TRUE_GAMMA_GAMMA.values()
    rate = rng.gamma(r, 1 / alpha, customers)  # purchases a week while alive
    leave = rng.beta(a, b, customers)  # chance to leave after each repeat purchase
    spend_rate = rng.gamma(q, 1 / v, customers)  # ν: each purchase ~ Gamma(p, ν)
    first = rng.integers(0, 12 * 7, customers) / 7.0  # weeks after START
    end = CALIBRATION_WEEKS + 0.0

    who = [np.arange(customers)]
    when = [first]
    active = np.arange(customers)
    now = first.copy()
    while active.size:
        now[active] += rng.exponential(1.0, active.size) / rate[active]
        active = active[now[active] < end]
        who.append(active)
        when.append(now[active].copy())
        active = active[rng.random(active.size) >= leave[active]]
    ids = np.concatenate(who)
    weeks = np.concatenate(when)
    amounts = np.round(rng.gamma(p, 1.0 / spend_rate[ids]), 2)
    days = np.floor(weeks * 7).astype(np.int64)
    return [
        (int(i), START + datetime.timedelta(days=int(d)), float(m))
        for i, d, m in zip(ids, days, amounts, strict=True)
    ]


def timed(label: str, timings: dict[str, float], fn: Any, *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    timings[label] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django

    django.setup()
    from clientela.analytics.clv import (
        expected_revenue,
        fit_bgnbd,
        fit_gamma_gamma,
        summary_from_transactions,
        units,
    )

    started = time.perf_counter()
    rows = simulate(args.customers, args.seed)
    print(
        f"cohort: {args.customers:,} customers, {len(rows):,} purchases "
        f"(drawn in {time.perf_counter() - started:.1f} s)"
    )
    calibration_end = START + datetime.timedelta(days=CALIBRATION_WEEKS * 7 - 1)
    t: dict[str, float] = {}
    summary = timed("summary", t, summary_from_transactions, rows, calibration_end=calibration_end)
    buying = timed("fit BG/NBD", t, fit_bgnbd, summary)
    spending = timed("fit Gamma-Gamma", t, fit_gamma_gamma, summary)
    timed("P(alive)", t, buying.p_alive, summary)
    timed("purchases 90 d", t, buying.expected_purchases, units(90, "weeks"), summary)
    timed(
        "revenue 12 m",
        t,
        expected_revenue,
        buying,
        spending,
        summary,
        units(365.25, "weeks"),
        annual_discount_rate=0.1,
    )
    tracemalloc.start()
    fit_bgnbd(summary)
    fit_gamma_gamma(summary)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    for label, seconds in t.items():
        print(f"{label:>18}: {seconds:7.3f} s")
    fits = t["fit BG/NBD"] + t["fit Gamma-Gamma"]
    verdict = "ok" if fits <= TARGET_SECONDS else "OVER TARGET"
    print(f"{'both fits':>18}: {fits:7.3f} s  (target ≤ {TARGET_SECONDS:.0f} s: {verdict})")
    print(f"{'all steps':>18}: {sum(t.values()):7.3f} s")
    print(
        f"{'peak memory':>18}: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
        f"resident (whole process); {traced_peak / 2**20:.0f} MB allocated during the fits"
    )
    fitted = {
        "r": buying.r,
        "alpha": buying.alpha,
        "a": buying.a,
        "b": buying.b,
        "p": spending.p,
        "q": spending.q,
        "v": spending.v,
    }
    true = TRUE_BGNBD | TRUE_GAMMA_GAMMA
    print(
        "parameters (fitted / true): "
        + ", ".join(f"{name} {value:.3f}/{true[name]}" for name, value in fitted.items())
    )
    print(f"repeat customers: {summary.repeat_customers:,}; spend fitted on {spending.customers:,}")


if __name__ == "__main__":
    main()
