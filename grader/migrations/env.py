"""Alembic environment: the target metadata is the grader ORM's; the connection comes from grader.db.

Programmatic use (``grader.db.upgrade``) hands over an open connection in
``config.attributes["connection"]``; otherwise an engine is made for
``config.attributes["url"]`` / the ``sqlalchemy.url`` option / the default URL.
"""

from __future__ import annotations

from alembic import context

from grader.db import Base, make_engine, normalize_url

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return normalize_url(config.attributes.get("url") or config.get_main_option("sqlalchemy.url"))


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: later migrations go through batch mode there
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url(), pool_size=1, max_overflow=0)
    try:
        with engine.begin() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
