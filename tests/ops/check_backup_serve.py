#!/usr/bin/env python3
"""`turno backup` against a real `turno serve` process that holds the log's lock and keeps
answering POST /v1/tenants from several clients while the backup runs. The restored copy must
pass `turno verify` and hold every tenant whose 201 arrived before the backup began (read back
with `turno export`, as an auditor would), and the notification stores, which are not events:
a tenant's channel settings (webhook secret included) and a client's contact, set before the
backup, are what a server on the restored directory answers. Complements backup_test.cc, which checks the same
promise in depth with the engine in-process; this one checks the operator's path end to end.

usage: check_backup_serve.py --turno BUILD/turno"""

import argparse
import json
import os
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

from ops_common import Checks, RunningServer

CLIENTS = 4
ACKNOWLEDGED_BEFORE_BACKUP = 300
SECRET = "ops-backup-test-secret"


def mint_token(turno, role="platform", tenant=""):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TURNO_")}
    return subprocess.run([turno, "token", "--role", role, "--tenant", tenant, "--sub", "ops-test",
                           "--jwt-secret", SECRET], check=True, capture_output=True, text=True,
                          env=environment).stdout.strip()


def call(url, method, path, token, body=None):
    """(status, parsed JSON or text) of one request."""
    request = urllib.request.Request(
        url + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


NOTIFY_TENANT = "notify-co"
SETTINGS = {"locale": "en", "reminder_offsets_min": [1440, 90],
            "webhook": {"enabled": True, "url": "https://hooks.example.com/turno", "secret": "k3y"}}
CONTACT = {"email": "ana@example.com", "phone": "+51999000111", "name": "Ana"}


def set_notifications(checks, turno, url):
    """A tenant with notification settings and one client contact, before the backup."""
    status, answer = call(url, "POST", "/v1/tenants", mint_token(turno),
                          {"tenant_id": NOTIFY_TENANT, "name": "Notify", "currency": "PEN",
                           "tax_rate_bp": 0, "invoice_series": "F001"})
    checks.check(status == 201, f"registering {NOTIFY_TENANT}: {status} {answer}")
    admin = mint_token(turno, "admin", NOTIFY_TENANT)
    status, answer = call(url, "PUT", "/v1/notifications/settings", admin, SETTINGS)
    checks.check(status == 200, f"PUT settings: {status} {answer}")
    status, answer = call(url, "PUT", "/v1/notifications/contacts/client/c-1", admin, CONTACT)
    checks.check(status == 200, f"PUT contact: {status} {answer}")


def check_notifications_restored(checks, turno, restored):
    """A server on the restored directory answers the settings and the contact set before."""
    server = RunningServer(turno, ["--jwt-secret", SECRET], data=restored)
    try:
        admin = mint_token(turno, "admin", NOTIFY_TENANT)
        status, settings = call(server.url, "GET", "/v1/notifications/settings", admin)
        checks.check(status == 200 and settings["configured"]
                     and settings["settings"]["webhook"]["secret_set"]
                     and settings["settings"]["reminder_offsets_min"] == [1440, 90],
                     f"restored notification settings: {status} {settings}")
        status, contact = call(server.url, "GET", "/v1/notifications/contacts/client/c-1", admin)
        checks.check(status == 200 and contact["email"] == CONTACT["email"],
                     f"restored contact: {status} {contact}")
    finally:
        server.stop()


class TenantLoad:
    """Clients registering tenants t<client>-<n> one after another; records each 201."""

    def __init__(self, url, token):
        self.url = url
        self.token = token
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged = []
        self.errors = []
        self.threads = [threading.Thread(target=self.run, args=(c,)) for c in range(CLIENTS)]
        for thread in self.threads:
            thread.start()

    def run(self, client):
        n = 0
        while not self.stop.is_set():
            tenant = f"t{client}-{n}"
            body = json.dumps({"tenant_id": tenant, "name": tenant, "currency": "PEN",
                               "tax_rate_bp": 1800, "invoice_series": "F001"}).encode()
            request = urllib.request.Request(
                self.url + "/v1/tenants", data=body, method="POST",
                headers={"Authorization": "Bearer " + self.token, "Idempotency-Key": tenant,
                         "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    if response.status == 201:
                        with self.lock:
                            self.acknowledged.append(tenant)
            except Exception as error:  # noqa: BLE001 - recorded and reported
                with self.lock:
                    self.errors.append(f"{tenant}: {error}")
            n += 1

    def snapshot(self):
        with self.lock:
            return list(self.acknowledged)

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def exported_tenants(turno, data):
    out = subprocess.run([turno, "export", "--data", data, "--type", "tenant_registered"],
                         check=True, capture_output=True, text=True).stdout
    tenants = set()
    for line in out.splitlines():
        record = json.loads(line)
        if "tenantRegistered" in record:
            tenants.add(record["tenantId"])
    return tenants


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--turno", required=True)
    arguments = parser.parse_args()
    turno = arguments.turno
    checks = Checks("check_backup_serve")
    server = RunningServer(turno, ["--jwt-secret", SECRET])
    work = tempfile.TemporaryDirectory(prefix="turno-ops-backup-")
    backup = os.path.join(work.name, "backup")
    restored = os.path.join(work.name, "restored")
    set_notifications(checks, turno, server.url)
    load = TenantLoad(server.url, mint_token(turno))
    try:
        deadline = time.monotonic() + 120
        while len(load.snapshot()) < ACKNOWLEDGED_BEFORE_BACKUP and time.monotonic() < deadline:
            time.sleep(0.05)
        before = load.snapshot()  # the backup begins now
        result = subprocess.run([turno, "backup", "--data", server.data, "--to", backup],
                                capture_output=True, text=True)
        during = len(load.snapshot()) - len(before)
    finally:
        load.finish()
        server.stop()
    checks.check(len(before) >= ACKNOWLEDGED_BEFORE_BACKUP,
                 f"only {len(before)} tenants acknowledged before the backup")
    checks.check(not load.errors, f"requests failed: {load.errors[:3]}")
    if checks.check(result.returncode == 0, f"turno backup failed: {result.stderr}"):
        checks.note(f"{len(before)} tenants acknowledged before the backup, {during} during it; "
                    f"{result.stdout.strip()}")
        checks.check(during > 0, "the server should keep acknowledging during the backup")
        restore = subprocess.run([turno, "restore", "--from", backup, "--data", restored],
                                 capture_output=True, text=True)
        if checks.check(restore.returncode == 0, f"turno restore failed: {restore.stderr}"):
            verify = subprocess.run([turno, "verify", "--data", restored], capture_output=True, text=True)
            checks.check(verify.returncode == 0, f"turno verify of the restored copy: {verify.stdout}{verify.stderr}")
            missing = set(before) - exported_tenants(turno, restored)
            checks.check(not missing, f"{len(missing)} acknowledged tenants missing, e.g. {sorted(missing)[:3]}")
            check_notifications_restored(checks, turno, restored)
    work.cleanup()
    checks.finish()


if __name__ == "__main__":
    main()
