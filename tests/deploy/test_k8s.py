"""``deploy/k8s/``: valid Kubernetes objects that agree with each other, the Dockerfile and the app.

No cluster runs here: each manifest is validated against the Kubernetes 1.30 JSON schemas shipped by
``kubernetes-validate`` (strict: unknown fields are errors), then cross-checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import kubernetes_validate
import pytest
import yaml

from service.app import create_app
from service.domain.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30"
UNITS = {"m": 1e-3, "": 1.0, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((K8S / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def quantity(value: str | int) -> float:
    """A Kubernetes quantity as a number: ``250m`` → 0.25, ``512Mi`` → 512 · 2²⁰."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|)", str(value))
    assert match, f"unexpected quantity {value!r}"
    return float(match[1]) * UNITS[match[2]]


def dockerfile(instruction: str) -> str:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    return "\n".join(line.split(None, 1)[1] for line in lines if line.startswith(instruction + " "))


@pytest.fixture(scope="module")
def manifests() -> dict[str, dict[str, Any]]:
    kustomization = load("kustomization.yaml")
    assert sorted(kustomization["resources"]) == sorted(
        path.name for path in K8S.glob("*.yaml") if path.name != "kustomization.yaml"
    )
    documents = [load(name) for name in kustomization["resources"]]
    return {document["kind"]: document for document in documents}


def test_kinds(manifests: dict[str, dict[str, Any]]) -> None:
    assert set(manifests) == {"Deployment", "Service", "HorizontalPodAutoscaler"}


@pytest.mark.parametrize("kind", ["Deployment", "Service", "HorizontalPodAutoscaler"])
def test_manifest_is_a_valid_kubernetes_object(manifests: dict[str, dict[str, Any]], kind: str) -> None:
    kubernetes_validate.validate(manifests[kind], KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_a_misspelled_field(manifests: dict[str, dict[str, Any]]) -> None:
    deployment = yaml.safe_load(yaml.safe_dump(manifests["Deployment"]))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_deployment_runs_the_image_as_its_non_root_user_on_the_exposed_port(
    manifests: dict[str, dict[str, Any]],
) -> None:
    pod = manifests["Deployment"]["spec"]["template"]
    security = pod["spec"]["securityContext"]
    assert security["runAsNonRoot"] is True
    assert f"--uid {security['runAsUser']} " in dockerfile("RUN")
    (container,) = pod["spec"]["containers"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    (port,) = container["ports"]
    assert port["containerPort"] == int(dockerfile("EXPOSE"))
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(port["containerPort"])
    assert manifests["Deployment"]["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()


def test_probes_use_liveness_and_readiness_on_the_container_port(manifests: dict[str, dict[str, Any]]) -> None:
    (container,) = manifests["Deployment"]["spec"]["template"]["spec"]["containers"]
    port_name = container["ports"][0]["name"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port_name}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port_name}
    assert container["startupProbe"]["httpGet"]["port"] == port_name


@pytest.mark.anyio
async def test_probe_and_scrape_paths_answer_200(manifests: dict[str, dict[str, Any]]) -> None:
    pod = manifests["Deployment"]["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    paths = {container[probe]["httpGet"]["path"] for probe in ("startupProbe", "livenessProbe", "readinessProbe")}
    paths.add(pod["metadata"]["annotations"]["prometheus.io/path"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://pod") as client:
        for path in sorted(paths):
            assert (await client.get(path)).status_code == 200, path


def test_resources_are_requested_and_limited(manifests: dict[str, dict[str, Any]]) -> None:
    (container,) = manifests["Deployment"]["spec"]["template"]["spec"]["containers"]
    resources = container["resources"]
    for resource in ("cpu", "memory"):
        assert 0 < quantity(resources["requests"][resource]) <= quantity(resources["limits"][resource])


def test_service_selects_the_pods_and_targets_the_named_port(manifests: dict[str, dict[str, Any]]) -> None:
    pod = manifests["Deployment"]["spec"]["template"]
    service = manifests["Service"]["spec"]
    assert service["selector"].items() <= pod["metadata"]["labels"].items()
    (port,) = service["ports"]
    assert port["targetPort"] == pod["spec"]["containers"][0]["ports"][0]["name"]


def test_autoscaler_scales_the_deployment_on_requested_cpu(manifests: dict[str, dict[str, Any]]) -> None:
    deployment = manifests["Deployment"]
    hpa = manifests["HorizontalPodAutoscaler"]["spec"]
    target = hpa["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (
        deployment["apiVersion"],
        "Deployment",
        deployment["metadata"]["name"],
    )
    assert 1 <= hpa["minReplicas"] <= deployment["spec"]["replicas"] <= hpa["maxReplicas"]
    (metric,) = hpa["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"
    # Utilization is a share of the request, so the container must request CPU.
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert "cpu" in container["resources"]["requests"]


def test_the_grace_period_outlasts_the_service_shutdown_timeout(manifests: dict[str, dict[str, Any]]) -> None:
    """On SIGTERM the service finishes requests in flight for up to shutdown_timeout: SIGKILL must come later."""
    pod = manifests["Deployment"]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > Settings().shutdown_timeout


def test_the_liveness_probe_matches_the_image_healthcheck(manifests: dict[str, dict[str, Any]]) -> None:
    """Kubernetes ignores the Dockerfile's HEALTHCHECK: its liveness probe should be as patient as it."""
    (container,) = manifests["Deployment"]["spec"]["template"]["spec"]["containers"]
    healthcheck = dict(re.findall(r"--([a-z-]+)=(\d+)s?", dockerfile("HEALTHCHECK")))
    liveness = container["livenessProbe"]
    assert liveness["periodSeconds"] == int(healthcheck["interval"])
    assert liveness["failureThreshold"] == int(healthcheck["retries"])
    assert liveness["timeoutSeconds"] <= int(healthcheck["timeout"])


def test_the_memory_limit_holds_the_inflight_budget_and_the_process(manifests: dict[str, dict[str, Any]]) -> None:
    """max_inflight_bytes of requests in flight, plus the process itself and the allocator's slack (128 MiB;
    tests/server/test_memory.py measures the real peak), must fit the pod's memory limit (one worker a pod)."""
    (container,) = manifests["Deployment"]["spec"]["template"]["spec"]["containers"]
    limit = quantity(container["resources"]["limits"]["memory"])
    assert Settings().max_inflight_bytes + 128 * 2**20 <= limit
