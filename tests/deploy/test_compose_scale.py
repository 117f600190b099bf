"""The compose profile ``scale``: replicas behind nginx, consistent with deploy/nginx/nginx.conf.

No container engine runs here: the compose file is parsed and its services cross-checked with the
nginx config and with the default service (tests/test_container.py checks that one).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NGINX = ROOT / "deploy" / "nginx" / "nginx.conf"


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


def nginx_directive(name: str) -> list[str]:
    """The arguments of every ``name …;`` directive in the nginx config."""
    return re.findall(rf"^\s*{name}\s+([^;{{]+);", NGINX.read_text(encoding="utf-8"), re.MULTILINE)


def test_the_profile_adds_replicas_and_a_balancer_and_leaves_the_default_service(
    services: dict[str, dict[str, Any]],
) -> None:
    assert "profiles" not in services["gradservice"]
    assert services["replica"]["profiles"] == ["scale"]
    assert services["loadbalancer"]["profiles"] == ["scale"]


def image_port() -> str:
    """The port the image's service listens on: GRADSERVICE_PORT in the Dockerfile (its command passes none)."""
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    (port,) = re.findall(r"\bGRADSERVICE_PORT=(\d+)", "\n".join(x for x in lines if not x.lstrip().startswith("#")))
    return port


def test_replicas_run_the_service_command_without_host_ports(services: dict[str, dict[str, Any]]) -> None:
    replica = services["replica"]
    assert replica.get("command") == services["gradservice"].get("command")  # the image's, in both
    assert replica["build"] == "."
    assert replica["image"] == services["gradservice"]["image"]
    assert "ports" not in replica  # only reachable through the balancer
    assert "environment" not in replica  # so the port is the image's
    # podman-compose starts `replicas` only with mode: replicated (docker compose's default).
    assert replica["deploy"]["mode"] == "replicated"
    assert replica["deploy"]["replicas"] >= 2
    assert replica["expose"] == [image_port()]
    # The healthcheck finds the port itself (deploy/healthcheck.py); replicas report ready, not just alive.
    assert replica["healthcheck"]["test"][-1] == "/readyz"
    limits = replica["deploy"]["resources"]["limits"]
    assert {"cpus", "memory"} <= set(limits)


def test_nginx_balances_over_the_replica_service(services: dict[str, dict[str, Any]]) -> None:
    replica_port = services["replica"]["expose"][0]
    (upstream,) = nginx_directive("server")
    assert upstream.split()[0] == f"replica:{replica_port}"
    assert nginx_directive("proxy_pass") == ["http://gradservice"]
    assert re.search(r"upstream gradservice \{", NGINX.read_text(encoding="utf-8"))


def test_the_balancer_mounts_the_config_waits_for_healthy_replicas_and_checks_itself(
    services: dict[str, dict[str, Any]],
) -> None:
    balancer = services["loadbalancer"]
    assert balancer["image"].startswith("nginx:")
    source, target, mode = balancer["volumes"][0].split(":")
    assert (ROOT / source).resolve() == NGINX
    assert (target, mode) == ("/etc/nginx/nginx.conf", "ro")
    assert balancer["depends_on"] == {"replica": {"condition": "service_healthy"}}
    (listen,) = nginx_directive("listen")
    (published,) = balancer["ports"]
    assert published.split(":")[-1] == listen
    health_url = balancer["healthcheck"]["test"][-1]
    assert health_url == f"http://127.0.0.1:{listen}/nginx-healthz"
    assert "location = /nginx-healthz" in NGINX.read_text(encoding="utf-8")
