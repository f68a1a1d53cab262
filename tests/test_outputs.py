"""--output and --site: written through symlinks, never onto FIFOs, devices or read-only
files, ``-`` is stdout, stale temp files cleaned, the site swapped in whole."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ecokg.atomic import TEMP_MARK, write_atomic
from ecokg.errors import InputError
from ecokg.publish import site as site_module
from ecokg.publish.settings import CatalogSettings
from ecokg.stores.local import Dataset

ROOT = Path(__file__).resolve().parents[1]
ASK_JSON = ("sparql", "ASK { ?s a eco:Project }", "-f", "json")


def test_symlink_is_written_through_to_its_target(tmp_path: Path, run_cli) -> None:
    real = tmp_path / "real" / "answer.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    code, _, err = run_cli(*ASK_JSON, "-o", link)
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == real
    assert '"boolean":true' in real.read_text()
    assert [p.name for p in tmp_path.iterdir() if TEMP_MARK in p.name] == []


def test_dangling_symlink_creates_its_target(tmp_path: Path, run_cli) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "new.json")
    code, _, err = run_cli(*ASK_JSON, "-o", link)
    assert code == 0, err
    assert link.is_symlink() and (tmp_path / "new.json").is_file()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "ecokg", *ASK_JSON, "-o", str(fifo)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,  # opening a FIFO for writing blocks until a reader comes
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"ecokg: error: {fifo}: not a regular file (a FIFO); refused"
    ]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def private_null_device(directory: Path) -> Path:
    """A character device like /dev/null in ``directory``: if the refusal ever broke, the
    test would replace this node, never the system's /dev/null."""
    node = directory / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (OSError, AttributeError) as error:
        pytest.skip(f"cannot make a device node here: {error}")
    return node


@pytest.mark.parametrize("via_link", [False, True], ids=["device", "symlink-to-device"])
def test_device_is_refused(tmp_path: Path, run_cli, via_link: bool) -> None:
    device = private_null_device(tmp_path)
    target = device
    if via_link:
        target = tmp_path / "link"
        target.symlink_to(device)
    code, out, err = run_cli(*ASK_JSON, "-o", target)
    assert (code, out) == (2, "")
    assert err.strip() == f"ecokg: error: {target}: not a regular file (a device); refused"
    assert stat.S_ISCHR(device.stat().st_mode)


def test_read_only_file_is_refused(tmp_path: Path, run_cli) -> None:
    target = tmp_path / "answer.json"
    target.write_text("keep")
    target.chmod(0o444)
    code, _, err = run_cli(*ASK_JSON, "-o", target)
    assert code == 2
    assert err.strip() == f"ecokg: error: {target}: is read-only; refused"
    assert target.read_text() == "keep"


def test_read_only_directory_is_refused(tmp_path: Path, run_cli) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, _, err = run_cli(*ASK_JSON, "-o", folder / "answer.json")
        assert code == 2
        assert err.strip().endswith("is read-only; refused")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "answer.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    "args",
    [
        ("sparql", "SELECT ?p WHERE { ?p a eco:Project } LIMIT 1", "-f", "csv"),
        ("query", "--list", "-f", "json"),
        ("export", "--part", "ontology", "-f", "nt"),
        ("audit", "-f", "json"),
    ],
    ids=["sparql", "query", "export", "audit"],
)
def test_dash_is_stdout(tmp_path: Path, monkeypatch, run_mini, args) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_mini(*args, "-o", "-")
    assert code in (0, 1), err
    assert out.strip()
    assert not (tmp_path / "-").exists()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temp_files_are_removed_by_the_next_write(tmp_path: Path) -> None:
    stale = tmp_path / f".old.ttl{TEMP_MARK}{dead_pid()}-abcd1234"
    live = tmp_path / f".old.ttl{TEMP_MARK}{os.getppid()}-abcd1234"  # a live process's
    unrelated = tmp_path / ".notes.txt.swp"
    for path in (stale, live, unrelated):
        path.write_text("x")
    write_atomic(tmp_path / "new.ttl", "new")
    assert not stale.exists()
    assert live.exists() and unrelated.exists()


def test_errors_name_the_path_given(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing/answer\.txt: directory .* does not exist"):
        write_atomic(tmp_path / "missing" / "answer.txt", "x")
    with pytest.raises(InputError, match="is a directory"):
        write_atomic(tmp_path, "x")


# --- the site: built aside and swapped in ---


def _settings() -> CatalogSettings:
    return CatalogSettings.create()


def test_site_build_replaces_the_old_site_whole(tmp_path: Path, mini_dataset: Dataset) -> None:
    site = tmp_path / "site"
    site_module.build_site(mini_dataset, site, _settings())
    (site / "gone.html").write_text("from an old build")
    (site / ".git").mkdir()  # what a publisher keeps beside the pages stays
    (site / ".git" / "HEAD").write_text("ref")
    pages = site_module.build_site(mini_dataset, site, _settings())
    assert pages > 0
    assert (site / "index.html").is_file()
    assert not (site / "gone.html").exists()
    assert (site / ".git" / "HEAD").read_text() == "ref"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert stat.S_IMODE(site.stat().st_mode) & 0o055 == 0o055  # readable by a web server


def test_failed_site_build_leaves_the_old_site(
    tmp_path: Path, mini_dataset: Dataset, monkeypatch
) -> None:
    site = tmp_path / "site"
    site_module.build_site(mini_dataset, site, _settings())
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    written = []
    real_resource = site_module._Writer.resource

    def failing(self, iri: str, path: str) -> None:
        if len(written) == 5:
            raise OSError(28, "No space left on device")
        written.append(iri)
        real_resource(self, iri, path)

    monkeypatch.setattr(site_module._Writer, "resource", failing)
    with pytest.raises(OSError):
        site_module.build_site(mini_dataset, site, _settings())
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_stale_site_builds_are_removed(tmp_path: Path, mini_dataset: Dataset) -> None:
    stale = tmp_path / f".site{TEMP_MARK}{dead_pid()}-abcd1234"
    (stale / "id").mkdir(parents=True)
    (stale / "id" / "page.html").write_text("half")
    site_module.build_site(mini_dataset, tmp_path / "site", _settings())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_site_through_cli_over_a_symlink(tmp_path: Path, run_mini) -> None:
    real = tmp_path / "real-site"
    link = tmp_path / "site"
    link.symlink_to(real, target_is_directory=True)
    code, _, err = run_mini("export", "--site", link)
    assert code == 0, err
    assert link.is_symlink() and (real / "index.html").is_file()


def test_site_refuses_to_replace_a_directory_that_is_no_site(tmp_path: Path, run_mini) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.docx").write_text("precious")
    code, _, err = run_mini("export", "--site", folder)
    assert code == 2
    assert "not empty and not an ecokg site" in err
    assert (folder / "thesis.docx").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents"]
