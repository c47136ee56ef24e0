"""What the ops checks need to know about the code: serve's flags and defaults (from the real
binary), a running server to scrape, and a small failure collector."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.request

# Flags that ops files may already use but `turno serve` does not parse yet, with who adds
# them. Setting TURNO_<NAME> for them is harmless today: Flags reads only the names it knows.
PENDING_FLAGS = {
    "role": "views engineer: `turno serve --role command|query` (projections/)",
    "nats": "views engineer: `turno serve --nats URL` (projections/ NATS bus)",
}

# Variables serve reads by prefix rather than through its flag table (api/cli/serve.cc).
PREFIX_VARIABLES = ("TURNO_WEBHOOK_SECRET_",)


class Checks:
    """Collects failures so one run reports all of them; exit status 1 if any."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.count = 0

    def check(self, condition, message):
        self.count += 1
        if not condition:
            self.failures.append(message)
        return condition

    def note(self, message):
        print(f"{self.name}: note: {message}")

    def finish(self):
        for failure in self.failures:
            print(f"{self.name}: FAIL: {failure}")
        print(f"{self.name}: {self.count - len(self.failures)}/{self.count} checks passed")
        sys.exit(1 if self.failures else 0)


def serve_flags(turno):
    """{flag: default or None} parsed from `turno serve --help` (the flag table itself)."""
    out = subprocess.run([turno, "serve", "--help"], check=True, capture_output=True,
                         text=True).stdout
    flags = {}
    for line in out.splitlines():
        match = re.match(r"\s+--([a-z0-9-]+)(?: VALUE)?\s+(.*?)\s+\[(TURNO_[A-Z0-9_]+)\]$", line)
        if not match:
            continue
        name, help_text, _ = match.groups()
        default = re.search(r"\(default (.*)\)$", help_text)
        flags[name] = default.group(1) if default else None
    flags.pop("help", None)
    return flags


def environment_name(flag):
    return "TURNO_" + flag.replace("-", "_").upper()


def known_variable(name, flags):
    """True if serve (or a pending flag) reads environment variable `name`."""
    if name.startswith(PREFIX_VARIABLES):
        return True
    names = {environment_name(f) for f in flags} | {environment_name(f) for f in PENDING_FLAGS}
    return name in names


def default_port(flags):
    return int(flags["listen"].rsplit(":", 1)[1])


def default_metrics_port(flags):
    """The port of serve's default metrics listener (--metrics-listen), where /metrics is."""
    return int(flags["metrics-listen"].rsplit(":", 1)[1])


class RunningServer:
    """`turno serve` on a free loopback port with a fresh data directory, or on `data`."""

    def __init__(self, turno, extra_flags=(), data=None):
        self.directory = tempfile.TemporaryDirectory(prefix="turno-ops-")
        self.data = data or os.path.join(self.directory.name, "data")
        # Only the flags given here: a TURNO_* variable in the caller's environment must not
        # change what is tested.
        environment = {k: v for k, v in os.environ.items() if not k.startswith("TURNO_")}
        self.process = subprocess.Popen(
            [turno, "serve", "--data", self.data, "--listen", "127.0.0.1:0",
             "--metrics-listen", "127.0.0.1:0", "--access-log", "off", *extra_flags],
            stderr=subprocess.PIPE, text=True, env=environment)
        self.url = None
        self.metrics_url = None  # the internal listener of /metrics (--metrics-listen)
        for line in self.process.stderr:
            match = re.search(r'"url":"(http://[^"]+)"', line)
            if match:
                self.url = match.group(1)
                metrics = re.search(r'"metrics_url":"(http://[^"]+)"', line)
                self.metrics_url = metrics.group(1) if metrics else self.url
                break
        if self.url is None:
            self.stop()
            raise RuntimeError("turno serve did not start")

    def get(self, path, base=None):
        """(status, body) of GET path, on the main listener or on `base`."""
        try:
            with urllib.request.urlopen((base or self.url) + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.directory.cleanup()
