"""The deploy files: the Dockerfile and compose.yaml parsed (Docker does not run here),
deploy/nginx.conf checked by nginx itself and run in front of a real server (HTTP and
WebSockets through it), the systemd unit parsed."""

import configparser
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from websockets.sync.client import connect

from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, staff_of
from cafe.tests.servers import ROOT, free_port
from realtime.tests.consumers.conftest import access_token
from realtime.tests.e2e.conftest import ORDERS, receive

PINNED_IMAGE = re.compile(r"^[\w./-]+:\d+(\.\d+)+[\w.-]*(@sha256:[0-9a-f]{64})?$")


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_dockerfile_is_multi_stage_pinned_and_runs_as_a_user():
    instructions = dockerfile_instructions()
    stages = [argument for name, argument in instructions if name == "FROM"]
    assert len(stages) >= 2
    for stage in stages:
        assert PINNED_IMAGE.match(stage.split()[0]), f"unpinned base image: {stage}"
    final = instructions[[i for i, (name, _) in enumerate(instructions) if name == "FROM"][-1] :]
    users = [argument for name, argument in final if name == "USER"]
    assert users, "the final stage sets no USER"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert any(name == "COPY" and argument.startswith("--from=build") for name, argument in final)
    (command,) = [json.loads(argument) for name, argument in final if name == "CMD"]
    assert command == ["python", "manage.py", "serve"]
    assert any(name == "HEALTHCHECK" and "/health/live" in argument for name, argument in final)
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    pins = [line for line in requirements if line.strip() and not line.startswith("#")]
    assert all("==" in line for line in pins), "every requirement is pinned"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".secret_key*", ".env"} <= set(ignored)


def test_compose_runs_the_app_with_several_workers_behind_nginx_with_postgres_and_redis():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"app", "db", "redis", "nginx", "migrate", "prune"} <= set(services)
    app = services["app"]
    assert int(app["environment"]["WEB_CONCURRENCY"]) > 1
    assert app["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert re.fullmatch(
        r"postgres://cafe:\$\{POSTGRES_PASSWORD:\?.+\}@db:5432/cafe", app["environment"]["DATABASE_URL"]
    )
    for secret in ("SECRET_KEY", "METRICS_TOKEN"):
        assert re.fullmatch(r"\$\{\w+:\?.+\}", app["environment"][secret]), f"{secret} must be required"
    assert "/health/ready" in " ".join(app["healthcheck"]["test"])
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["read_only"] is True
    assert "ports" not in app  # reached through nginx only
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert "prune_events" in " ".join(services["prune"]["command"])
    for name in ("db", "redis", "nginx"):
        assert PINNED_IMAGE.match(services[name]["image"]), f"{name}: unpinned image"
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]
    assert services["nginx"]["depends_on"]["app"]["condition"] == "service_healthy"


def test_the_systemd_unit_serves_as_an_unprivileged_user():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "cafe.service")
    service = unit["Service"]
    assert service["User"] not in ("root", "0")
    assert service["ExecStart"].endswith("manage.py serve")
    assert "migrate" in service["ExecStartPre"]
    assert service["Restart"] == "on-failure"
    assert "PROMETHEUS_MULTIPROC_DIR=/run/cafe/metrics" in service["Environment"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but nginx is not installed (.ci/run installs it)")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return found


def nginx_config(tmp_path: Path, app_port: int, listen: int) -> Path:
    """deploy/nginx.conf with this machine's addresses: the app on loopback, nginx on a free
    port, its pid and temporary files under ``tmp_path``."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in (
        ("server app:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
        ("/tmp/", f"{tmp_path}/"),
    ):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    return path


def test_nginx_accepts_the_config(tmp_path):
    config = nginx_config(tmp_path, free_port(), free_port())
    checked = subprocess.run([nginx_binary(), "-t", "-c", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


@pytest.fixture
def nginx_in_front(start_server, tmp_path):
    binary = nginx_binary()
    app = start_server("behind-nginx", WEB_CONCURRENCY="2", PROXY_HEADERS="true")
    port = free_port()
    config = nginx_config(tmp_path, app.port, port)
    process = subprocess.Popen(
        [binary, "-c", str(config), "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(f"http://{base}/health/live", timeout=1)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {process.stdout.read() if process.stdout else ''}") from None
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(10)


def request(base: str, method: str, path: str, token: str | None = None, body: bytes | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with urllib.request.urlopen(
            urllib.request.Request(f"http://{base}{path}", data=body, method=method, headers=headers), timeout=10
        ) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("ops")
def test_http_and_sockets_through_nginx(nginx_in_front):
    base = nginx_in_front
    branch = BranchFactory()
    waiter = staff_of(branch)
    table = TableFactory(branch=branch, number=1)
    dish = MenuItemFactory(category__company=branch.company, price="350.00")
    token = access_token(waiter)
    status, headers, body = request(base, "GET", "/api/users/me/", token)
    assert status == 200, body
    assert json.loads(body)["id"] == str(waiter.pk)
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])  # nginx's $request_id, echoed by the app
    assert request(base, "GET", "/health/ready")[0] == 200
    assert request(base, "GET", "/metrics")[0] == 404  # scraped from the app's port, never through nginx
    assert request(base, "POST", "/api/cafe/orders/", token, b"[" + b" " * (2 * 1024 * 1024) + b"]")[0] == 413

    with connect(f"ws://{base}{ORDERS}?token={token}", open_timeout=10) as socket:
        greeting = receive(socket)
        assert greeting["type"] == "connection_established"
        order = {"table": str(table.pk), "guests": 2, "items": [{"menu_item": str(dish.pk), "quantity": 1}]}
        status, _headers, body = request(base, "POST", "/api/cafe/orders/", token, json.dumps(order).encode())
        assert status == 201
        created = json.loads(body)
        event = receive(socket)
        assert (event["type"], event["data"]["order"]["id"]) == ("order_created", created["id"])
        assert event["seq"] == greeting["seq"] + 1
        socket.send('{"action": "ping"}')
        while (frame := receive(socket))["type"] != "pong":
            assert frame["type"] in ("table_status_changed", "kitchen_task_created")
    # A socket resumes through nginx from where it was.
    with connect(f"ws://{base}{ORDERS}?token={token}&since={greeting['seq']}", open_timeout=10) as socket:
        assert receive(socket)["type"] == "connection_established"
        assert receive(socket)["data"]["order"]["id"] == created["id"]
