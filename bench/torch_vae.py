"""PyTorch reference for bench/compare.ts (not a test): the MLP VAE 784-400-20 of the issue.

Encoder 784 -> 400 (ReLU) -> 40 (mu, log sigma^2); decoder 20 -> 400 (ReLU) -> 784 logits of a
Bernoulli decoder; loss -ELBO = sum over pixels of BCE-with-logits + KL(q(z|x) || N(0, I)),
averaged over the batch; Adam(lr 1e-3, betas 0.9/0.999, eps 1e-7 as TensorFlow.js uses); batch 128.
Weights start as in TensorFlow.js's Dense layers (Glorot-uniform kernels, zero biases) unless
--init torch. Targets are pixel intensities in [0, 1] (not binarized), as GenLab's DeviceData gives.

  python3 torch_vae.py throughput --steps 60 [--threads N]
  python3 torch_vae.py quality --epochs 1,5

Prints one JSON object on the last line of stdout.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

DATA_DIR = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')


def read_idx_images(name):
    """Pixels of an IDX3 (gzip) file as float32 in [0, 1], one row per image (IDX: big-endian header)."""
    path = os.path.join(DATA_DIR, name)
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    magic, count, rows, cols = np.frombuffer(raw[:16], dtype='>i4')
    if magic != 2051:
        sys.exit(f'{path}: not an IDX image file (magic {magic})')
    pixels = np.frombuffer(raw[16:], dtype=np.uint8).reshape(count, rows * cols)
    return torch.from_numpy(pixels.astype(np.float32) / 255.0)


class Vae(nn.Module):
    """The MLP VAE with a Gaussian encoder and a Bernoulli decoder."""

    def __init__(self, features=784, hidden=400, latent=20, init='glorot'):
        super().__init__()
        self.latent = latent
        self.enc1, self.enc2 = nn.Linear(features, hidden), nn.Linear(hidden, 2 * latent)
        self.dec1, self.dec2 = nn.Linear(latent, hidden), nn.Linear(hidden, features)
        if init == 'glorot':
            for layer in (self.enc1, self.enc2, self.dec1, self.dec2):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)

    def terms(self, x):
        """Per-batch means of the reconstruction term and the KL term, in nats per example."""
        h = self.enc2(F.relu(self.enc1(x)))
        mu, log_var = h[:, :self.latent], h[:, self.latent:]
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        logits = self.dec2(F.relu(self.dec1(z)))
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction='sum') / x.shape[0]
        kl = -0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp()) / x.shape[0]
        return recon, kl


def make(args):
    torch.manual_seed(args.seed)
    model = Vae(init=args.init)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    return model, opt


def step(model, opt, x):
    opt.zero_grad()
    recon, kl = model.terms(x)
    loss = recon + kl
    loss.backward()
    opt.step()
    return loss.item()  # read every step, as PyTorch's own VAE example does


def throughput(args):
    """Training samples per second (wall and CPU time) over --steps steps after --warmup, batches drawn at random."""
    train = read_idx_images('train-images-idx3-ubyte.gz')
    model, opt = make(args)
    g = torch.Generator().manual_seed(args.seed)
    for _ in range(args.warmup):
        step(model, opt, train[torch.randint(0, train.shape[0], (args.batch,), generator=g)])
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step(model, opt, train[torch.randint(0, train.shape[0], (args.batch,), generator=g)])
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return {'samples_per_s': args.steps * args.batch / seconds, 'samples_per_cpu_s': args.steps * args.batch / cpu_seconds,
            'steps': args.steps, 'seconds': seconds, 'cpuSeconds': cpu_seconds}


@torch.no_grad()
def evaluate(model, data, size=500):
    """Mean held-out -ELBO, reconstruction and KL over all of `data`, one noise sample per image."""
    sums = np.zeros(2)
    for start in range(0, data.shape[0], size):
        x = data[start:start + size]
        recon, kl = model.terms(x)
        sums += np.array([recon.item(), kl.item()]) * x.shape[0]
    recon, kl = sums / data.shape[0]
    return {'negElbo': recon + kl, 'recon': recon, 'kl': kl}


def quality(args):
    """Held-out -ELBO on the Fashion-MNIST test set after each epoch in --epochs (shuffled, last partial batch dropped)."""
    train = read_idx_images('train-images-idx3-ubyte.gz')
    test = read_idx_images('t10k-images-idx3-ubyte.gz')
    model, opt = make(args)
    g = torch.Generator().manual_seed(args.seed)
    wanted = sorted(int(e) for e in args.epochs.split(','))
    rows, start = [], time.perf_counter()
    for epoch in range(1, wanted[-1] + 1):
        order = torch.randperm(train.shape[0], generator=g)
        for b in range(train.shape[0] // args.batch):
            step(model, opt, train[order[b * args.batch:(b + 1) * args.batch]])
        if epoch in wanted:
            rows.append({'epoch': epoch, **evaluate(model, test), 'seconds': time.perf_counter() - start})
    return {'epochs': rows}


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('mode', choices=['throughput', 'quality'])
    p.add_argument('--steps', type=int, default=60)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--epochs', default='1,5')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--threads', type=int, default=0, help='torch.set_num_threads; 0 keeps PyTorch\'s default')
    p.add_argument('--init', choices=['glorot', 'torch'], default='glorot')
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    out = throughput(args) if args.mode == 'throughput' else quality(args)
    out.update({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'init': args.init})
    print(json.dumps(out))


if __name__ == '__main__':
    main()
