"""The checks k8s/check.py runs, by subject: rendered manifests (`manifests`), who may connect
to what (`network`), and the container build and compose file (`local`)."""

NAMESPACE = "vipcare"
# The Secrets the pods take their environment from, and the keys each must hold.
SECRET_KEYS = {
    "vipcare-backends": {"VIPCARE__DATABASE__URL", "VIPCARE__CACHE__REDIS_URL"},
    "vipcare-internal": {"VIPCARE__INTERNAL__SECRET"},
}


class Report:
    """Counts the properties checked; each failure is printed at once, naming its object."""

    def __init__(self) -> None:
        self.passed = 0
        self.failures: list[str] = []

    def check(self, ok: bool, where: str, what: str) -> bool:
        if ok:
            self.passed += 1
        else:
            self.failures.append(f"{where}: {what}")
            print(f"FAIL {where}: {what}", flush=True)
        return ok


def name_of(obj: dict) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


class Overlay:
    """One rendered overlay and the look-ups the checks share."""

    def __init__(self, name: str, objects: list[dict]) -> None:
        self.name = name
        self.objects = objects

    def of_kind(self, kind: str) -> list[dict]:
        return [o for o in self.objects if o["kind"] == kind]

    def get(self, kind: str, name: str) -> dict | None:
        return next((o for o in self.of_kind(kind) if o["metadata"]["name"] == name), None)

    def where(self, obj_or_text: dict | str) -> str:
        text = obj_or_text if isinstance(obj_or_text, str) else name_of(obj_or_text)
        return f"{self.name} {text}"


def matches(selector: dict | None, labels: dict) -> bool:
    """A Kubernetes label selector (matchLabels and matchExpressions) against labels."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, values = expr["key"], expr.get("values") or []
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[expr["operator"]]
        if not ok:
            return False
    return True
