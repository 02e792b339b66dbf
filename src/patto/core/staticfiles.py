"""Serve only the files the pages use from the npm front-end packages (settings.VENDOR_FILES).

The packages' dist folders hold every build variant and source map (ECharts alone is over
50 MB); finding a few named files instead of the whole folders keeps collectstatic to what the
templates and stylesheets reference, in tests, `runserver` and production alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import utils
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


def vendor_files() -> dict[str, tuple[str, Path]]:
    """Each served path (``vendor/echarts/echarts.min.js``) with its package prefix and the
    file it comes from, whether or not the file exists."""
    files = {}
    for prefix, (folder, names) in settings.VENDOR_FILES.items():
        for name in names:
            files[f"{prefix}/{name}"] = (prefix, Path(folder) / name)
    return files


class VendorFinder(BaseFinder):
    """A staticfiles finder for the files named in settings.VENDOR_FILES, each under its
    package's prefix; the system check core.E001 reports the missing ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storages = {}
        for prefix, (folder, _names) in settings.VENDOR_FILES.items():
            storage = FileSystemStorage(location=folder)
            storage.prefix = prefix
            self.storages[prefix] = storage
        self.files = {path: (prefix, source) for path, (prefix, source)
                      in vendor_files().items() if source.is_file()}

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if kwargs:  # Django 5.2 still accepts the deprecated `all` keyword.
            find_all = self._check_deprecated_find_param(find_all=find_all, **kwargs)
        found = self.files.get(path)
        if found is None:
            return []  # what Django's finders answer for "not here", whatever find_all
        source = str(found[1])
        return [source] if find_all else source

    def list(self, ignore_patterns) -> Iterator[tuple[str, FileSystemStorage]]:
        for path, (prefix, _source) in self.files.items():
            relative = path[len(prefix) + 1:]
            if not utils.matches_patterns(relative, ignore_patterns or []):
                yield relative, self.storages[prefix]
