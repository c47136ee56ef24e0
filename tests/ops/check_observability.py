#!/usr/bin/env python3
"""Checks the observability files in ops/ against a running `turno serve`: the probe paths
answer, every metric (and grouping label) that the Grafana dashboard and the alert rules use is
one /metrics really exposes — or one listed in PENDING_METRICS / PENDING_LABELS with the
engineer who adds it — and promtool accepts the Prometheus config and rules and passes the
alert unit tests. The dashboard has the required panels, provisioned from the datasource
compose provisions.

usage: check_observability.py --turno BUILD/turno --source REPO [--promtool PATH]"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import yaml

from ops_common import Checks, RunningServer

# Metrics the ops files use before the code exposes them: name -> who adds it and where.
PENDING_METRICS = {
}
# Labels the ops files group by that an exposed metric does not carry yet.
PENDING_LABELS = {
}
# Labels Prometheus adds to every scraped series (target labels), and histogram buckets.
TARGET_LABELS = {"instance", "job", "role", "le"}

REQUIRED_PANELS = [
    "Commands/s", "Rejections by reason", "Writer queue depth", "Group commit size",
    "Group commit latency", "p99 latency by route", "View lag", "Bookings per site",
    "Cancellations per site", "No-shows per site", "Revenue and refunds per site",
]
REQUIRED_ALERTS = ["TurnoWriterStalled", "TurnoViewLagHigh", "TurnoFsyncLatencyHigh",
                   "TurnoErrorRateHigh", "TurnoPaymentWebhookFailures"]


def scrape(text):
    """{metric name: set of label names} from Prometheus text exposition."""
    metrics = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s", line)
        if match:
            labels = set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", match.group(2) or ""))
            metrics.setdefault(match.group(1), set()).update(labels)
    return metrics


def used_labels(expression):
    """Label names an expression groups or filters by (by (...), {label=...})."""
    labels = set()
    for group in re.findall(r"\b(?:by|on|ignoring)\s*\(([^)]*)\)", expression):
        labels.update(l.strip() for l in group.split(",") if l.strip())
    for selector in re.findall(r"\{([^}]*)\}", expression):
        labels.update(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", selector))
    return labels - TARGET_LABELS


def check_expressions(checks, where, expressions, exposed, gaps):
    for expression in expressions:
        names = set(re.findall(r"\b(turno_[a-z0-9_]+)", expression))
        for name in names:
            if name in exposed:
                continue
            if checks.check(name in PENDING_METRICS, f"{where}: {name} is neither exposed nor pending: {expression}"):
                gaps.setdefault(("metric", name), PENDING_METRICS[name])
        present = [n for n in names if n in exposed]
        if not present:
            continue
        for label in used_labels(expression):
            if any(label in exposed[n] for n in present):
                continue
            pending = [n for n in present if (n, label) in PENDING_LABELS]
            if checks.check(pending, f"{where}: no metric of `{expression}` has label {label}"):
                gaps.setdefault(("label", pending[0], label), PENDING_LABELS[(pending[0], label)])


def dashboard_expressions(dashboard):
    expressions = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expressions.append((panel["title"], target["expr"]))
    for variable in dashboard.get("templating", {}).get("list", []):
        expressions.append((f"variable {variable['name']}", variable["query"]["query"]))
    return expressions


def check_dashboard(checks, ops, exposed, gaps):
    dashboard = json.load(open(os.path.join(ops, "grafana", "dashboards", "turno.json")))
    datasource = yaml.safe_load(open(os.path.join(ops, "grafana", "provisioning", "datasources", "prometheus.yml")))
    uid = datasource["datasources"][0]["uid"]
    titles = [p["title"] for p in dashboard["panels"]]
    for required in REQUIRED_PANELS:
        checks.check(any(t.startswith(required) for t in titles), f"dashboard lacks a panel '{required}'")
    ids = [p["id"] for p in dashboard["panels"]]
    checks.check(len(ids) == len(set(ids)), "dashboard panel ids must be unique")
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        checks.check(panel.get("datasource", {}).get("uid") == uid,
                     f"panel '{panel['title']}' must use the provisioned datasource uid {uid}")
        checks.check(panel.get("targets"), f"panel '{panel['title']}' has no query")
    for title, expression in dashboard_expressions(dashboard):
        check_expressions(checks, f"dashboard '{title}'", [expression], exposed, gaps)


def check_alerts(checks, ops, exposed, gaps, promtool):
    rules = yaml.safe_load(open(os.path.join(ops, "prometheus", "alerts.yml")))
    alerts = {r["alert"]: r["expr"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    for required in REQUIRED_ALERTS:
        checks.check(required in alerts, f"alerts.yml lacks {required}")
    for name, expression in alerts.items():
        check_expressions(checks, f"alert {name}", [expression], exposed, gaps)
    tested = yaml.safe_load(open(os.path.join(ops, "prometheus", "alerts_test.yml")))
    fired = {t["alertname"] for test in tested["tests"] for t in test.get("alert_rule_test", [])
             if t.get("exp_alerts")}
    for name in alerts:
        checks.check(name in fired, f"alerts_test.yml never shows {name} firing")
    if not checks.check(promtool is not None, "promtool not found (Debian package prometheus, ops/setup)"):
        return
    directory = os.path.join(ops, "prometheus")
    for command in (["check", "config", "prometheus.yml"], ["check", "rules", "alerts.yml"],
                    ["test", "rules", "alerts_test.yml"]):
        result = subprocess.run([promtool] + command, cwd=directory, capture_output=True, text=True)
        checks.check(result.returncode == 0, f"promtool {' '.join(command)}: {result.stdout}{result.stderr}")


JWT_SECRET = "observability-check"
SEED_WAIT_S = 30  # for the views to fold the seeded activity


def token(turno, role, tenant="", sub="ops-check"):
    result = subprocess.run([turno, "token", "--role", role, "--tenant", tenant, "--sub", sub,
                             "--jwt-secret", JWT_SECRET], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def call(server, method, path, body, bearer):
    request = urllib.request.Request(server.url + path, method=method,
                                     data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + bearer,
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read().decode() or "{}")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def seed_activity(checks, turno, server):
    """A tenant with a site open all week, one hold, a booking and a sandbox payment, so that
    the business metrics (labelled by tenant and site) have series to show."""
    admin = token(turno, "admin", "obs")
    client = token(turno, "client", "obs", "client-1")
    start = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).replace(
        hour=12, minute=0, second=0, microsecond=0)
    steps = [
        ("POST", "/v1/tenants", {"tenant_id": "obs", "name": "Obs", "currency": "PEN",
                                 "tax_rate_bp": 1800, "invoice_series": "F001"},
         token(turno, "platform")),
        ("POST", "/v1/sites", {"site_id": "lima", "name": "Lima", "time_zone": "UTC"}, admin),
        ("POST", "/v1/services", {"service_id": "consult", "name": "Consult", "duration_min": 30,
                                  "price_minor": 5000}, admin),
        ("POST", "/v1/staff", {"staff_id": "ana", "site_id": "lima", "name": "Ana"}, admin),
        ("PUT", "/v1/staff/ana/schedule",
         {"intervals": [{"weekday": d, "start_min": 0, "end_min": 1440} for d in range(1, 8)]},
         admin),
        ("POST", "/v1/holds", {"site_id": "lima", "service_id": "consult",
                               "start": start.strftime("%Y-%m-%dT%H:%M:%SZ")}, client),
    ]
    answer = None
    for method, path, body, bearer in steps:
        status, answer = call(server, method, path, body, bearer)
        if not checks.check(status // 100 == 2, f"seeding: {method} {path} answered {status}: {answer}"):
            return
    status, booking = call(server, "POST", "/v1/bookings", {"booking_id": answer["booking_id"]}, client)
    if not checks.check(status == 201, f"seeding: POST /v1/bookings answered {status}: {booking}"):
        return
    intent = booking["payments"][0]["payment_id"]
    status, paid = call(server, "POST", f"/v1/sandbox/payments/{intent}/succeed", {}, client)
    checks.check(status == 200, f"seeding: sandbox payment answered {status}: {paid}")


def check_server(checks, turno):
    server = RunningServer(turno, ["--jwt-secret", JWT_SECRET])
    try:
        for path in ("/healthz", "/readyz"):
            status, _ = server.get(path)
            checks.check(status == 200, f"GET {path} answered {status} (probes in ops/ use it)")
        seed_activity(checks, turno, server)
        # /metrics names tenants: only the internal listener serves it (as Prometheus scrapes).
        status, _ = server.get("/metrics")
        checks.check(status == 404, f"GET /metrics on the main listener answered {status}, not 404")
        deadline = time.monotonic() + SEED_WAIT_S
        while True:
            status, text = server.get("/metrics", server.metrics_url)
            if "turno_kpi_gross_minor_total{" in text or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        checks.check(status == 200, f"GET /metrics on the metrics listener answered {status}")
        return scrape(text)
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--turno", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--promtool", default=shutil.which("promtool"))
    arguments = parser.parse_args()
    ops = os.path.join(arguments.source, "ops")
    checks = Checks("check_observability")
    exposed = check_server(checks, arguments.turno)
    checks.check(len(exposed) > 5, f"/metrics exposed almost nothing: {sorted(exposed)}")
    gaps = {}
    check_dashboard(checks, ops, exposed, gaps)
    check_alerts(checks, ops, exposed, gaps, arguments.promtool)
    for key, owner in sorted(gaps.items()):
        what = key[1] if key[0] == "metric" else f"label {key[2]} on {key[1]}"
        checks.note(f"not exposed yet: {what} — {owner}")
    for name in PENDING_METRICS:
        if name in exposed:
            checks.note(f"{name} is exposed now: remove it from PENDING_METRICS")
    checks.finish()


if __name__ == "__main__":
    main()
