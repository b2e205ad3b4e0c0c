"""Settings from the environment (`SAMVERKAN_*`), read once."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic_settings import BaseSettings, SettingsConfigDict

# One stuck transaction must not block every writer, nor hold a lock forever.
POSTGRES_SESSION_OPTIONS = {"lock_timeout": "5000", "idle_in_transaction_session_timeout": "30000"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMVERKAN_", extra="ignore")

    var_dir: Path = Path("./var")
    database_url: str | None = None
    log_format: Literal["console", "json"] | None = None
    rate_limit: str = "20/second"

    # Tokens: `local` verifies with the Ed25519 key generated under var_dir (the key that
    # `samverkan token issue` signs with); `oidc` with an OpenID Connect provider's JWKS.
    # Accepted algorithms are fixed here per source and never taken from a token.
    token_source: Literal["local", "oidc"] = "local"
    jwt_algorithms: list[str] = ["EdDSA"]
    jwt_issuer: str = "samverkan"
    jwt_audience: str = "samverkan-api"
    oidc_issuer: str | None = None
    oidc_audience: str = "samverkan-api"
    oidc_jwks_url: str | None = None
    oidc_algorithms: list[str] = ["RS256"]
    oidc_jwks_cache_seconds: int = 300
    jwt_leeway_seconds: int = 30
    token_ttl_hours: float = 24.0
    token_max_ttl: float = 24.0  # hours: no token issued or accepted lives longer
    feed_audience: str = "samverkan-feed"  # calendar feed tokens: never accepted by the API
    feed_ttl_days: int = 180  # a calendar subscription lives this long, unless revoked

    max_body_bytes: int = 1024 * 1024
    pool_size: int = 10

    # The relay to NATS JetStream (infrastructure/integration/relay.py): `serve` runs one when
    # a URL is set.
    nats_url: str | None = None
    nats_stream: str = "SAMVERKAN"
    nats_subject_prefix: str = "samverkan"
    relay_backoff_cap_seconds: float = 5.0

    @property
    def store_url(self) -> str:
        """The SQLAlchemy URL, with PostgreSQL session timeouts added where the URL lacks them."""
        if not self.database_url:
            return f"sqlite:///{(self.var_dir / 'samverkan.db').resolve()}"
        if not self.database_url.startswith("postgresql"):
            return self.database_url
        return with_postgres_timeouts(self.database_url)

    @property
    def sqlite_file(self) -> Path | None:
        """The embedded database's file, when the store is one."""
        url = self.store_url
        if not url.startswith("sqlite:///") or ":memory:" in url:
            return None
        return Path(url.removeprefix("sqlite:///").split("?")[0])

    @property
    def is_sqlite(self) -> bool:
        return self.store_url.startswith("sqlite")

    @property
    def renders_json_logs(self) -> bool:
        if self.log_format is not None:
            return self.log_format == "json"
        return not sys.stderr.isatty()


def with_postgres_timeouts(url: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    options = query.get("options", "")
    for name, value in POSTGRES_SESSION_OPTIONS.items():
        if name not in options:
            options = f"{options} -c {name}={value}".strip()
    query["options"] = options
    return urlunsplit(parts._replace(query=urlencode(query)))


@lru_cache
def get_settings() -> Settings:
    return Settings()
