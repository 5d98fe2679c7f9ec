"""What the CPU can do, read cheaply (no torch import), for picking a model's precision."""

from __future__ import annotations

from pathlib import Path


def native_bf16_cpu(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True where the CPU has bf16 matrix instructions (AMX-BF16 or AVX512-BF16).

    Read from /proc/cpuinfo, not torch, so that constructing an embedder stays cheap. Anything
    unreadable (not Linux) answers False: fp32 is never the slow choice.
    """
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = set(line.partition(":")[2].split())
            return bool(flags & {"amx_bf16", "avx512_bf16"})
    return False
