"""This service on a remote SPARQL store, for the benchmark: the store's server and the service as
one startable unit (the same interface as `liveserver.ServerProcess`: start, stop, ``with``).

The first start builds the bench data into a store directory (as `iscg build` would), starts the
SPARQL server on a fresh folder, loads the build into it with the loader of `iscg build --remote`
(one transaction on Oxigraph server, staged on Virtuoso) and starts the service with the remote
settings. A restart (after a timed-out request) restarts both processes on the same data, without
loading again. The SPARQL servers are those of the tests (tests/remote/servers.py): `oxigraph
serve` from the wheel, Virtuoso 7 on a generated ini with deploy/virtuoso/iscg.ini's settings.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Literal

from liveserver import ServerProcess, api_server
from remote.servers import oxigraph_server, virtuoso_server

__all__ = ["RemoteStack", "ensure_store", "wait_for_index"]

Kind = Literal["oxigraph", "virtuoso"]


def ensure_store(data: Path, work: Path) -> Path:
    """The bench data as a store directory, as `iscg build` leaves it and as the embedded server
    reads it (bench/run.py `iscg_server`: the derived graph added, the candidate index computed,
    streamed by bench/build_store.py). Built once; the remote servers load the same snapshot."""
    from build_store import run_steps

    from iscg_graph.overlap.scoring import CANDIDATES_FILE

    store = work / f"iscg-store-{data.stem}"
    steps = [] if (store / "meta.json").is_file() else ["load", "derived"]
    if not (store / CANDIDATES_FILE).is_file():
        steps.append("candidates")
    run_steps(data, store, steps, work / f"build-{data.stem}.json")
    return store


def wait_for_index(base: str, limit: float = 3600.0) -> None:
    """Until the service's candidate index of the loaded generation is ready (it computes it from its
    copy at start-up; 503 meanwhile): the bench must not share the CPU with that."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/candidates?limit=1", timeout=60) as answer:
                if answer.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code != 503:
                raise
        except OSError:
            pass
        time.sleep(2)
    raise TimeoutError(f"the candidate index at {base} was not ready within {limit:.0f} s")


class RemoteStack:
    def __init__(self, kind: Kind, data: Path, work: Path, port: int, env: dict[str, str]):
        self.kind, self.data, self.work, self.port, self.env = kind, data, work, port, env
        # absolute: virtuoso-t runs in its db folder
        self.folder = work.resolve() / f"remote-{kind}-{data.stem}"
        self.backend: ServerProcess | None = None
        self.service: ServerProcess | None = None
        self.loaded = False
        self.started_in: float | None = None
        self.load_seconds: float | None = None

    def _urls(self, root: str) -> tuple[str, str, str | None]:
        if self.kind == "oxigraph":
            return f"{root}/query", f"{root}/update", f"{root}/store"
        return f"{root}/sparql", f"{root}/sparql", None

    def start(self) -> RemoteStack:
        from iscg_graph.build.remote_load import load_build
        from iscg_graph.query.remote import RemoteConfig, RemoteEngine
        from iscg_graph.vocab import DEFAULT_BASE

        store = ensure_store(self.data, self.work)
        if not self.loaded and self.folder.exists():
            shutil.rmtree(self.folder)  # a fresh server for every benchmark run
        self.folder.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        # a restart after a timed-out request reopens a loaded store: minutes at 1M on a busy machine
        self.backend, root = (oxigraph_server(self.folder, start_timeout=900.0) if self.kind == "oxigraph"
                              else virtuoso_server(self.folder))
        query_url, update_url, gsp_url = self._urls(root)
        if not self.loaded:
            engine = RemoteEngine(RemoteConfig(query_url, update_url, gsp_url, kind=self.kind,
                                               poll_interval=0.0, timeout=600.0))
            t0 = time.monotonic()
            # Oxigraph server: N-Triples chunks through its Graph Store Protocol endpoint, then one
            # switch (a transaction); Virtuoso: INSERT DATA batches of 500 triples (its generated SQL
            # is limited to 10,000 lines; its own GSP endpoint is not used), then the switch
            load_build(store, engine, base=DEFAULT_BASE, strategy="gsp" if gsp_url else "staged")
            self.load_seconds = time.monotonic() - t0
            self.loaded = True
        remote = {"ISCG_REMOTE_QUERY_URL": query_url, "ISCG_REMOTE_UPDATE_URL": update_url,
                  "ISCG_REMOTE_KIND": self.kind, "ISCG_REMOTE_POLL_INTERVAL": "2",
                  "ISCG_REMOTE_CACHE_DIR": str(self.folder / "copy")}
        self.service = api_server(self.folder / "store", self.port, log=self.work / f"iscg-{self.kind}.log",
                                  env={**self.env, **remote}, extra=["--no-access-log"],
                                  ready_path="/sparql?query=ASK%7B%7D", start_timeout=600)
        try:
            self.service.start()
            wait_for_index(f"http://127.0.0.1:{self.port}")
        except BaseException:
            self.service.stop()
            self.backend.stop()
            raise
        self.started_in = time.monotonic() - began
        return self

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The service's process (what the bench measures the memory of, as for the other servers)."""
        return self.service.process if self.service is not None else None

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
        if self.backend is not None:
            self.backend.stop()

    def __enter__(self) -> RemoteStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
