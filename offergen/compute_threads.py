"""How many threads the API process's own numeric work (torch, FAISS, BLAS) may use.

When the model runs in another process (vLLM), that process keeps every core busy while it
decodes. Embedding a guard text or a query on two OpenMP threads then waits for a core at each
parallel region: on the 2-core box the guard route's p99 went 16 ms -> 444 ms under generate load
(docs/operations.md). One thread per request avoids it; requests still run in parallel.

OpenMP reads OMP_NUM_THREADS once, when the runtime loads, and `torch.set_num_threads` later only
changes the calling thread, so the limit goes into the environment before torch and FAISS load.
Child processes (the vLLM server) get the environment back as it was.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offergen.config import Settings

log = logging.getLogger(__name__)

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# Names the variables this process set, so that children get them back unset.
_SET_HERE = "_OFFERGEN_SET_THREAD_VARIABLES"  # not OFFERGEN_: Settings refuses unknown ones


def api_threads(settings: Settings) -> int | None:
    """`torch_threads` if set; else 1 where the profile's model runs in another process (vLLM);
    else None: the libraries' default (every core) for a model running in this process."""
    from offergen.generation.profiles import load_profile

    if settings.torch_threads is not None:
        return settings.torch_threads
    in_process = load_profile(settings.models_dir, settings.model_profile).backend != "vllm"
    return None if in_process else 1


def limit_compute_threads(threads: int) -> bool:
    """Limit this process's numeric libraries to `threads`, unless the operator has already set
    any of THREAD_VARIABLES (their choice wins). True when the limit was applied."""
    if any(name in os.environ for name in THREAD_VARIABLES):
        return False
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    os.environ[_SET_HERE] = ",".join(THREAD_VARIABLES)
    if "torch" in sys.modules or "faiss" in sys.modules:
        log.warning("compute threads limited after torch or FAISS loaded: may not apply")
    # NumPy (and its BLAS) is already loaded by the settings' imports; its pool is set directly.
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads, user_api="blas")
    return True


def child_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """`environ` (default: this process's) without the thread variables this process set."""
    env = dict(os.environ if environ is None else environ)
    for name in env.pop(_SET_HERE, "").split(","):
        env.pop(name, None)
    return env
