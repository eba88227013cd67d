"""Service settings: one pydantic-settings class, environment prefix ``ISCG_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ISCG_", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    store_path: Path = Path("var/store")
    base_iri: str = "https://w3id.org/iscg/"
    # where people reach this service (links in downloads); unset: the address of the request
    public_url: str | None = None
    releases_path: Path | None = None      # release snapshots (unset: releases/ beside store_path)
    reload_interval: float = 1.0           # seconds between looks at the store link (0: never reload)

    # SPARQL endpoint safety
    query_timeout: float = 30.0            # seconds; a query past it is killed, 503 + Retry-After
    retry_after_seconds: int = 5           # Retry-After of every 503 (timeout, no free worker, no store)
    result_limit: int = 100_000            # rows; over it the response says so explicitly
    max_query_bytes: int = 100_000         # request body / query text; over it 413 before parsing
    max_url_bytes: int = 32_768            # path + query string; over it 414 (long queries go by POST)
    max_query_depth: int = 128             # nested { ( [ in a query; deeper: 400 before parsing (0: none)
    max_result_bytes: int = 256_000_000    # serialised result; over it an explicit error (memory guard)
    result_cache_bytes: int = 64_000_000   # identical queries on unchanged data served from memory (0: off)
    query_workers: int = 2                 # killable worker processes
    light_query_rows: int = 1000           # queries proven to touch at most this many rows run in the
                                           # server process, not a worker (0: every query in a worker)
    worker_memory_bytes: int = 0           # address-space cap per worker (0: none); over it: 503
    demote_after_seconds: float = 1.0      # a worker query running longer gets nice 19 until it returns,
                                           # so short queries keep the CPU (0: never)
    candidates_at_startup: bool = True     # a store without a readable candidate index computes it in the
                                           # background; false: candidate routes answer 503 until a build
                                           # writes it (a graph too large for it, docs/notes/scale.md §9)
    worker_shared_store: bool = False      # workers open the on-disk store read-only (one copy of the
                                           # data per machine) instead of each loading the snapshot
    worker_copy_wait_seconds: float = 15.0  # until a worker's in-memory copy is in it answers from the
                                           # on-disk store, but a request waits (at most this long, and
                                           # half query_timeout) for a copy expected within this time
                                           # (0: never waits)
    allowed_service_iris: list[str] = []   # SERVICE/LOAD/FROM targets allowed outside the store
    # Per-client budget: query seconds per window. It must be reachable: a client allowed
    # `budget_concurrent_queries` at once spends at most that many seconds per second of window.
    budget_seconds_per_minute: float = 30.0   # per-client query seconds per window (0 disables)
    budget_window_seconds: float = 60.0    # the sliding window (a minute; shorter in tests)
    budget_exempt_loopback: bool = False   # loopback clients not budgeted: only when asked (development)
    budget_concurrent_queries: int = 1     # queries one budgeted client may run at once (0: no limit)
    write_warm_up_delay: float = 5.0       # seconds after start-up until what the first validated write
                                           # would build is built in the background (negative: never)
    cors_origins: list[str] = ["*"]
    # FastAPI's own OpenTelemetry spans, metrics and logs (when a provider is configured). Off unless
    # asked for: checking whether one is configured costs every request several environment lookups.
    telemetry: bool = False

    # A remote SPARQL 1.1 store instead of the embedded one (unset: the embedded store, as before).
    # See docs/notes/remote.md for what each server kind guarantees.
    remote_query_url: str | None = None
    remote_update_url: str | None = None   # SPARQL Update (loading, writes); unset: writes refused
    remote_gsp_url: str | None = None      # Graph Store Protocol (optional; not needed by any route)
    remote_user: str | None = None         # HTTP Basic credentials for the remote store
    remote_password: SecretStr | None = None
    remote_timeout: float | None = None    # per request, seconds (default: query_timeout)
    remote_kind: Literal["oxigraph", "virtuoso", "generic"] = "generic"
    remote_poll_interval: float = 2.0      # seconds between reads of the store's generation
    remote_cache_dir: Path | None = None   # the local copy for pages and search (default: beside store_path)

    # Review of discovered overlaps (issue 4): disabled unless a token is set
    review_token: SecretStr | None = None

    # Curation (issue 13): accounts beside the store; writing is off until an admin account exists
    read_only: bool = False                # refuses every write, whatever the account
    accounts_path: Path | None = None      # default: <store_path>.accounts.sqlite
    session_secret: SecretStr | None = None  # signs session cookies; required outside development
    session_max_age: int = 8 * 3600        # seconds a log-in lasts
    max_write_bytes: int = 10_000_000      # body of a write (update, graph-store, form); 413 over it

    @model_validator(mode="after")
    def _production_needs_explicit_choices(self) -> Settings:
        if self.environment == "production" and self.session_secret is None:
            raise ValueError("ISCG_SESSION_SECRET is required outside development (it signs log-ins)")
        if self.environment == "production" and self.budget_exempt_loopback:
            # behind a reverse proxy every client looks like loopback
            self.budget_exempt_loopback = False
        if self.remote_query_url and self.remote_poll_interval <= 0:
            raise ValueError("remote_poll_interval must be positive: replicas follow the store by polling it")
        if self.budget_window_seconds <= 0:
            raise ValueError("budget_window_seconds must be positive")
        reachable = self.budget_window_seconds * self.budget_concurrent_queries
        if self.budget_seconds_per_minute > 0 and self.budget_concurrent_queries > 0 and \
                self.budget_seconds_per_minute >= reachable:
            raise ValueError(
                f"budget_seconds_per_minute={self.budget_seconds_per_minute:g} can never be spent: a client "
                f"running at most {self.budget_concurrent_queries} quer(y/ies) at once spends at most "
                f"{reachable:g} s per {self.budget_window_seconds:g} s window; set it lower"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
