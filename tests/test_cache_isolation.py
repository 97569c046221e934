"""The tests keep the package's per-user cache in a session folder, never the developer's."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.charts import bundle_cache


def test_the_bundle_cache_is_a_session_temp_folder_during_tests(
    session_cache_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = bundle_cache.cache_dir()
    assert folder == session_cache_dir
    assert folder.is_relative_to(tmp_path_factory.getbasetemp())
    assert not folder.is_relative_to(Path.home() / ".cache")


def test_a_test_may_set_its_own_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bundle_cache.CACHE_DIR_ENV, str(tmp_path / "own"))
    assert bundle_cache.cache_dir() == tmp_path / "own"
