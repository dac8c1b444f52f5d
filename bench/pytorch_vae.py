#!/usr/bin/python3
"""PyTorch reference of the spark-vae VAE, for comparing training throughput with the DL4J one.

Same model as ours: Conv2d(k4, s2, p1) + LeakyReLU(0.2) encoder, Linear to [mu | logvar] with logvar
clamped to [-10, 4], reparameterisation, Linear + LeakyReLU decoder stem, mirrored ConvTranspose2d
layers, sigmoid output; Gaussian reconstruction loss (sigma 0.1) plus KL, Adam lr 1e-3, batch 64.

stdout holds only lines of the form
  RESULT torch flops-per-image <shape> <MFLOP>     forward multiply-adds x 2 (training ~ 3x)
  RESULT torch sgemm threads=<t> <GFLOP/s>         float32 matmul, same thread settings
  RESULT torch <shape> threads=<t> <img/s>         training (forward, backward, Adam step)
Versions and the BLAS in use go to stderr. Run with Debian's /usr/bin/python3 (bench/install-pytorch.sh).
Each thread count runs in a child process with OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = t, interop 1
(--train-blas-threads sets OpenBLAS's threads for the training lines alone).
"""
import argparse
import ctypes
import os
import subprocess
import sys
import time

import torch
from torch import nn

SHAPES = {  # name: (image side, encoder widths, latent)
    "cifar": (32, (32, 64, 128), 64),
    "celeba": (64, (32, 64, 128, 256), 128),
}
DEFAULT_ITERATIONS = {"cifar": 40, "celeba": 20}
BATCH = 64
CHANNELS = 3
BOTTLENECK = 4
SIGMA = 0.1
WARMUP = 30  # untimed minibatches at least, and WARMUP_SECONDS: as VaeBenchmark.WARMUP and WARMUP_SECONDS
WARMUP_SECONDS = 12.0


class Vae(nn.Module):
    def __init__(self, widths: tuple[int, ...], latent: int) -> None:
        super().__init__()
        enc: list[nn.Module] = []
        c_in = CHANNELS
        for w in widths:
            enc += [nn.Conv2d(c_in, w, 4, 2, 1), nn.LeakyReLU(0.2)]
            c_in = w
        self.encoder = nn.Sequential(*enc, nn.Flatten())
        c0 = widths[-1]
        self.stats = nn.Linear(c0 * BOTTLENECK * BOTTLENECK, 2 * latent)
        self.stem = nn.Sequential(nn.Linear(latent, c0 * BOTTLENECK * BOTTLENECK), nn.LeakyReLU(0.2),
                                  nn.Unflatten(1, (c0, BOTTLENECK, BOTTLENECK)))
        outs = list(reversed(widths[:-1])) + [CHANNELS]
        dec: list[nn.Module] = []
        for i, w in enumerate(outs):
            dec.append(nn.ConvTranspose2d(c_in, w, 4, 2, 1))
            dec.append(nn.LeakyReLU(0.2) if i < len(outs) - 1 else nn.Sigmoid())
            c_in = w
        self.decoder = nn.Sequential(*dec)
        self.latent = latent

    def loss(self, x: torch.Tensor) -> torch.Tensor:
        stats = self.stats(self.encoder(x))
        mu, logvar = stats[:, :self.latent], torch.clamp(stats[:, self.latent:], -10.0, 4.0)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        x_hat = self.decoder(self.stem(z))
        recon = ((x - x_hat) ** 2).sum(dim=(1, 2, 3)) / (2 * SIGMA ** 2)
        kl = 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(dim=1)
        return recon.mean() + kl.mean()


def forward_mflop(shape: str) -> float:
    """2 x multiply-adds of the conv, deconv and linear layers for one image's forward pass."""
    side, widths, latent = SHAPES[shape]
    macs, c_in = 0, CHANNELS
    for w in widths:  # conv: every output pixel sees a 4x4xCin window
        side //= 2
        macs += side * side * w * 16 * c_in
        c_in = w
    flat = c_in * BOTTLENECK * BOTTLENECK
    macs += flat * 2 * latent + latent * flat
    for w in list(reversed(widths[:-1])) + [CHANNELS]:  # deconv: every input pixel scatters 4x4xCout
        macs += side * side * c_in * 16 * w
        side *= 2
        c_in = w
    return 2 * macs / 1e6


def openblas() -> ctypes.CDLL | None:
    """The OpenBLAS that torch loaded (Debian's torch links libblas.so.3 through alternatives)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line and "/" in line}
    return ctypes.CDLL(sorted(paths)[0]) if paths else None


def set_threads(t: int, blas: ctypes.CDLL | None) -> None:
    torch.set_num_threads(t)
    if blas is not None:  # torch.set_num_threads does not reach a "generic" BLAS
        blas.openblas_set_num_threads(t)


def sgemm_gflops(n: int = 2048, seconds: float = 1.0) -> float:
    a, b = torch.rand(n, n), torch.rand(n, n)
    for _ in range(2):
        a @ b
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        reps += 1
    return 2 * n ** 3 * reps / (time.perf_counter() - start) / 1e9


def train_img_per_s(shape: str, iterations: int) -> float:
    side, widths, latent = SHAPES[shape]
    torch.manual_seed(0)
    model = Vae(widths, latent)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [torch.rand(BATCH, CHANNELS, side, side) for _ in range(4)]

    def step(i: int) -> None:
        opt.zero_grad(set_to_none=True)
        model.loss(batches[i % len(batches)]).backward()
        opt.step()

    i, warmup_start = 0, time.perf_counter()
    while i < WARMUP or time.perf_counter() - warmup_start < WARMUP_SECONDS:
        step(i)
        i += 1
    start = time.perf_counter()
    for i in range(iterations):
        step(i)
    return iterations * BATCH / (time.perf_counter() - start)


def measure(t: int, shapes: list[str], iterations: int | None, gemm_size: int, train_blas: int | None) -> None:
    """One thread setting, in a process of its own (interop threads and OMP_* are fixed per process)."""
    torch.set_num_interop_threads(1)  # before any parallel work; settable once per process
    blas = openblas()
    set_threads(t, blas)
    print(f"RESULT torch sgemm threads={t} {sgemm_gflops(gemm_size):.1f}", flush=True)
    if train_blas is not None and blas is not None:
        blas.openblas_set_num_threads(train_blas)
    for shape in shapes:
        n = iterations or DEFAULT_ITERATIONS[shape]
        print(f"RESULT torch {shape} threads={t} {train_img_per_s(shape, n):.1f}", flush=True)


def describe() -> None:
    blas = openblas()
    print(f"torch {torch.__version__}", file=sys.stderr)
    if blas is None:
        print("WARNING: no OpenBLAS loaded (reference BLAS?): install libopenblas0-pthread", file=sys.stderr)
    else:
        blas.openblas_get_config.restype = ctypes.c_char_p
        blas.openblas_get_corename.restype = ctypes.c_char_p
        print(f"BLAS: {blas.openblas_get_config().decode()}, core {blas.openblas_get_corename().decode()}",
              file=sys.stderr)
    info = [ln.strip(" -") for ln in torch.__config__.show().splitlines()
            if any(k in ln for k in ("MKL-DNN", "OpenMP", "CPU capability"))]
    print("; ".join(info), file=sys.stderr)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shape", choices=["cifar", "celeba", "both"], default="both")
    p.add_argument("--threads", default="1,2", help="comma-separated intra-op thread counts (default 1,2)")
    p.add_argument("--iterations", type=int, help="timed minibatches (default 40 cifar, 20 celeba)")
    p.add_argument("--gemm-size", type=int, default=2048, help="n of the n x n sgemm check (default 2048)")
    p.add_argument("--omp-wait-policy", default="PASSIVE",
                   help="OMP_WAIT_POLICY for the measurement (default PASSIVE; 'inherit' leaves the "
                        "environment alone). With libgomp's default spinning, its idle workers starve "
                        "OpenBLAS's pthreads on 2 cores and 2 threads run ~3x slower than 1")
    p.add_argument("--train-blas-threads", type=int,
                   help="OpenBLAS threads while training (default: the thread count). With 1, OpenBLAS's "
                        "pthreads stop spinning between the Linear layers' small gemms on the cores that the "
                        "convolutions' OpenMP threads need; the sgemm line keeps the thread count")
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    shapes = ["cifar", "celeba"] if args.shape == "both" else [args.shape]
    if args.child:
        measure(args.child, shapes, args.iterations, args.gemm_size, args.train_blas_threads)
        return 0

    describe()
    for shape in shapes:
        print(f"RESULT torch flops-per-image {shape} {forward_mflop(shape):.1f}", flush=True)
    for t in (int(x) for x in args.threads.split(",")):
        env = dict(os.environ, OMP_NUM_THREADS=str(t), OPENBLAS_NUM_THREADS=str(t))
        if args.omp_wait_policy != "inherit":
            env["OMP_WAIT_POLICY"] = args.omp_wait_policy
        print(f"threads={t}: OMP_WAIT_POLICY={env.get('OMP_WAIT_POLICY', '(unset)')}", file=sys.stderr)
        cmd = [sys.executable, __file__, "--shape", args.shape, "--gemm-size", str(args.gemm_size),
               "--child", str(t)] + (["--iterations", str(args.iterations)] if args.iterations else []) \
            + (["--train-blas-threads", str(args.train_blas_threads)] if args.train_blas_threads else [])
        subprocess.run(cmd, env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
