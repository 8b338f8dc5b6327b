"""The deployment files agree with each other and with the package.

`make lint` checks each file on its own (hadolint the Dockerfile, kubernetes-validate the
manifests); these tests check what neither can: that the image's final stage installs
the wheel as the design asks, that the build context holds everything the wheel is made
of, and that the Kubernetes manifests match the image (user, port, volume, probes).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"


@dataclass
class Stage:
    base: str
    name: str | None
    # (instruction, arguments) in order, continuation lines joined.
    steps: list[tuple[str, str]] = field(default_factory=list)

    def args(self, instruction: str) -> list[str]:
        return [a for i, a in self.steps if i == instruction]


@cache
def stages() -> list[Stage]:
    text = (REPO / "Dockerfile").read_text()
    lines = re.sub(r"\\\n", " ", text).splitlines()
    result: list[Stage] = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, args = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            base, _, name = args.partition(" AS ")
            result.append(Stage(base.strip(), name.strip() or None))
        else:
            result[-1].steps.append((instruction, args.strip()))
    return result


def final() -> Stage:
    return stages()[-1]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"not the exec (JSON) form: {args}"
    return [str(v) for v in value]


def image_user() -> tuple[int, int]:
    (user,) = final().args("USER")
    uid, _, gid = user.partition(":")
    # Numeric, so Kubernetes' runAsNonRoot can check it without the image's /etc/passwd.
    assert uid.isdigit() and gid.isdigit(), f"USER {user} is not numeric uid:gid"
    return int(uid), int(gid)


@cache
def manifests() -> dict[str, dict[str, Any]]:
    yaml = YAML(typ="safe")
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.load_all(path.read_text()):
            if doc and doc.get("kind") != "Kustomization":
                found[doc["kind"]] = doc
    return found


def container() -> dict[str, Any]:
    (only,) = manifests()["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert isinstance(only, dict)
    return only


def test_the_final_stage_installs_the_built_wheel_and_nothing_from_the_source_tree() -> None:
    build, last = stages()[0], final()
    assert len(stages()) == 2
    assert build.name and build.base == last.base == "python:3.11-slim"
    (wheel,) = [run for run in build.args("RUN") if "pip wheel" in run]
    # The dependencies' wheels are the versions the tests passed on (constraints.txt).
    assert "--constraint constraints.txt" in wheel
    assert last.args("COPY") == [] and last.args("ADD") == []
    (install,) = [run for run in last.args("RUN") if "pip install" in run]
    words = shlex.split(install)
    assert f"from={build.name}" in install  # the wheels come from the build stage
    assert "--no-index" in words  # and only from there
    assert any(w.startswith("/wheels/policymaker-") and w.endswith(".whl") for w in words)
    assert not {"-e", "--editable"} & set(words)


def test_the_image_runs_as_a_user_other_than_root() -> None:
    uid, gid = image_user()
    assert uid != 0 and gid != 0
    # USER comes after every RUN: nothing later runs as root.
    instructions = [i for i, _ in final().steps]
    assert "RUN" not in instructions[instructions.index("USER") :]


def test_the_image_serves_on_every_interface_and_checks_its_health_on_healthz() -> None:
    (cmd,) = final().args("CMD")
    assert exec_form(cmd) == ["policymaker", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert final().args("EXPOSE") == ["8000"]
    (health,) = final().args("HEALTHCHECK")
    assert "CMD " in health and "http://127.0.0.1:8000/healthz" in health


def test_the_build_context_holds_every_file_the_wheel_ships() -> None:
    # app/bundled's symlinks are what setuptools copies into the wheel; a target the
    # allowlist in .dockerignore leaves out fails the build stage.
    lines = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", ".dockerignore is an allowlist: everything else stays out"
    allowed = [Path(line[1:]) for line in lines if line.startswith("!")]
    links = [p for p in (REPO / "app" / "bundled").iterdir() if p.is_symlink()]
    assert links
    needed = [Path("pyproject.toml"), Path("constraints.txt"), Path("README.md"), Path("app")]
    needed += [p.resolve().relative_to(REPO) for p in links]
    for path in needed:
        assert any(path == a or a in path.parents for a in allowed), f"{path} not in the context"


def test_the_deployment_runs_the_image_as_its_own_user_and_mounts_its_volume() -> None:
    uid, gid = image_user()
    pod = manifests()["Deployment"]["spec"]["template"]["spec"]
    security = pod["securityContext"]
    assert security["runAsNonRoot"] is True
    assert (security["runAsUser"], security["runAsGroup"]) == (uid, gid)
    (volume,) = json.loads(final().args("VOLUME")[0])
    assert volume in {m["mountPath"] for m in container()["volumeMounts"]}
    assert container()["securityContext"]["allowPrivilegeEscalation"] is False


def test_the_deployment_reads_its_secrets_and_is_ready_only_on_healthz() -> None:
    spec = manifests()["Deployment"]["spec"]
    assert spec["replicas"] >= 2
    env = {e["name"]: e for e in container()["env"]}
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        assert env[name]["valueFrom"]["secretKeyRef"]["key"] == name
    (port,) = container()["ports"]
    assert port["containerPort"] == int(final().args("EXPOSE")[0])
    assert container()["readinessProbe"]["httpGet"]["path"] == "/healthz"
    # A database outage makes /healthz 503; liveness must not restart every pod for it.
    assert container()["livenessProbe"]["httpGet"]["path"] != "/healthz"


def test_the_ingress_reaches_the_service_and_keeps_quiet_websockets_open() -> None:
    ingress, service = manifests()["Ingress"], manifests()["Service"]
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    notes = ingress["metadata"]["annotations"]
    for key in ("proxy-read-timeout", "proxy-send-timeout"):
        # Longer than a quiet table: minutes, not ingress-nginx's default 60 s.
        assert int(notes[f"nginx.ingress.kubernetes.io/{key}"]) >= 600


def test_the_kustomization_lists_every_manifest() -> None:
    kustomization = YAML(typ="safe").load((K8S / "kustomization.yaml").read_text())
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
