"""Load: 64 connections for 60 s against gunicorn with production settings, then the same
while an import writes; bench/load_bench.py does the work and prints the table.
"""

import shutil

import pytest

from bench.load_bench import ROOT, markdown, run_load

ARTIFACTS = ROOT / "tests" / "artifacts"
DURATION, CONNECTIONS = 60, 64


@pytest.mark.slow
def test_site_under_load_alone_and_while_importing_answers_every_request(tmp_path):
    assert shutil.which("wrk"), "wrk missing: scripts/install_chromium.sh installs it (as root)"
    rows, details = run_load(
        tmp_path, count=2000, fresh=500, duration=DURATION, connections=CONNECTIONS
    )
    table = markdown(rows, details, DURATION, CONNECTIONS)
    print("\n" + table)  # pytest -s shows it; CI keeps the artifact
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"load-{details['database'].lower()}.md").write_text(table)

    for label, result in rows:
        failures = {k: result[k] for k in ("errors", "non_2xx_3xx", "5xx") if result[k]}
        assert failures == {}, f"{label}: {failures}\n{details['server_log']}"
        assert result["requests"] > 0
    passes = details["passes"]
    assert passes, "the concurrent import never ran"
    assert all(code == 0 for _, code, _, _ in passes), passes
    assert details["files_written"] >= 500  # it wrote all through the window, not just started
