#!/usr/bin/env bash
# On a machine with a CUDA GPU: the generation benchmark on the GPU. With the CUDA `vllm` build in
# .venv-vllm (`make vllm VLLM_PACKAGE=vllm`, done beforehand where the network is reachable) it
# starts vLLM with the embedded checkpoint and measures it; without one, it measures the in-process
# transformers backend on the GPU (profile `embedded`, device auto = CUDA, bf16, micro-batched).
# Installs nothing from the network: it expects `make install` (the service and the prepared
# checkpoint under var/); for the in-process path the service's torch must be a CUDA build.
set -euo pipefail
cd "$(dirname "$0")/../.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

command -v nvidia-smi >/dev/null || { echo "no CUDA GPU here (nvidia-smi not found)" >&2; exit 2; }
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
[[ -x .venv/bin/offergen ]] || { echo "run 'make install' first" >&2; exit 2; }
.venv/bin/offergen model prepare

if [[ -x .venv-vllm/bin/python ]] \
    && .venv-vllm/bin/python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    # The same profile flags as on CPU; vLLM picks the GPU by itself. The KV-cache knob of the CPU
    # build is ignored on GPU, where --gpu-memory-utilization applies instead.
    .venv/bin/offergen llm serve --profile embedded-vllm &
    server=$!
    trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
    .venv/bin/python eval/bench/generation.py "$@"
else
    echo "no CUDA vLLM build in .venv-vllm: measuring the in-process backend on the GPU" >&2
    .venv/bin/python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
        || { echo ".venv's torch sees no GPU either: install a CUDA torch build there" >&2; exit 2; }
    .venv/bin/python eval/bench/generation.py --backends transformers "$@"
fi
