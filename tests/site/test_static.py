"""Static files: only what the pages use is collected from the npm packages, and all of it is
there."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command

SRC = Path(__file__).resolve().parents[2] / "src" / "patto"


def referenced_vendor_files() -> set[str]:
    """Vendor paths that templates name with {% static %} and that our stylesheets name with
    url(): what the pages load."""
    paths = set()
    for template in SRC.glob("*/templates/**/*.html"):
        paths |= set(re.findall(r"""\{%\s*static\s+['"](vendor/[^'"]+)['"]""",
                                template.read_text(encoding="utf-8")))
    for stylesheet in SRC.glob("*/static/patto/*.css"):
        for url in re.findall(r"""url\(["']?\.\./(vendor/[^"')]+)""",
                              stylesheet.read_text(encoding="utf-8")):
            paths.add(url)
    return paths


def vendor_paths() -> set[str]:
    found = set()
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            prefix = getattr(storage, "prefix", None) or ""
            full = f"{prefix}/{path}" if prefix else path
            if full.startswith("vendor/"):
                found.add(full)
    return found


def test_every_vendor_file_the_pages_use_is_found():
    used = referenced_vendor_files()
    # The scan sees the stylesheet, the scripts, the icon sprite and the fonts.
    assert {"vendor/bootstrap-italia/css/bootstrap-italia.min.css",
            "vendor/echarts/echarts.min.js", "vendor/htmx/htmx.min.js",
            "vendor/bootstrap-italia/svg/sprites.svg"} <= used
    assert any(path.endswith(".woff2") for path in used)
    for path in used:
        assert finders.find(path), path


def test_only_what_the_pages_use_is_collected_from_the_packages():
    collected = vendor_paths()
    extra = collected - referenced_vendor_files()
    # Besides the files the pages load: the stylesheet's source map (the stylesheet names it)
    # and the fonts' licences.
    assert extra == {"vendor/bootstrap-italia/css/bootstrap-italia.min.css.map",
                     "vendor/bootstrap-italia/fonts/Titillium_Web/OFL.txt",
                     "vendor/bootstrap-italia/fonts/Roboto_Mono/LICENSE.txt",
                     "vendor/bootstrap-italia/fonts/Lora/OFL.txt"}
    assert not finders.find("vendor/echarts/echarts.js")
    assert not finders.find("vendor/bootstrap-italia/js/bootstrap-italia.min.js")


def test_the_manifest_storage_resolves_every_collected_reference(settings, tmp_path):
    # Hashing rewrites every url() and source map a collected file names: a file that a
    # collected stylesheet needs but the collection lacks fails here, as it would in `make
    # demo`. Compression is left out: it cannot fail on a missing file.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "static" / "staticfiles.json").read_text(encoding="utf-8")
    assert "vendor/bootstrap-italia/fonts/Lora/lora-v20-latin-ext_latin-regular.woff2" in manifest
    fonts = next((tmp_path / "static" / "patto").glob("fonts.*.css")).read_text(encoding="utf-8")
    assert re.search(r"titillium-web-v10-latin-ext_latin-300\.[0-9a-f]{12}\.woff2", fonts)


def test_a_missing_vendor_file_fails_the_system_check(settings, tmp_path):
    from patto.core.checks import check_front_end_assets

    (tmp_path / "echarts.min.js").write_text("")
    settings.VENDOR_FILES = {"vendor/echarts": (tmp_path, ["echarts.min.js", "echarts.js"])}
    [error] = check_front_end_assets(None)
    assert error.id == "core.E001"
    assert "vendor/echarts/echarts.js" in error.msg and "npm ci" in error.hint
    settings.VENDOR_FILES = {"vendor/echarts": (tmp_path, ["echarts.min.js"])}
    assert check_front_end_assets(None) == []
