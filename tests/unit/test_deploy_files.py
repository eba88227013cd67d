"""deploy/: the compose file, the service's Dockerfile and the Virtuoso settings hold together
(no Docker here: parsed and checked against the repository and the service's settings)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from api.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    return loaded


def dockerfile_lines() -> list[str]:
    """Instructions of deploy/Dockerfile, continuation lines joined, comments left out."""
    text = (DEPLOY / "Dockerfile").read_text("utf-8")
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines()
                                            if not line.lstrip().startswith("#")))
    return [line.strip() for line in joined.splitlines() if line.strip()]


def ini(path: Path) -> dict[str, str]:
    """``SECTION_KEY`` (upper case) -> value, from a Virtuoso ini."""
    out, section = {}, ""
    for raw in path.read_text("utf-8").splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line:
            key, value = (p.strip() for p in line.split("=", 1))
            out[f"{section}_{key}".upper()] = value
    return out


def test_every_service_has_an_image_or_a_build_that_exists() -> None:
    services = compose()["services"]
    assert {"oxigraph", "loader", "service", "proxy", "virtuoso"} <= set(services)
    for name, spec in services.items():
        assert ("image" in spec) != ("build" in spec), name
        if "build" in spec:
            build = spec["build"]
            context = (DEPLOY / build["context"]).resolve()
            assert context == REPO, name
            assert (context / build["dockerfile"]).is_file(), name
        else:
            assert re.fullmatch(r"[\w./-]+:[\w.-]+", spec["image"]), f"{name}: pin a tag"


def test_service_environment_names_real_settings() -> None:
    """Every ISCG_* variable given to the service and the loader is a setting the service reads."""
    fields = {f"ISCG_{name.upper()}" for name in Settings.model_fields}
    services = compose()["services"]
    for name in ("service", "loader"):
        env = services[name]["environment"]
        assert isinstance(env, dict) and env, name
        unknown = {key for key in env if key.startswith("ISCG_") and key not in fields}
        assert not unknown, f"{name}: {unknown}"
        assert env["ISCG_REMOTE_QUERY_URL"].startswith("http://oxigraph:7878/")
    assert services["loader"]["environment"]["ISCG_REMOTE_UPDATE_URL"] == "http://oxigraph:7878/update"


def test_ports_and_dependencies() -> None:
    services = compose()["services"]
    published = {name: spec.get("ports", []) for name, spec in services.items()}
    assert published["proxy"] == ["8080:80"]
    for name in ("oxigraph", "virtuoso", "service", "loader"):  # only the proxy is reachable
        assert not published[name], name
    for name, spec in services.items():
        deps = spec.get("depends_on", [])
        assert set(deps) <= set(services), name
    for upstream in ("service", "writer"):
        assert services["proxy"]["depends_on"][upstream]["condition"] == "service_healthy"
    volumes = set(compose()["volumes"])
    for name, spec in services.items():
        for mount in spec.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("./"):  # a file of deploy/, mounted read-only
                assert (DEPLOY / source).is_file() and mount.endswith(":ro"), f"{name}: {mount}"
            else:
                assert source in volumes, f"{name}: {mount}"


def caddy_routes() -> dict[str, str]:
    """The proxy's named matchers and the upstream of the handle block of each ('' = the rest)."""
    text = "\n".join(line.split("#", 1)[0] for line in (DEPLOY / "Caddyfile").read_text("utf-8").splitlines())
    routes = {}
    for matcher, body in re.findall(r"handle\s*(@\w+)?\s*\{(.*?)\n\t\}", text, re.S):
        upstream = re.search(r"reverse_proxy\s+(\S+:\d+)|dynamic a (\w+) (\d+)", body)
        assert upstream is not None, body
        routes[matcher] = upstream.group(1) or f"{upstream.group(2)}:{upstream.group(3)}"
    return routes


def test_writes_and_the_pages_of_people_who_write_go_to_the_one_writer() -> None:
    """Read replicas refuse writes (no update URL); the proxy sends every write to the writer."""
    services = compose()["services"]
    assert "ISCG_REMOTE_UPDATE_URL" not in services["service"]["environment"]
    writer = services["writer"]
    assert writer["environment"]["ISCG_REMOTE_UPDATE_URL"] == "http://oxigraph:7878/update"
    assert writer["environment"]["ISCG_REMOTE_QUERY_URL"] == services["service"]["environment"][
        "ISCG_REMOTE_QUERY_URL"]
    assert "--workers" not in writer["command"]  # one process: its write lock serialises writes
    proxy = services["proxy"]
    mount = next(m for m in proxy["volumes"] if m.startswith("./Caddyfile:"))
    assert mount.split(":")[1] == proxy["command"][proxy["command"].index("--config") + 1]
    text = (DEPLOY / "Caddyfile").read_text("utf-8")
    assert re.search(r"@writes not method GET HEAD OPTIONS\b", text)
    people = re.search(r"@people path (.+)", text)
    assert people is not None
    for path in ("/login", "/logout", "/account/*", "/admin/*", "/curate/*", "/releases/*"):
        assert path in people.group(1).split(), path
    assert caddy_routes() == {"@writes": "writer:8000", "@people": "writer:8000", "": "service:8000"}
    # every write route of the service is caught by the method matcher or a people path
    from api.main import create_app

    for route in create_app().routes:
        methods = set(getattr(route, "methods", None) or ()) - {"GET", "HEAD", "OPTIONS"}
        path = getattr(route, "path", "")
        if not methods and path.startswith(("/curate", "/account", "/admin")):
            assert any(path == p.rstrip("/*") or path.startswith(p.rstrip("*"))
                       for p in people.group(1).split()), path


def test_the_dockerfile_copies_only_what_exists_and_runs_as_make_run() -> None:
    lines = dockerfile_lines()
    copies = [shlex.split(line)[1:] for line in lines if line.startswith("COPY ")]
    assert copies
    for args in copies:
        if any(a.startswith("--from=") for a in args):
            continue
        for source in args[:-1]:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
    ignored = (REPO / ".dockerignore").read_text("utf-8").split()
    for args in copies:
        assert not any(source in ignored for source in args[:-1])
    assert any(line.startswith("USER ") and "root" not in line for line in lines)
    assert any(line.startswith("HEALTHCHECK ") and "/health" in line for line in lines)
    assert any("requirements.lock" in line and line.startswith("RUN pip install -r") for line in lines)
    cmd = next(line for line in lines if line.startswith("CMD "))
    makefile = (REPO / "Makefile").read_text("utf-8")
    flags = re.search(r"^HTTP_FLAGS \?= (.+)$", makefile, re.M)
    assert flags is not None
    services = compose()["services"]
    for flag in flags.group(1).split():  # the same HTTP flags as `make run`, in the image and compose
        assert f'"{flag}"' in cmd, flag
        assert flag in services["service"]["command"] and flag in services["writer"]["command"], flag
    assert '"api.main:create_app"' in cmd and '"--factory"' in cmd


def test_compose_gives_virtuoso_the_settings_the_tests_run_with() -> None:
    env = compose()["services"]["virtuoso"]["environment"]
    given = {key.removeprefix("VIRT_"): value for key, value in env.items() if key.startswith("VIRT_")}
    assert given == ini(DEPLOY / "virtuoso" / "iscg.ini")
