"""The QTI DTD is looked for beside the repository, and its absence fails CI instead of skipping."""

from __future__ import annotations

import pytest

from tests.exporters import helpers


def test_found_beside_the_repository_or_its_main_worktree():
    roots = helpers.repository_roots()
    assert roots[0] == helpers.REPO and (helpers.REPO / "pyproject.toml").exists()
    assert helpers.QTI_DTD in [r.parent / "shared" / helpers.DTD_PATH for r in roots]


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception),
                                         ("", pytest.skip.Exception)])
def test_missing_dtd_fails_under_ci_and_skips_elsewhere(monkeypatch, tmp_path, ci, outcome):
    monkeypatch.setattr(helpers, "QTI_DTD", tmp_path / "absent.dtd")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="absent.dtd"):
        helpers.qti_dtd()
