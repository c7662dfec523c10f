"""What every Deployment and each vipcare service must have in a rendered overlay."""

import base64
import re
import tomllib
from pathlib import Path

from . import NAMESPACE, SECRET_KEYS, Overlay, Report, matches, name_of
from .network import check_network


def effective_security(pod: dict, container: dict) -> dict:
    """The container's security context over the pod's (for the fields both may set)."""
    merged = {k: v for k, v in (pod.get("securityContext") or {}).items()
              if k in ("runAsNonRoot", "runAsUser", "runAsGroup", "seccompProfile")}
    merged.update(container.get("securityContext") or {})
    return merged


def check_locked_down(report: Report, ov: Overlay, dep: dict) -> None:
    """Probes, resources and the security context: every Deployment, ours or a dev backend."""
    pod = dep["spec"]["template"]["spec"]
    for c in pod["containers"] + pod.get("initContainers", []):
        where = ov.where(f"{name_of(dep)} container {c['name']}")
        if c in pod["containers"]:
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                report.check(probe in c, where, f"has no {probe}")
        resources = c.get("resources") or {}
        for side in ("requests", "limits"):
            for what in ("cpu", "memory"):
                report.check(what in (resources.get(side) or {}), where,
                             f"no {what} in resources.{side}")
        sec = effective_security(pod, c)
        report.check(sec.get("runAsNonRoot") is True, where, "runAsNonRoot is not true")
        report.check(isinstance(sec.get("runAsUser"), int) and sec["runAsUser"] != 0, where,
                     "runAsUser is not a non-zero uid")
        report.check(sec.get("readOnlyRootFilesystem") is True, where,
                     "readOnlyRootFilesystem is not true")
        report.check(sec.get("allowPrivilegeEscalation") is False, where,
                     "allowPrivilegeEscalation is not false")
        report.check(not sec.get("privileged"), where, "is privileged")
        caps = sec.get("capabilities") or {}
        report.check("ALL" in (caps.get("drop") or []) and not caps.get("add"), where,
                     "capabilities do not drop ALL (or add some back)")
        report.check((sec.get("seccompProfile") or {}).get("type") == "RuntimeDefault", where,
                     "seccompProfile is not RuntimeDefault")
    report.check(pod.get("automountServiceAccountToken") is not True, ov.where(dep),
                 "mounts a service account token")


def proto_services(root: Path, service: str) -> set[str]:
    """Full names of the gRPC services in the service's proto package."""
    names = set()
    for proto in (root / "proto" / "vipcare" / service / "v1").glob("*.proto"):
        text = proto.read_text()
        package = re.search(r"^package\s+([\w.]+);", text, re.M).group(1)
        names |= {f"{package}.{s}" for s in re.findall(r"^service\s+(\w+)", text, re.M)}
    return names


def split_image(image: str) -> tuple[str, str]:
    """registry/name:tag into (registry/name, tag); no tag: ''."""
    if ":" in image.rsplit("/", 1)[-1]:
        repo, _, tag = image.rpartition(":")
        return repo, tag
    return image, ""


def check_container(report: Report, ov: Overlay, dep: dict, c: dict, svc: str, port: int,
                    root: Path) -> None:
    """The service's own image and binary, its ports and its three gRPC probes."""
    where = ov.where(dep)
    repo, tag = split_image(c["image"])
    report.check(repo.rsplit("/", 1)[-1] == f"vipcare-{svc}", where,
                 f"image {c['image']} is not the service's own image vipcare-{svc}")
    report.check(tag not in ("", "latest"), where, f"image {c['image']} has no pinned tag")
    if ov.name == "production":
        report.check(tag != "dev", where, f"image {c['image']} is a dev build")
    command = c.get("command") or []
    report.check(command[:1] == [f"/usr/local/bin/vipcare-{svc}"], where,
                 f"command {command} does not run vipcare-{svc}")
    named = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    report.check(named.get("grpc") == port, where,
                 f"container port grpc is {named.get('grpc')}, not {port}")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        grpc = (c.get(probe) or {}).get("grpc")
        report.check(grpc is not None and grpc.get("port") == port, where,
                     f"{probe} is not a grpc.health.v1 probe on port {port}")
    served = proto_services(root, svc)
    ready_for = ((c.get("readinessProbe") or {}).get("grpc") or {}).get("service")
    report.check(ready_for in served, where, f"readinessProbe asks for {ready_for!r}, "
                 f"not one of the services it serves {sorted(served)}")


def check_settings_and_secrets(report: Report, ov: Overlay, dep: dict, c: dict) -> None:
    """Settings from the overlay's ConfigMap, secrets from Secrets, none in the manifest."""
    where = ov.where(dep)
    pod = dep["spec"]["template"]["spec"]
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
    config = next((v for v in pod.get("volumes", []) if "configMap" in v), None)
    cm = ov.get("ConfigMap", config["configMap"]["name"]) if config else None
    report.check(cm is not None and "vipcare.toml" in cm.get("data", {}), where,
                 "mounts no ConfigMap (from this overlay) holding vipcare.toml")
    if config:
        path = f"{mounts.get(config['name'])}/vipcare.toml"
        report.check((c.get("command") or [])[1:] == ["--config", path], where,
                     f"command does not read --config {path}")
    refs = [e["secretRef"]["name"] for e in c.get("envFrom", []) if "secretRef" in e]
    for secret, keys in SECRET_KEYS.items():
        # Generated secrets carry a hash suffix.
        ref = next((r for r in refs if r == secret or r.startswith(secret + "-")), None)
        if not report.check(ref is not None, where,
                            f"takes no environment from the {secret} Secret"):
            continue
        if ov.name == "production":
            report.check(ref == secret, where,
                         f"refers to {ref}: production's {secret} is created by hand")
        else:
            made = ov.get("Secret", ref)
            report.check(made is not None and keys <= set(made.get("data") or {}), where,
                         f"Secret {ref} is not in the overlay with keys {sorted(keys)}")
    every_key = set().union(*SECRET_KEYS.values())
    literal = [e["name"] for e in c.get("env", []) if "value" in e and e["name"] in every_key]
    report.check(not literal, where, f"secrets written into the manifest: {literal}")


def check_settings_file(report: Report, ov: Overlay, dep: dict, c: dict, svc: str, port: int,
                        settings: dict) -> None:
    """vipcare.toml listens and drains as the manifests expect."""
    where = ov.where("ConfigMap vipcare.toml")
    listen = (settings.get(svc) or {}).get("listen", "")
    report.check(listen == f"0.0.0.0:{port}", where,
                 f"{svc}.listen is {listen!r}, not 0.0.0.0:{port}")
    if svc != "gateway":
        peer = (settings.get("services") or {}).get(svc)
        report.check(peer == f"http://{svc}:{port}", where,
                     f"services.{svc} is {peer!r}, not http://{svc}:{port}")
    metrics = int(settings["telemetry"]["metrics_listen"].rsplit(":", 1)[1])
    named = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    report.check(named.get("metrics") == metrics, ov.where(dep),
                 f"container port metrics is {named.get('metrics')}, "
                 f"not telemetry.metrics_listen's {metrics}")
    server = settings["server"]
    grace = dep["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
    report.check(grace * 1000 > server["drain_ms"] + server["shutdown_grace_ms"], ov.where(dep),
                 "terminationGracePeriodSeconds does not cover server.drain_ms + "
                 "server.shutdown_grace_ms")


def evictions_allowed(spec: dict, replicas: int) -> bool:
    """Whether a PodDisruptionBudget lets at least one of `replicas` pods be evicted."""
    def count(value) -> int:
        if isinstance(value, str) and value.endswith("%"):
            return -(-int(value[:-1]) * replicas // 100)  # Kubernetes rounds up.
        return int(value)
    if "maxUnavailable" in spec:
        return count(spec["maxUnavailable"]) >= 1
    return count(spec.get("minAvailable", 0)) < replicas


def check_companions(report: Report, ov: Overlay, dep: dict, svc: str, port: int) -> None:
    """Service, ServiceAccount, autoscaler and disruption budget, and replicas per overlay."""
    where = ov.where(dep)
    pod = dep["spec"]["template"]["spec"]
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    service = ov.get("Service", svc)
    if report.check(service is not None, ov.where(f"Service/{svc}"), "missing"):
        selector = service["spec"].get("selector")
        report.check(bool(selector) and matches({"matchLabels": selector}, pod_labels),
                     ov.where(service), f"does not select Deployment/{svc}'s pods")
        grpc = next((p for p in service["spec"]["ports"] if p.get("name") == "grpc"), None)
        report.check(grpc is not None, ov.where(service), "has no port named grpc")
        report.check(grpc is not None and grpc["port"] == port
                     and grpc.get("targetPort") in ("grpc", port),
                     ov.where(service), f"port grpc is not {port} to the pods' grpc port")
    account = pod.get("serviceAccountName")
    sa = ov.get("ServiceAccount", account) if account else None
    report.check(sa is not None, where, "has no ServiceAccount of its own in the overlay")
    report.check(sa is not None and sa.get("automountServiceAccountToken") is False, where,
                 f"ServiceAccount {account} does not set automountServiceAccountToken: false")

    replicas = dep["spec"].get("replicas", 1)
    hpa = next((h for h in ov.of_kind("HorizontalPodAutoscaler")
                if h["spec"]["scaleTargetRef"]["kind"] == "Deployment"
                and h["spec"]["scaleTargetRef"]["name"] == svc), None)
    low = high = None
    if report.check(hpa is not None, where, "no HorizontalPodAutoscaler scales it"):
        low, high = hpa["spec"].get("minReplicas", 1), hpa["spec"]["maxReplicas"]
        report.check(low <= replicas <= high, ov.where(hpa), f"the Deployment's {replicas} "
                     f"replicas are outside minReplicas..maxReplicas {low}..{high}")
    pdb = next((p for p in ov.of_kind("PodDisruptionBudget")
                if matches(p["spec"].get("selector"), pod_labels)), None)
    if report.check(pdb is not None, where, "no PodDisruptionBudget covers its pods"):
        # A budget that allows no eviction blocks every node drain.
        report.check(evictions_allowed(pdb["spec"], replicas), ov.where(pdb),
                     f"allows no eviction at {replicas} replica(s)")

    if ov.name == "dev":
        report.check(replicas == 1, where, f"{replicas} replicas, dev runs one")
        report.check(high in (None, 1), where, "dev's autoscaler may add replicas")
    if ov.name == "production":
        report.check(replicas >= 3 and (low or 0) >= 3, where,
                     "fewer than three replicas (Deployment or autoscaler minimum)")
        spread = [t for t in pod.get("topologySpreadConstraints", [])
                  if t["topologyKey"] == "kubernetes.io/hostname"
                  and t["whenUnsatisfiable"] == "DoNotSchedule"
                  and matches(t.get("labelSelector"), pod_labels)]
        anti = [t for t in ((pod.get("affinity") or {}).get("podAntiAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution", [])
                if t["topologyKey"] == "kubernetes.io/hostname"
                and matches(t.get("labelSelector"), pod_labels)]
        report.check(bool(spread or anti), where, "its replicas are not spread across nodes (no "
                     "hostname topologySpreadConstraint or anti-affinity selecting its pods)")


def check_service(report: Report, ov: Overlay, svc: str, port: int, root: Path,
                  settings: dict) -> None:
    dep = ov.get("Deployment", svc)
    if not report.check(dep is not None, ov.where(f"Deployment/{svc}"), "missing"):
        return
    pod = dep["spec"]["template"]["spec"]
    c = next((c for c in pod["containers"] if c["name"] == svc), pod["containers"][0])
    check_locked_down(report, ov, dep)
    check_container(report, ov, dep, c, svc, port, root)
    check_settings_and_secrets(report, ov, dep, c)
    check_settings_file(report, ov, dep, c, svc, port, settings)
    check_companions(report, ov, dep, svc, port)


def check_backends(report: Report, ov: Overlay, backends: set[str]) -> None:
    """Dev runs PostgreSQL and Redis and points the services at them; production runs neither
    and commits no Secret."""
    if ov.name == "dev":
        report.check({"postgres", "redis"} <= backends, ov.where("Deployments"),
                     f"PostgreSQL and Redis do not run in the overlay (found {sorted(backends)})")
        secret = next((s for s in ov.of_kind("Secret")
                       if s["metadata"]["name"].startswith("vipcare-backends-")), None)
        if report.check(secret is not None, ov.where("Secret/vipcare-backends"), "missing"):
            data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
            for key, service in (("VIPCARE__DATABASE__URL", "postgres"),
                                 ("VIPCARE__CACHE__REDIS_URL", "redis")):
                # scheme://[user[:password]@]host:port/...
                host_port = re.sub(r"^\w+://([^@/]*@)?", "", data.get(key, "")).split("/")[0]
                backend = ov.get("Service", service)
                report.check(backend is not None and host_port in
                             {f"{service}:{p['port']}" for p in backend["spec"]["ports"]},
                             ov.where(secret),
                             f"{key} does not point at the overlay's {service} Service")
    if ov.name == "production":
        report.check(not backends, ov.where("Deployments"),
                     f"runs backends in the cluster: {sorted(backends)}")
        report.check(not ov.of_kind("Secret"), ov.where("Secrets"),
                     "commits Secrets: production's are created out of band")


def check_overlay(report: Report, ov: Overlay, root: Path, ports: dict[str, int]) -> None:
    for obj in ov.objects:
        if obj["kind"] != "Namespace":
            report.check(obj["metadata"].get("namespace") == NAMESPACE, ov.where(obj),
                         f"not in namespace {NAMESPACE}")
    cms = [c for c in ov.of_kind("ConfigMap") if "vipcare.toml" in c.get("data", {})]
    if not report.check(len(cms) == 1, ov.where("ConfigMap vipcare.toml"),
                        f"{len(cms)} ConfigMaps hold it, not one"):
        return
    settings = tomllib.loads(cms[0]["data"]["vipcare.toml"])
    for key in ("database.url", "cache.redis_url", "internal.secret"):
        section, field = key.split(".")
        report.check(not (settings.get(section) or {}).get(field),
                     ov.where("ConfigMap vipcare.toml"), f"sets {key}, which comes from a Secret")
    ours = {d["metadata"]["name"] for d in ov.of_kind("Deployment")
            if d["spec"]["template"]["metadata"]["labels"].get("vipcare.io/tier")
            in ("edge", "service")}
    report.check(ours == set(ports), ov.where("Deployments"), f"the services deployed "
                 f"{sorted(ours)} are not ARCHITECTURE.md's {sorted(ports)}")
    for svc, port in ports.items():
        check_service(report, ov, svc, port, root, settings)
    others = [d for d in ov.of_kind("Deployment") if d["metadata"]["name"] not in ports]
    for dep in others:
        check_locked_down(report, ov, dep)
    check_backends(report, ov, {d["metadata"]["name"] for d in others})
    metrics = int(settings["telemetry"]["metrics_listen"].rsplit(":", 1)[1])
    check_network(report, ov, ports, metrics)
