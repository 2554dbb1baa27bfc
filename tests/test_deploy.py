"""The production layout's nginx configuration, as `make cluster` fills it in: every
placeholder filled, and nginx itself accepts it."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "deploy"))
from cluster import Cluster


def test_the_cluster_s_nginx_configuration_is_complete_and_valid(tmp_path):
    cluster = Cluster({}, port=18080, app_ports=(18101, 18102), run=tmp_path)
    conf = Path(cluster.write_nginx_conf()).read_text()
    assert not re.search(r"@[A-Z_]+@", conf)  # no placeholder left
    assert "server 127.0.0.1:18101 max_fails=1 fail_timeout=2s;" in conf
    assert "server 127.0.0.1:18102 max_fails=1 fail_timeout=2s;" in conf
    assert "listen 127.0.0.1:18080;" in conf
    assert "proxy_next_upstream error timeout;" in conf
    if not shutil.which("nginx"):
        pytest.fail("nginx is needed: bash .ci/install-system-packages installs it")
    checked = subprocess.run(
        [
            "nginx",
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(tmp_path / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_cluster_tells_the_portal_it_is_behind_one_proxy():
    assert Cluster({"SECRET_KEY": "x"}).env == {"SECRET_KEY": "x", "NUM_PROXIES": "1"}
