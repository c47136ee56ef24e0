#!/usr/bin/env python3
"""Static checks of the deployables in ops/ against the code they deploy: the environment
file against `turno serve --help`, the systemd units (systemd-analyze), ops/install (staged
with DESTDIR), the Dockerfile, compose.yaml, the Kubernetes manifests and the NATS Helm
values: files parse, required fields are there, and ports, probes and flags agree with serve's
defaults. No Docker engine, cluster or network is needed.

usage: check_deploy.py --turno BUILD/turno --source REPO"""

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile

import yaml

from ops_common import (PENDING_FLAGS, Checks, default_metrics_port, default_port, environment_name,
                        known_variable, serve_flags)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"


# ------------------------------------------------------------------------------ env file

def parse_env_file(path):
    """[(name, value, commented, documented)] for every TURNO_* line, set or commented."""
    entries = []
    previous_comment = False
    for line in open(path):
        line = line.rstrip("\n")
        match = re.match(r"^(#?)(TURNO_[A-Z0-9_]+)=(.*)$", line)
        if match:
            entries.append((match.group(2), match.group(3), match.group(1) == "#",
                            previous_comment))
            continue
        previous_comment = line.startswith("#") and not line.startswith("# ----")
        if not line.strip():
            previous_comment = False
    return entries


def check_env_file(checks, ops, flags):
    entries = parse_env_file(os.path.join(ops, "turno.env"))
    names = {name for name, *_ in entries}
    for flag, default in flags.items():
        checks.check(environment_name(flag) in names,
                     f"turno.env does not document --{flag} ({environment_name(flag)})")
    for name, value, commented, documented in entries:
        checks.check(known_variable(name, flags), f"turno.env sets {name}, which serve does not read")
        checks.check(documented, f"turno.env: {name} has no comment saying what it does")
        flag = name[len("TURNO_"):].lower().replace("_", "-")
        if commented and flags.get(flag) is not None and value:
            checks.check(value == flags[flag],
                         f"turno.env shows {name}={value}, serve's default is {flags[flag]}")
    checks.check(any(n == "TURNO_DATA" and not c for n, _, c, _ in entries),
                 "turno.env must set TURNO_DATA (serve requires --data)")
    for flag, owner in PENDING_FLAGS.items():
        if flag not in flags:
            checks.note(f"--{flag} is used by ops files but not in serve yet ({owner})")


# ------------------------------------------------------------------------------ systemd

def parse_unit(path):
    """{(section, key): [values]} of a systemd unit file."""
    section = None
    values = {}
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        values.setdefault((section, key), []).append(value)
    return values


def check_systemd(checks, ops, turno, flags):
    unit = parse_unit(os.path.join(ops, "systemd", "turno.service"))
    expect = {
        ("Service", "User"): "turno",
        ("Service", "NoNewPrivileges"): "yes",
        ("Service", "Restart"): "on-failure",
        ("Service", "EnvironmentFile"): "/etc/turno/turno.env",
        ("Service", "StateDirectory"): "turno",
        ("Service", "KillSignal"): "SIGTERM",
        ("Service", "ProtectSystem"): "strict",
        ("Service", "ExecStart"): "/usr/local/bin/turno serve",
    }
    for key, value in expect.items():
        checks.check(unit.get(key) == [value], f"turno.service: {key[1]} should be {value}, is {unit.get(key)}")
    stop = unit.get(("Service", "TimeoutStopSec"), ["0s"])[0]
    checks.check(int(stop.rstrip("s")) > 10, "turno.service: TimeoutStopSec must exceed serve's 10 s drain")
    env = dict((n, v) for n, v, c, _ in parse_env_file(os.path.join(ops, "turno.env")) if not c)
    checks.check(env.get("TURNO_DATA", "").startswith("/var/lib/turno/"),
                 "turno.env's TURNO_DATA must be under the unit's StateDirectory /var/lib/turno")

    backup = parse_unit(os.path.join(ops, "systemd", "turno-backup.service"))
    exec_start = " ".join(backup.get(("Service", "ExecStart"), []))
    checks.check("/usr/local/bin/turno backup --to" in exec_start,
                 "turno-backup.service must run `turno backup --to ...`")
    backup_help = subprocess.run([turno, "backup", "--help"], capture_output=True, text=True).stdout
    checks.check("--to VALUE" in backup_help and "[TURNO_DATA]" in backup_help,
                 "turno backup takes --to and reads --data from TURNO_DATA (the unit relies on it)")
    checks.check(os.path.exists(os.path.join(ops, "systemd", "turno-backup.timer")),
                 "turno-backup.timer is missing")

    analyze = shutil.which("systemd-analyze")
    if not analyze:
        checks.note("systemd-analyze not found: units checked by parsing only")
        return
    with tempfile.TemporaryDirectory() as staged:
        for name in ("turno.service", "turno-backup.service", "turno-backup.timer"):
            text = open(os.path.join(ops, "systemd", name)).read()
            open(os.path.join(staged, name), "w").write(
                text.replace("/usr/local/bin/turno", os.path.abspath(turno)))
        result = subprocess.run([analyze, "verify"] + [os.path.join(staged, n) for n in
                                ("turno.service", "turno-backup.service", "turno-backup.timer")],
                                capture_output=True, text=True)
        checks.check(result.returncode == 0 and not result.stderr.strip(),
                     f"systemd-analyze verify: {result.stderr.strip()}")


# ------------------------------------------------------------------------------ install

def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def check_install(checks, source, turno):
    with tempfile.TemporaryDirectory() as destdir:
        env = dict(os.environ, DESTDIR=destdir)
        command = [os.path.join(source, "ops", "install"), "--binary", turno]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if not checks.check(result.returncode == 0, f"ops/install (DESTDIR) failed: {result.stderr}"):
            return
        expected = {
            "usr/local/bin/turno": 0o755,
            "etc/systemd/system/turno.service": 0o644,
            "etc/systemd/system/turno-backup.service": 0o644,
            "etc/systemd/system/turno-backup.timer": 0o644,
            "etc/turno/turno.env": 0o640,
            "usr/local/share/doc/turno/README.md": 0o644,
            "usr/local/share/doc/turno/SCALING.md": 0o644,
        }
        for path, mode in expected.items():
            full = os.path.join(destdir, path)
            if checks.check(os.path.exists(full), f"ops/install did not install /{path}"):
                checks.check(mode_of(full) == mode, f"/{path} has mode {oct(mode_of(full))}, want {oct(mode)}")
        # A second run keeps the operator's settings and puts the new template beside them.
        env_file = os.path.join(destdir, "etc/turno/turno.env")
        open(env_file, "a").write("TURNO_LISTEN=0.0.0.0:8080\n")
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        checks.check(result.returncode == 0 and "TURNO_LISTEN=0.0.0.0:8080" in open(env_file).read()
                     and os.path.exists(env_file + ".dist"),
                     "ops/install must keep an existing turno.env and write turno.env.dist")
    packages = subprocess.run([os.path.join(source, "ops", "runtime-packages"), turno],
                              capture_output=True, text=True)
    listed = packages.stdout.split()
    checks.check(packages.returncode == 0 and any(p.startswith("librocksdb") for p in listed)
                 and "libc6" in listed,
                 f"ops/runtime-packages should list the binary's libraries: {packages.stdout} {packages.stderr}")


# ------------------------------------------------------------------------------ Dockerfile

def dockerfile_stages(path):
    """[(from_line, [(instruction, arguments)])], continuation lines joined."""
    text = re.sub(r"\\\n", " ", open(path).read())
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            stages.append((arguments, []))
        elif stages:
            stages[-1][1].append((instruction, arguments.strip()))
    return stages


def check_dockerfile(checks, ops, flags):
    port = default_port(flags)
    stages = dockerfile_stages(os.path.join(ops, "Dockerfile"))
    checks.check(len(stages) >= 2, "Dockerfile must be multi-stage (build, runtime)")
    for base, _ in stages:
        checks.check(base.split()[0].startswith("debian:12"), f"Dockerfile stage on {base}: want Debian 12")
    _, runtime = stages[-1]
    by = {}
    for instruction, arguments in runtime:
        by.setdefault(instruction, []).append(arguments)
    user = by.get("USER", ["root"])[-1].split(":")[0]
    checks.check(user not in ("root", "0"), f"runtime stage runs as {user}: want a non-root user")
    health = " ".join(by.get("HEALTHCHECK", []))
    checks.check(f"127.0.0.1:{port}{HEALTH_PATH}" in health,
                 f"HEALTHCHECK must probe {HEALTH_PATH} on port {port}: {health}")
    checks.check(by.get("EXPOSE") == [str(port)], f"EXPOSE should be {port}: {by.get('EXPOSE')}")
    env_text = " ".join(by.get("ENV", []))
    environment = dict(re.findall(r"(TURNO_[A-Z0-9_]+)=(\S+)", env_text))
    for name in environment:
        checks.check(known_variable(name, flags), f"Dockerfile sets {name}, which serve does not read")
    listen = environment.get("TURNO_LISTEN", flags["listen"])
    checks.check(listen.startswith("0.0.0.0:") and listen.endswith(f":{port}"),
                 f"the image must listen on 0.0.0.0:{port} (TURNO_LISTEN={listen})")
    runs = " ".join(by.get("RUN", []))
    checks.check("tzdata" in runs, "the runtime image needs tzdata (IANA zones for schedules)")
    checks.check("runtime-packages" in runs, "the runtime stage installs ops/runtime-packages' list")
    checks.check(any(a.startswith("--from=build") for a in by.get("COPY", [])),
                 "the runtime stage copies the binary from the build stage")
    checks.check(any("turno" in e for e in by.get("ENTRYPOINT", [])) and by.get("CMD") == ['["serve"]'],
                 "ENTRYPOINT turno, CMD serve")
    ignore = open(os.path.join(ops, "Dockerfile.dockerignore")).read().split()
    checks.check("build" in ignore and "build-*" in ignore and ".git" in ignore,
                 "Dockerfile.dockerignore must keep build directories and .git out of the context")


# ------------------------------------------------------------------------------ compose

def container_port(mapping):
    return int(str(mapping).split(":")[-1].split("/")[0])


def hosts_and_ports(urls):
    return [(u.split("://")[1].rsplit(":", 1)[0], int(u.rsplit(":", 1)[1])) for u in urls.split(",")]


def check_nats_conf(checks, path):
    text = open(path).read()
    routes = re.findall(r"nats-route://([a-z0-9-]+):(\d+)", text)
    listen = re.search(r"^listen:\s*[\d.]+:(\d+)", text, re.M)
    nats_server = shutil.which("nats-server")
    if nats_server:
        result = subprocess.run([nats_server, "-c", path, "-t"], capture_output=True, text=True)
        checks.check(result.returncode == 0, f"nats-server -t {path}: {result.stderr}")
    else:
        checks.note("nats-server not found: nats.conf checked by parsing only")
    return routes, int(listen.group(1)) if listen else None


def check_compose(checks, ops, flags):
    port = default_port(flags)
    metrics_port = default_metrics_port(flags)
    compose = yaml.safe_load(open(os.path.join(ops, "compose.yaml")))
    services = compose.get("services", {})
    for name in ("turno-command", "turno-query", "nats-1", "nats-2", "nats-3", "prometheus", "grafana"):
        checks.check(name in services, f"compose.yaml lacks service {name}")
    routes, nats_port = check_nats_conf(checks, os.path.join(ops, "nats", "nats.conf"))
    checks.check(sorted(h for h, _ in routes) == ["nats-1", "nats-2", "nats-3"],
                 f"nats.conf routes should name nats-1..3: {routes}")
    names = []
    for name in ("nats-1", "nats-2", "nats-3"):
        command = services.get(name, {}).get("command", [])
        names.append(command[command.index("--name") + 1] if "--name" in command else None)
        checks.check(any(str(v).endswith(":/data") for v in services.get(name, {}).get("volumes", [])),
                     f"{name} needs a volume for its JetStream store (/data)")
    checks.check(len(set(names)) == 3 and None not in names, f"NATS server names must be unique: {names}")

    roles = {}
    for name in ("turno-command", "turno-query"):
        service = services.get(name, {})
        build = service.get("build", {})
        checks.check(os.path.exists(os.path.join(ops, build.get("context", "."), build.get("dockerfile", ""))),
                     f"{name}: build.dockerfile does not exist relative to its context")
        for env_file in service.get("env_file", []):
            checks.check(os.path.exists(os.path.join(ops, env_file)), f"{name}: env_file {env_file} missing")
        environment = service.get("environment", {})
        for variable in environment:
            checks.check(known_variable(variable, flags), f"{name} sets {variable}, which serve does not read")
        listen = environment.get("TURNO_LISTEN", flags["listen"])
        checks.check(listen == f"0.0.0.0:{port}", f"{name}: TURNO_LISTEN should be 0.0.0.0:{port}")
        metrics_listen = environment.get("TURNO_METRICS_LISTEN", flags["metrics-listen"])
        checks.check(metrics_listen == f"0.0.0.0:{metrics_port}",
                     f"{name}: TURNO_METRICS_LISTEN should be 0.0.0.0:{metrics_port} (for Prometheus)")
        checks.check([container_port(p) for p in service.get("ports", [])] == [port],
                     f"{name}: publish the container port {port}")
        roles[name] = environment.get("TURNO_ROLE")
        for host, nats_client_port in hosts_and_ports(environment.get("TURNO_NATS", "")):
            checks.check(host in services and nats_client_port == nats_port,
                         f"{name}: TURNO_NATS names {host}:{nats_client_port}, not a NATS service on {nats_port}")
        checks.check(any(str(v).endswith(":/var/lib/turno") for v in service.get("volumes", [])),
                     f"{name}: mount a volume at /var/lib/turno (TURNO_DATA lives below it)")
    checks.check(roles == {"turno-command": "command", "turno-query": "query"},
                 f"compose roles should be command and query: {roles}")

    def bind_sources(service):
        return {v.split(":")[1]: os.path.join(ops, v.split(":")[0]) for v in service.get("volumes", [])
                if str(v).startswith("./")}
    prometheus_binds = bind_sources(services.get("prometheus", {}))
    config_dir = prometheus_binds.get("/etc/prometheus")
    if checks.check(config_dir and os.path.isdir(config_dir), "prometheus must mount ops/prometheus at /etc/prometheus"):
        prometheus = yaml.safe_load(open(os.path.join(config_dir, "prometheus.yml")))
        targets = [t for job in prometheus["scrape_configs"] for group in job.get("static_configs", [])
                   for t in group["targets"] if t.startswith("turno-")]
        checks.check(sorted(targets) == [f"turno-command:{metrics_port}", f"turno-query:{metrics_port}"],
                     f"prometheus.yml should scrape both roles on port {metrics_port}: {targets}")
        for rule_file in prometheus.get("rule_files", []):
            checks.check(os.path.exists(os.path.join(config_dir, rule_file)), f"rule file {rule_file} missing")
    grafana_binds = bind_sources(services.get("grafana", {}))
    provisioning = grafana_binds.get("/etc/grafana/provisioning")
    checks.check(provisioning and os.path.isdir(os.path.join(provisioning, "dashboards")),
                 "grafana must mount ops/grafana/provisioning at /etc/grafana/provisioning")
    dashboards_mount = [m for m in grafana_binds if m.endswith("/dashboards")]
    if provisioning and checks.check(len(dashboards_mount) == 1, "grafana must mount the dashboards directory"):
        provider = yaml.safe_load(open(os.path.join(provisioning, "dashboards", "turno.yml")))
        checks.check(provider["providers"][0]["options"]["path"] == dashboards_mount[0],
                     "the dashboard provider's path must be where compose mounts ops/grafana/dashboards")


# ------------------------------------------------------------------------------ Kubernetes

def load_manifests(directory):
    documents = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".yaml") and name not in ("kustomization.yaml", "nats-values.yaml"):
            for document in yaml.safe_load_all(open(os.path.join(directory, name))):
                if document:
                    documents.append((name, document))
    return documents


def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def check_probe(checks, where, probe, path, container):
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    get = (probe or {}).get("httpGet", {})
    checks.check(get.get("path") == path, f"{where}: probe path {get.get('path')}, want {path}")
    port = get.get("port")
    return ports.get(port, port)


def check_workload(checks, name, workload, config, secrets, port, metrics_port):
    pod = workload["spec"]["template"]
    spec = pod["spec"]
    container = spec["containers"][0]
    checks.check(spec.get("securityContext", {}).get("runAsNonRoot") is True, f"{name}: runAsNonRoot")
    checks.check(container.get("securityContext", {}).get("allowPrivilegeEscalation") is False,
                 f"{name}: allowPrivilegeEscalation false")
    container_ports = [p["containerPort"] for p in container.get("ports", [])]
    checks.check(container_ports == [port, metrics_port],
                 f"{name}: containerPorts should be serve's {port} and {metrics_port}: {container_ports}")
    probe_ports = {
        check_probe(checks, f"{name} readiness", container.get("readinessProbe"), READY_PATH, container),
        check_probe(checks, f"{name} liveness", container.get("livenessProbe"), HEALTH_PATH, container),
    }
    checks.check(probe_ports == {port}, f"{name}: probes must target port {port}: {probe_ports}")
    annotations = pod["metadata"].get("annotations", {})
    checks.check(annotations.get("prometheus.io/port") == str(metrics_port),
                 f"{name}: scrape annotation port should be the metrics listener's {metrics_port}")
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            checks.check(source["configMapRef"]["name"] == config["metadata"]["name"], f"{name}: configMapRef")
        if "secretRef" in source:
            checks.check(source["secretRef"]["name"] == secrets["metadata"]["name"], f"{name}: secretRef")
    data_dir = config["data"].get("TURNO_DATA", "")
    mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
    checks.check(any(data_dir.startswith(path.rstrip("/") + "/") for path in mounts.values()),
                 f"{name}: TURNO_DATA {data_dir} is not on a mounted volume")
    return {e["name"]: e.get("value") for e in container.get("env", [])}, mounts


def check_kubernetes(checks, ops, flags):
    port = default_port(flags)
    metrics_port = default_metrics_port(flags)
    directory = os.path.join(ops, "k8s")
    kustomization = yaml.safe_load(open(os.path.join(directory, "kustomization.yaml")))
    documents = load_manifests(directory)
    files = {name for name, _ in documents}
    checks.check(set(kustomization["resources"]) == files,
                 f"kustomization resources {kustomization['resources']} != manifests {sorted(files)}")
    by_kind = {}
    for _, document in documents:
        by_kind.setdefault(document["kind"], []).append(document)
    for kind, count in {"Namespace": 1, "ConfigMap": 2, "Secret": 1, "Service": 2, "StatefulSet": 1,
                        "Deployment": 1, "HorizontalPodAutoscaler": 1, "PodDisruptionBudget": 2}.items():
        checks.check(len(by_kind.get(kind, [])) == count, f"k8s: want {count} {kind}, have {len(by_kind.get(kind, []))}")
    config = next(c for c in by_kind["ConfigMap"] if c["metadata"]["name"] == "turno-config")
    shard_maps = [c for c in by_kind["ConfigMap"] if c["metadata"]["name"] == "turno-shards"]
    checks.check(len(shard_maps) == 1 and "shards.json" in shard_maps[0]["data"] and
                 isinstance(json.loads(shard_maps[0]["data"]["shards.json"]).get("shards"), list),
                 "k8s: ConfigMap turno-shards holds shards.json, a shard map")
    secrets = by_kind["Secret"][0]
    for variable in list(config["data"]) + list(secrets.get("stringData", {})):
        checks.check(known_variable(variable, flags), f"k8s config sets {variable}, which serve does not read")
    checks.check(config["data"].get("TURNO_LISTEN") == f"0.0.0.0:{port}", f"ConfigMap TURNO_LISTEN should be 0.0.0.0:{port}")
    checks.check(config["data"].get("TURNO_METRICS_LISTEN") == f"0.0.0.0:{metrics_port}",
                 f"ConfigMap TURNO_METRICS_LISTEN should be 0.0.0.0:{metrics_port}")

    statefulset = by_kind["StatefulSet"][0]
    env, mounts = check_workload(checks, "StatefulSet", statefulset, config, secrets, port, metrics_port)
    checks.check(env.get("TURNO_ROLE") == "command", "the StatefulSet runs the command role")
    claims = [t["metadata"]["name"] for t in statefulset["spec"].get("volumeClaimTemplates", [])]
    checks.check(claims and all(c in mounts for c in claims), "StatefulSet: a volumeClaimTemplate mounted as the data volume")
    headless = [s for s in by_kind["Service"] if s["metadata"]["name"] == statefulset["spec"]["serviceName"]]
    checks.check(headless and headless[0]["spec"].get("clusterIP") == "None",
                 "StatefulSet.serviceName must be a headless Service")

    deployment = by_kind["Deployment"][0]
    env, _ = check_workload(checks, "Deployment", deployment, config, secrets, port, metrics_port)
    checks.check(env.get("TURNO_ROLE") == "query", "the Deployment runs the query role")
    checks.check("replicas" not in deployment["spec"], "the query Deployment leaves replicas to the HPA")
    hpa = by_kind["HorizontalPodAutoscaler"][0]
    target = hpa["spec"]["scaleTargetRef"]
    checks.check(target["kind"] == "Deployment" and target["name"] == deployment["metadata"]["name"],
                 "the HPA scales the query Deployment")
    checks.check(hpa["spec"]["minReplicas"] >= 2, "the HPA keeps at least 2 query replicas (PDB minAvailable 1)")

    workloads = [statefulset, deployment]
    for pdb in by_kind["PodDisruptionBudget"]:
        selector = pdb["spec"]["selector"]["matchLabels"]
        covered = [w for w in workloads if matches(selector, w["spec"]["template"]["metadata"]["labels"])]
        checks.check(len(covered) == 1, f"PDB {pdb['metadata']['name']} should select exactly one workload")
    for service in by_kind["Service"]:
        selected = [w for w in workloads if matches(service["spec"]["selector"], w["spec"]["template"]["metadata"]["labels"])]
        if checks.check(len(selected) == 1, f"Service {service['metadata']['name']} selects no single workload"):
            names = {p.get("name") for p in selected[0]["spec"]["template"]["spec"]["containers"][0]["ports"]}
            for service_port in service["spec"]["ports"]:
                checks.check(service_port["targetPort"] in names or service_port["targetPort"] == port,
                             f"Service {service['metadata']['name']}: targetPort {service_port['targetPort']}")
    check_nats_values(checks, directory, config)


def check_nats_values(checks, directory, config):
    values = yaml.safe_load(open(os.path.join(directory, "nats-values.yaml")))
    nats = values.get("config", {})
    checks.check(nats.get("cluster", {}).get("enabled") is True and nats["cluster"].get("replicas") == 3,
                 "nats-values: a 3-node cluster (config.cluster.enabled, replicas 3)")
    jetstream = nats.get("jetstream", {})
    checks.check(jetstream.get("enabled") is True and jetstream.get("fileStore", {}).get("pvc", {}).get("enabled") is True,
                 "nats-values: JetStream with a file store on a PVC")
    checks.check(values.get("podDisruptionBudget", {}).get("enabled") is True, "nats-values: keep the chart's PDB")
    for host, client_port in hosts_and_ports(config["data"].get("TURNO_NATS", "")):
        checks.check(host == values.get("fullnameOverride"), f"TURNO_NATS host {host} is not the chart's Service")
        checks.check(client_port == nats.get("nats", {}).get("port", 4222), "TURNO_NATS port is not the chart's client port")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--turno", required=True)
    parser.add_argument("--source", required=True)
    arguments = parser.parse_args()
    ops = os.path.join(arguments.source, "ops")
    checks = Checks("check_deploy")
    flags = serve_flags(arguments.turno)
    checks.check("listen" in flags and "data" in flags, f"serve --help lacks --listen/--data: {flags}")
    check_env_file(checks, ops, flags)
    check_systemd(checks, ops, arguments.turno, flags)
    check_install(checks, arguments.source, arguments.turno)
    check_dockerfile(checks, ops, flags)
    check_compose(checks, ops, flags)
    check_kubernetes(checks, ops, flags)
    checks.finish()


if __name__ == "__main__":
    main()
