"""Backups: the database (a pg_dump in custom format, or a copy of the SQLite file) and the media
files (a gzipped tar of MEDIA_ROOT), with a manifest of SHA-256 checksums written last, so a
directory without a manifest is an unfinished backup.

The management commands `backup` and `restore` are the front door; see docs/operations.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from django.utils import timezone

if TYPE_CHECKING:
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
MEDIA_FILE = "media.tar.gz"
# pg_restore fails instead of waiting forever when a web server or worker still holds a lock.
_LOCK_TIMEOUT = "-c lock_timeout=15s"
_TABLE_LINE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


# Backup


def backup_create(*, target: Path, media: bool = True) -> dict[str, Any]:
    """Write a backup into `target` (a new or empty directory) and return its manifest."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty directory; choose a new one.")
    if media:
        _media_root()  # refuse before writing anything
    target.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    database = _pg_dump(target / PG_DUMP_FILE) if engine == "postgresql" else _sqlite_copy(target / SQLITE_FILE)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": database,
        "media": _media_tar(target / MEDIA_FILE) if media else None,
    }
    manifest["checksums"] = {name: _sha256(target / name) for name in (database["file"], MEDIA_FILE if media else None) if name}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _engine() -> str:
    vendor = connections["default"].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _pg_dump(path: Path) -> dict[str, Any]:
    # Called only when _engine() says postgresql.
    connection = cast("PostgresWrapper", connections["default"])
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    tool, tool_major = _pg_tool(settings.BACKUP_PG_DUMP, at_least=server_major, why="dump")
    _run([settings.BACKUP_PG_DUMP, "--format=custom", "--no-owner", "--no-privileges", "--file", str(path)])
    return {"engine": "postgresql", "file": path.name, "server_major": server_major, "tool": tool, "tool_major": tool_major}


def _sqlite_copy(path: Path) -> dict[str, Any]:
    # SQLite's online backup API copies a consistent snapshot even while other processes write
    # (WAL mode), which copying the file itself would not.
    source = sqlite3.connect(str(connections["default"].settings_dict["NAME"]))
    target = sqlite3.connect(str(path))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return {"engine": "sqlite", "file": path.name}


def _media_root() -> Path:
    if not isinstance(default_storage, FileSystemStorage):
        raise BackupError(
            f"Media files are kept by {default_storage.__class__.__name__}, not on this disk: back them up with "
            "that storage's own tools and run the backup with --no-media."
        )
    return Path(settings.MEDIA_ROOT)


def _media_tar(path: Path) -> dict[str, Any]:
    root, files, size = _media_root(), 0, 0
    with tarfile.open(path, "w:gz") as tar:
        for item in sorted(root.rglob("*")) if root.is_dir() else []:
            tar.add(item, arcname=item.relative_to(root).as_posix(), recursive=False)
            if item.is_file():
                files, size = files + 1, size + item.stat().st_size
    return {"file": path.name, "files": files, "bytes": size}


# Restore


def backup_read(*, source: Path) -> dict[str, Any]:
    """The manifest of the backup in `source`, after checking every file against its checksum."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} holds no {MANIFEST}: it is not a backup, or its backup did not finish.") from None
    except (OSError, ValueError) as e:
        raise BackupError(f"{source / MANIFEST} cannot be read: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source / MANIFEST} is not a backup manifest of format {FORMAT}.")
    for name, expected in manifest.get("checksums", {}).items():
        if not (source / name).is_file():
            raise BackupError(f"{name} is missing from {source}.")
        if _sha256(source / name) != expected:
            raise BackupError(f"{name} does not match its checksum in the manifest: the backup is damaged.")
    return manifest


def restore_target_is_empty() -> bool:
    """Whether the database has no tables and MEDIA_ROOT no files (so nothing would be lost)."""
    connection = connections["default"]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    root = Path(settings.MEDIA_ROOT)
    return not tables and not (root.is_dir() and any(root.iterdir()))


def backup_restore(*, source: Path, replace: bool) -> dict[str, Any]:
    """Replace the database and media files with the backup in `source`.

    1. Read the manifest and check every file against its checksum.
    2. Refuse to overwrite a non-empty database or media folder unless `replace`.
    3. Restore the database (pg_restore in one transaction, or SQLite's backup API).
    4. Unpack the media files into a temporary folder, then swap them into MEDIA_ROOT.
    """
    manifest = backup_read(source=source)
    engine = _engine()
    if manifest["database"]["engine"] != engine:
        raise BackupError(f"This backup holds a {manifest['database']['engine']} database; this site uses {engine}.")
    if not replace and not restore_target_is_empty():
        raise BackupError(
            f"The database {connections['default'].settings_dict['NAME']} (or MEDIA_ROOT) is not empty; restoring "
            "replaces everything in it. Run again with --yes to replace it."
        )
    if manifest["media"] is not None:
        _media_root()
    connections.close_all()
    if engine == "postgresql":
        _pg_restore(source / manifest["database"]["file"], manifest["database"])
    else:
        _sqlite_restore(source / manifest["database"]["file"])
    if manifest["media"] is not None:
        _media_restore(source / manifest["media"]["file"])
    return manifest


def _pg_restore(path: Path, database: dict[str, Any]) -> None:
    # An archive can only be read by a pg_restore at least as new as the pg_dump that wrote it.
    _pg_tool(settings.BACKUP_PG_RESTORE, at_least=int(database.get("tool_major", 0)), why="read this archive of")
    archived = {
        (m[1], m[2]) for line in _run([settings.BACKUP_PG_RESTORE, "--list", str(path)]).splitlines() if (m := _TABLE_LINE.match(line))
    }
    _drop_tables_missing_from(archived)
    _run(
        [
            settings.BACKUP_PG_RESTORE,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            connections["default"].settings_dict["NAME"],
            str(path),
        ]
    )


def _drop_tables_missing_from(archived: set[tuple[str, str]]) -> None:
    """Tables the backup does not have (from newer migrations) would survive `--clean` and then
    break `migrate`; the restored database must hold exactly what the backup holds."""
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname = current_schema()")
        extra = [row for row in cursor.fetchall() if tuple(row) not in archived]
        for schema, table in extra:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(schema)}.{connection.ops.quote_name(table)} CASCADE")
    connection.close()


def _sqlite_restore(path: Path) -> None:
    source = sqlite3.connect(str(path))
    target = sqlite3.connect(str(connections["default"].settings_dict["NAME"]), timeout=20)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _media_restore(path: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    # Unpack inside MEDIA_ROOT first (it is often a mounted volume, which cannot be swapped), so a
    # damaged archive leaves the files as they were. The "data" filter refuses absolute paths,
    # links out of the folder and device files.
    unpacked = Path(tempfile.mkdtemp(dir=root, prefix=".restore-"))
    try:
        with tarfile.open(path, "r:gz") as tar:
            tar.extractall(unpacked, filter="data")
        for item in root.iterdir():
            if item != unpacked:
                shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()
        for item in unpacked.iterdir():
            item.rename(root / item.name)
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)


# Helpers


def _pg_env() -> dict[str, str]:
    """Connection settings for the PostgreSQL programs, through the environment so the password
    never shows in a process list."""
    db = connections["default"].settings_dict
    env = dict(os.environ)
    values = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({k: str(v) for k, v in values.items() if v})
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} {_LOCK_TIMEOUT}".strip()
    return env


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (set BACKUP_PG_DUMP / BACKUP_PG_RESTORE to its path).") from None
    if done.returncode != 0:
        detail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{Path(command[0]).name} failed (exit {done.returncode}):\n{detail}")
    return done.stdout


def _pg_tool(program: str, *, at_least: int, why: str) -> tuple[str, int]:
    """The program's version line and major version, after checking that it is recent enough."""
    version = _run([program, "--version"]).strip()
    match = re.search(r"(\d+)(?:\.\d+)?", version)
    major = int(match.group(1)) if match else 0
    if major < at_least:
        raise BackupError(
            f"{version} cannot {why} a PostgreSQL {at_least} database; install the PostgreSQL {at_least} "
            "client programs (or newer) and point BACKUP_PG_DUMP / BACKUP_PG_RESTORE at them."
        )
    return version, major


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()
