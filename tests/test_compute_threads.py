import subprocess
import sys
from pathlib import Path

import pytest

from offergen.compute_threads import (
    THREAD_VARIABLES,
    api_threads,
    child_environment,
    limit_compute_threads,
)
from offergen.config import Settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*THREAD_VARIABLES, "_OFFERGEN_SET_THREAD_VARIABLES"):
        monkeypatch.setenv(name, "")  # so that teardown restores what the test sets
        monkeypatch.delenv(name)
    return monkeypatch


def test_the_limit_goes_into_the_environment_and_children_get_it_back(
    clean_env: pytest.MonkeyPatch,
) -> None:
    import os

    clean_env.setenv("UNRELATED", "kept")
    assert limit_compute_threads(1)
    assert all(os.environ[name] == "1" for name in THREAD_VARIABLES)
    child = child_environment()
    assert not set(THREAD_VARIABLES) & set(child)
    assert "_OFFERGEN_SET_THREAD_VARIABLES" not in child
    assert child["UNRELATED"] == "kept"


def test_an_operator_setting_wins_and_reaches_children(clean_env: pytest.MonkeyPatch) -> None:
    import os

    clean_env.setenv("OMP_NUM_THREADS", "2")
    assert not limit_compute_threads(1)
    assert os.environ["OMP_NUM_THREADS"] == "2"
    assert "MKL_NUM_THREADS" not in os.environ
    assert child_environment()["OMP_NUM_THREADS"] == "2"


def test_one_thread_where_the_model_runs_in_another_process(prepared_settings: Settings) -> None:
    vllm = prepared_settings.model_copy(update={"model_profile": "embedded-vllm"})
    in_process = prepared_settings.model_copy(update={"model_profile": "embedded"})
    assert api_threads(vllm) == 1
    assert api_threads(in_process) is None
    assert api_threads(in_process.model_copy(update={"torch_threads": 3})) == 3


def test_torch_and_blas_loaded_afterwards_use_the_limit(tmp_path: Path) -> None:
    # A fresh interpreter, as `offergen serve` is: the limit is set after NumPy (the settings'
    # import) and before torch.
    script = (
        "import numpy, os\n"
        "for n in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):\n"
        "    os.environ.pop(n, None)\n"
        "from offergen.compute_threads import limit_compute_threads\n"
        "from threadpoolctl import threadpool_info\n"
        "limit_compute_threads(1)\n"
        "import torch\n"
        "blas = {i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'}\n"
        "print(torch.get_num_threads(), sorted(blas))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split(maxsplit=1)
    assert out == ["1", "[1]\n"]
