#!/usr/bin/env bash
# Installs Debian's PyTorch (CPU) with the pthread OpenBLAS, for bench/pytorch_vae.py, then prints the
# torch version and a float32 sgemm check. Needs root (apt-get); use /usr/bin/python3, not a pyenv one.
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  cat <<'EOF'
usage: bench/install-pytorch.sh

Runs apt-get update, then apt-get install -y python3-torch libopenblas0-pthread (Debian 12: torch 1.13.1),
and checks that torch's BLAS is OpenBLAS by timing a 2048x2048 float32 matmul on 1 and 2 threads:
expect roughly 70-90 GFLOP/s on one core and 130-160 on two here; a few GFLOP/s means the reference
BLAS is in use (libopenblas0-pthread missing, or the libblas.so.3 alternative points elsewhere).
Then: /usr/bin/python3 bench/pytorch_vae.py --help
EOF
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q python3-torch libopenblas0-pthread

/usr/bin/python3 - <<'EOF'
import ctypes
import time

import torch

print("torch", torch.__version__)
maps = open("/proc/self/maps").read().split("\n")
libs = sorted({ln.split()[-1] for ln in maps if "openblas" in ln and "/" in ln})
if not libs:
    raise SystemExit("FAIL: torch did not load OpenBLAS (reference BLAS would be ~30x slower)")
blas = ctypes.CDLL(libs[0])
blas.openblas_get_config.restype = ctypes.c_char_p
print("BLAS:", blas.openblas_get_config().decode())
n = 2048
a, b = torch.rand(n, n), torch.rand(n, n)
for t in (1, 2):
    torch.set_num_threads(t)
    blas.openblas_set_num_threads(t)
    a @ b
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        a @ b
        reps += 1
    gflops = 2 * n ** 3 * reps / (time.perf_counter() - start) / 1e9
    print(f"sgemm {n}x{n} threads={t}: {gflops:.1f} GFLOP/s")
    if gflops < 20:
        print("WARNING: that is reference-BLAS speed (or a very busy machine)")
EOF
