#!/usr/bin/env python3
"""Checks the observability files in ops/ against a running `turno serve`: the probe paths
answer, every metric (and grouping label) that the Grafana dashboard and the alert rules use is
one /metrics really exposes — or one listed in PENDING_METRICS / PENDING_LABELS with the
engineer who adds it — and promtool accepts the Prometheus config and rules and passes the
alert unit tests. The dashboard has the required panels, provisioned from the datasource
compose provisions.

usage: check_observability.py --turno BUILD/turno --source REPO [--promtool PATH]"""

import argparse
import json
import os
import re
import shutil
import subprocess

import yaml

from ops_common import Checks, RunningServer

# Metrics the ops files use before the code exposes them: name -> who adds it and where.
PENDING_METRICS = {
    "turno_view_lag_ms": "API + views engineers: serve's /metrics should append "
                         "QuerySide::metrics_text() (projections/query_side.h; names exist there)",
    "turno_view_lag_events": "same as turno_view_lag_ms",
    "turno_kpi_bookings_total": "views engineer: KPI view counters as metrics, labels tenant, site",
    "turno_kpi_cancelled_total": "views engineer: labels tenant, site, by (client|staff|admin|system)",
    "turno_kpi_no_shows_total": "views engineer: labels tenant, site",
    "turno_kpi_completed_total": "views engineer: labels tenant, site",
    "turno_kpi_gross_minor_total": "views engineer: payments succeeded, labels tenant, site, currency",
    "turno_kpi_refunds_minor_total": "views engineer: refunds issued, labels tenant, site, currency",
}
# Labels the ops files group by that an exposed metric does not carry yet.
PENDING_LABELS = {
    ("turno_http_request_duration_us_bucket", "route"):
        "API engineer: label the request latency histogram by route (p99 by route panel)",
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


def check_server(checks, turno):
    server = RunningServer(turno)
    try:
        for path in ("/healthz", "/readyz"):
            status, _ = server.get(path)
            checks.check(status == 200, f"GET {path} answered {status} (probes in ops/ use it)")
        status, text = server.get("/metrics")
        checks.check(status == 200, f"GET /metrics answered {status}")
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
