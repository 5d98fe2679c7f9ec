#!/usr/bin/env bash
# On a machine with a CUDA GPU: start vLLM (CUDA build) with the embedded checkpoint and run the
# generation benchmark against it. Installs nothing from the network: it expects `make install`
# (the service, the prepared checkpoint under var/) and a .venv-vllm holding the CUDA `vllm`
# build (`make vllm VLLM_PACKAGE=vllm`, done beforehand where the network is reachable).
set -euo pipefail
cd "$(dirname "$0")/../.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

command -v nvidia-smi >/dev/null || { echo "no CUDA GPU here (nvidia-smi not found)" >&2; exit 2; }
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
[[ -x .venv/bin/offergen ]] || { echo "run 'make install' first" >&2; exit 2; }
[[ -x .venv-vllm/bin/python ]] || { echo "no .venv-vllm: run 'make vllm VLLM_PACKAGE=vllm'" >&2; exit 2; }
.venv-vllm/bin/python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
    || { echo ".venv-vllm's torch sees no GPU: install the CUDA vllm build there" >&2; exit 2; }
.venv/bin/offergen model prepare

# The same profile flags as on CPU; vLLM picks the GPU by itself. The KV-cache knob of the CPU
# build is ignored on GPU, where --gpu-memory-utilization applies instead.
.venv/bin/offergen llm serve --profile embedded-vllm &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
.venv/bin/python eval/bench/generation.py "$@"
