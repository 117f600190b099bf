"""The container's healthcheck: ``python /opt/healthcheck.py [PATH]`` exits 0 when ``GET PATH`` answers 200.

PATH is ``/healthz`` by default (``/readyz`` for a balancer's replicas). The address is the one the service
listens on, found the way the service finds it: the ``--host``/``--port`` options of the container's command
(PID 1: ``python -m service …`` or ``gradserve serve …``), parsed by the service's own parser, whose defaults
are ``GRADSERVICE_HOST`` and ``GRADSERVICE_PORT`` (``service.domain.settings``). So ``docker run -e
GRADSERVICE_PORT=9000 …`` and ``docker run … python -m service --port 9000`` are both checked on 9000, not on
a hard-coded 8000. The Dockerfile copies this file into the image; tests/test_container.py runs it.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

TIMEOUT = 2.0
"""Seconds to wait for the answer: under the HEALTHCHECK's --timeout, with Python's start-up on top."""


def service_options(command: Sequence[str]) -> list[str]:
    """The options after ``-m service`` or ``gradserve serve`` in ``command``; [] if it runs something else."""
    for index, word in enumerate(command[:-1]):
        following = command[index + 1]
        if (word == "-m" and following == "service") or (Path(word).name == "gradserve" and following == "serve"):
            return list(command[index + 2 :])
    return []


def address(command: Sequence[str]) -> tuple[str, int]:
    """(host to connect to, port) of a service started with ``command``."""
    from service.__main__ import build_parser  # the service's options, defaults from GRADSERVICE_*

    options, _ = build_parser(add_help=False).parse_known_args(service_options(command))
    host: str = options.host
    if host in {"", "0.0.0.0"}:  # every IPv4 interface: loopback is one of them
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return host, int(options.port)


def container_command() -> list[str]:
    """PID 1's command line: the container's command (empty when it cannot be read)."""
    try:
        raw = Path("/proc/1/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def url(command: Sequence[str], path: str) -> str:
    host, port = address(command)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}{path}"


def main(argv: Sequence[str]) -> int:
    path = argv[0] if argv else "/healthz"
    target = url(container_command(), path)
    try:
        with urllib.request.urlopen(target, timeout=TIMEOUT) as response:
            status = response.status
    except (urllib.error.URLError, OSError) as error:
        print(f"healthcheck: {target}: {error}", file=sys.stderr)
        return 1
    print(f"healthcheck: {target}: {status}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
