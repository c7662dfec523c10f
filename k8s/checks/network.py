"""Who may connect to what under the overlay's NetworkPolicies, asked port by port of every
Deployment's pods from a few kinds of caller: outside the cluster, another namespace, an
unlabelled pod in ours, Prometheus in `monitoring`, and each vipcare pod."""

from . import NAMESPACE, Overlay, Report, matches


def pod_in(namespace: str, labels: dict) -> dict:
    return {"namespace": namespace, "labels": labels,
            "ns_labels": {"kubernetes.io/metadata.name": namespace}}


OUTSIDE = {"external": True}
MONITORING = pod_in("monitoring", {})
# Labelled like the gateway, so only a namespace check keeps it out.
OTHER_NAMESPACE = pod_in("elsewhere", {"app.kubernetes.io/part-of": "vipcare",
                                       "vipcare.io/tier": "edge"})
STRANGER = pod_in(NAMESPACE, {"app": "debug-shell"})


def port_matches(rule_port: dict, port: int, named: dict) -> bool:
    if rule_port.get("protocol", "TCP") != "TCP":
        return False
    if "port" not in rule_port:  # Only a protocol: every port.
        return True
    given = rule_port["port"]
    if isinstance(given, str):
        return named.get(given) == port
    return given <= port <= rule_port.get("endPort", given)


def peer_matches(peer: dict, source: dict) -> bool:
    if "ipBlock" in peer:
        return bool(source.get("external"))
    if source.get("external"):
        return False
    if "namespaceSelector" in peer:
        in_namespace = matches(peer["namespaceSelector"], source["ns_labels"])
    else:
        in_namespace = source["namespace"] == NAMESPACE
    return in_namespace and ("podSelector" not in peer
                             or matches(peer["podSelector"], source["labels"]))


def allowed(policies: list[dict], labels: dict, named: dict, source: dict,
            port: int) -> bool | None:
    """Whether `source` may reach `port` of a pod in NAMESPACE with `labels` (its container
    ports by name in `named`); None when no policy isolates the pod, so anything may."""
    selecting = [p for p in policies if matches(p["spec"]["podSelector"], labels)
                 and "Ingress" in p["spec"].get("policyTypes", ["Ingress"])]
    if not selecting:
        return None
    for policy in selecting:
        for rule in policy["spec"].get("ingress") or []:
            ports = rule.get("ports")
            if ports and not any(port_matches(p, port, named) for p in ports):
                continue
            peers = rule.get("from")
            if not peers or any(peer_matches(peer, source) for peer in peers):
                return True
    return False


def check_network(report: Report, ov: Overlay, ports: dict[str, int], metrics_port: int) -> None:
    policies = ov.of_kind("NetworkPolicy")
    ours = {d["metadata"]["name"]: pod_in(NAMESPACE, d["spec"]["template"]["metadata"]["labels"])
            for d in ov.of_kind("Deployment") if d["metadata"]["name"] in ports}
    for dep in ov.of_kind("Deployment"):
        name, labels = dep["metadata"]["name"], dep["spec"]["template"]["metadata"]["labels"]
        containers = dep["spec"]["template"]["spec"]["containers"]
        named = {p.get("name"): p["containerPort"] for c in containers for p in c.get("ports", [])}
        where = ov.where(dep)

        def may(source: dict, port: int) -> bool | None:
            return allowed(policies, labels, named, source, port)

        isolated = may(OUTSIDE, 1) is not None
        if not report.check(isolated, where, "no NetworkPolicy isolates its pods"):
            continue
        if name in ports:
            own = [p for p in policies if (p["spec"]["podSelector"].get("matchLabels") or {})
                   .get("app.kubernetes.io/name") == name]
            report.check(bool(own), where, "has no NetworkPolicy of its own")
        for port_name, port in named.items():
            public = name == "gateway" and port == ports["gateway"]
            for source, who in ((OUTSIDE, "outside the cluster"),
                                (OTHER_NAMESPACE, "another namespace"),
                                (STRANGER, "an unlabelled pod in the namespace")):
                report.check(may(source, port) == public, where,
                             f"port {port} ({port_name}) {'is not' if public else 'is'} "
                             f"reachable from {who}")
            if port == metrics_port:
                report.check(bool(may(MONITORING, port)), where,
                             f"Prometheus (namespace monitoring) cannot scrape port {port}")
            elif not public:
                report.check(not may(MONITORING, port), where,
                             f"port {port} is reachable from monitoring")
            # A service's gRPC port, and a dev backend's, answer the gateway and every service.
            service_port = name in ports and name != "gateway" and port == ports[name]
            backend_port = labels.get("vipcare.io/tier") == "backend" and port != metrics_port
            if service_port or backend_port:
                for other, source in ours.items():
                    report.check(bool(may(source, port)), where,
                                 f"port {port} is not reachable from {other}")
