"""Several speeches in one bot: every pack of a folder, each with its own service, the newest the default.

Each chat studies one of them (its choice is kept by the front end); a pack added or changed is picked up by
loading the library again (/reload), which reuses the services of the packs whose files did not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from bot.knowledge import packs_newest_first
from bot.service import Service


@dataclass(frozen=True)
class Library:
    """The packs served, by id (their folder's name), newest first; `default` is the newest."""

    services: Mapping[str, Service]
    default: str
    stamps: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # each pack's files' sizes and times

    @classmethod
    def load(cls, folder: Path | str, before: Library | None = None) -> Library:
        """Every pack of the folder (or the one pack it is), reusing `before`'s service of an unchanged pack."""
        folders = packs_newest_first(folder) or [Path(folder)]
        services: dict[str, Service] = {}
        stamps: dict[str, tuple[int, ...]] = {}
        for pack in folders:
            stamp = _stamp(pack)
            kept = before.services.get(pack.name) if before is not None else None
            if kept is not None and before is not None and before.stamps.get(pack.name) == stamp:
                services[pack.name] = kept
            else:
                services[pack.name] = Service.load(pack)
            stamps[pack.name] = stamp
        return cls(MappingProxyType(services), folders[0].name, MappingProxyType(stamps))

    def service(self, pack_id: str | None) -> Service:
        """The pack's service; the default for None or a pack no longer served."""
        return self.services.get(pack_id or "", self.services[self.default])

    @property
    def newest(self) -> Service:
        return self.services[self.default]

    def __len__(self) -> int:
        return len(self.services)


def _stamp(pack: Path) -> tuple[int, ...]:
    stats = [p.stat() for p in sorted(pack.rglob("*")) if p.is_file()]
    return tuple(n for stat in stats for n in (stat.st_size, stat.st_mtime_ns))
