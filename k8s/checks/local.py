"""The container build and the compose file: per-service targets running as no root, and
containers on the settings the manifests use."""

import re
from pathlib import Path

import yaml

from . import SECRET_KEYS, Report


def volume(compose_dir: Path, spec: str) -> tuple[Path, str]:
    """`host:container[:mode]` into (host path resolved from the compose file, container)."""
    host, container = spec.split(":")[:2]
    return (compose_dir / host).resolve(), container


def check_compose(report: Report, root: Path, ports: dict[str, int]) -> None:
    path = root / "deploy" / "compose.yaml"
    services = yaml.safe_load(path.read_text()).get("services") or {}
    for name in ("postgres", "redis", "otel-collector", *ports):
        report.check(name in services, "compose", f"service {name} missing")
    secret_keys = set().union(*SECRET_KEYS.values())
    settings_file = (root / "k8s" / "base" / "vipcare.toml").resolve()
    for svc, port in ports.items():
        s = services.get(svc)
        if not s:
            continue
        where = f"compose service {svc}"
        build = s.get("build") or {}
        report.check(build.get("target") == svc and build.get("dockerfile") == "deploy/Dockerfile"
                     and (path.parent / build.get("context", ".")).resolve() == root.resolve(),
                     where, f"is not built from deploy/Dockerfile's {svc} target")
        mounts = {inside: host for host, inside in
                  (volume(path.parent, v) for v in s.get("volumes", []))}
        command = s.get("command") or []
        config = command[1] if command[:1] == ["--config"] else None
        report.check(config is not None and mounts.get(config) == settings_file, where,
                     "does not run on k8s/base/vipcare.toml, the settings the manifests use")
        env = s.get("environment") or {}
        report.check(secret_keys <= set(env), where,
                     f"lacks the Secrets' keys {sorted(secret_keys - set(env))}")
        report.check("@postgres:" in env.get("VIPCARE__DATABASE__URL", ""), where,
                     "its database is not the postgres service")
        report.check(env.get("VIPCARE__CACHE__REDIS_URL", "").startswith("redis://redis:"), where,
                     "its Redis is not the redis service")
        report.check(len(env.get("VIPCARE__INTERNAL__SECRET", "")) >= 32, where,
                     "internal secret shorter than 32 characters")
        report.check(env.get("VIPCARE__TELEMETRY__OTLP_ENDPOINT") == "http://otel-collector:4317",
                     where, "does not send telemetry to http://otel-collector:4317")
        user = str(s.get("user", "0")).split(":")[0]
        report.check(s.get("read_only") is True and "ALL" in (s.get("cap_drop") or [])
                     and user not in ("0", "root"), where,
                     "not read-only and non-root with every capability dropped, as in Kubernetes")
        if svc == "gateway":
            report.check(any(str(p).endswith(f":{port}") for p in s.get("ports", [])), where,
                         f"does not publish port {port}")
    otel = services.get("otel-collector") or {}
    where = "compose service otel-collector"
    report.check("otel/opentelemetry-collector-contrib" in otel.get("image", ""), where,
                 "is not the otel/opentelemetry-collector-contrib image")
    config = next((host for host, _ in (volume(path.parent, v) for v in otel.get("volumes", []))
                   if host.is_file()), None)
    if report.check(config is not None, where, "mounts no config file that exists"):
        conf = yaml.safe_load(config.read_text())
        grpc = (((conf.get("receivers") or {}).get("otlp") or {}).get("protocols") or {}) \
            .get("grpc") or {}
        report.check(str(grpc.get("endpoint", "")).endswith(":4317"), str(config),
                     "no OTLP/gRPC receiver on 4317")
        pipes = (conf.get("service") or {}).get("pipelines") or {}
        report.check(bool(pipes) and all("otlp" in p.get("receivers", []) and p.get("exporters")
                                         for p in pipes.values()),
                     str(config), "a pipeline does not take OTLP or exports nowhere")


def dockerfile_stages(text: str) -> dict[str, dict]:
    """Each stage's base, USER, ENTRYPOINT and COPY lines (continuations joined)."""
    stages: dict[str, dict] = {}
    current = None
    for line in re.sub(r"\\\n", " ", text).splitlines():
        line = line.strip()
        found = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
        word = line.split(" ", 1)[0].upper()
        if found:
            current = {"from": found.group(1), "USER": None, "ENTRYPOINT": None, "COPY": []}
            stages[found.group(2) or found.group(1)] = current
        elif current is not None and word in ("USER", "ENTRYPOINT"):
            current[word] = line.split(None, 1)[1]
        elif current is not None and word == "COPY":
            current["COPY"].append(line)
    return stages


def check_dockerfile(report: Report, root: Path, ports: dict[str, int]) -> None:
    text = (root / "deploy" / "Dockerfile").read_text()
    stages = dockerfile_stages(text)

    def inherited(stage: str, key: str) -> str | None:
        while stage in stages:
            if stages[stage][key]:
                return stages[stage][key]
            stage = stages[stage]["from"]
        return None

    def base_image(stage: str) -> str:
        while stage in stages:
            stage = stages[stage]["from"]
        return stage

    builds = [line for line in re.sub(r"\\\n", " ", text).splitlines() if "cargo build" in line]
    report.check(len(builds) == 1, "deploy/Dockerfile",
                 f"{len(builds)} cargo builds, not one for every binary")
    for svc in ports:
        where = f"deploy/Dockerfile target {svc}"
        report.check(any(f"--bin vipcare-{svc}" in b for b in builds), "deploy/Dockerfile",
                     f"the build does not build vipcare-{svc}")
        if not report.check(svc in stages, where, "missing"):
            continue
        report.check(inherited(svc, "ENTRYPOINT") == f'["/usr/local/bin/vipcare-{svc}"]', where,
                     f"entrypoint is not /usr/local/bin/vipcare-{svc}")
        copied = re.findall(r"/target/release/([\w-]+)", " ".join(stages[svc]["COPY"]))
        report.check(copied == [f"vipcare-{svc}"], where,
                     f"copies {copied}, not vipcare-{svc} alone")
        user = (inherited(svc, "USER") or "0").split(":")[0]
        report.check(user.isdigit() and user != "0", where,
                     f"runs as user {user!r}, not a numeric non-root uid")
        image = base_image(svc)
        report.check(re.match(r"(debian:[\w.-]*slim|gcr\.io/distroless/)", image) is not None,
                     where, f"runtime base {image} is not a slim Debian or distroless image")
    ignore = root / ".dockerignore"
    ignored = ignore.read_text().split() if ignore.exists() else []
    report.check({"target", ".git"} <= set(ignored), ".dockerignore",
                 "does not keep target and .git out of the build context")
