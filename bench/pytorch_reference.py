"""PyTorch reference for `npm run bench`: trains the course's two convnets (same layers, optimizer, loss and batch
size as the TensorFlow.js bench) on random data for a fixed number of steps and prints one JSON line.

    /usr/bin/python3 bench/pytorch_reference.py --model mnist --steps 30 --batch 64 --threads 2 [--precision bf16]

--precision bf16 runs forward and loss under torch.autocast("cpu", dtype=torch.bfloat16) — PyTorch's mixed
precision: float32 parameters and optimizer, bfloat16 convolutions and linear layers (and their gradients).
"""
import contextlib
import argparse
import json
import resource
import sys
import time

import torch
from torch import nn


def mnist_convnet() -> nn.Module:
    # Keras' Conv2D(32,3,relu) → MaxPool2 → Conv2D(64,3,relu) → MaxPool2 → Conv2D(64,3,relu) → Flatten → Dense 64 → 10
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(),
        nn.Flatten(), nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10),
    )


def cats_dogs_convnet() -> nn.Module:
    layers = []
    channels = 3
    for filters in (32, 64, 128, 128):
        layers += [nn.Conv2d(channels, filters, 3), nn.ReLU(), nn.MaxPool2d(2)]
        channels = filters
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(6272, 512), nn.ReLU(), nn.Linear(512, 1))


MODELS = {
    # name: (builder, input shape CHW, loss, learning rate) — as the course compiles them
    "mnist": (mnist_convnet, (1, 28, 28), "categorical", 1e-3),
    "catsdogs": (cats_dogs_convnet, (3, 150, 150), "binary", 1e-4),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=sorted(MODELS), required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    build, shape, loss_kind, learning_rate = MODELS[args.model]
    model = build()
    # Keras' RMSprop defaults: rho 0.9, epsilon 1e-7 (PyTorch calls rho "alpha").
    optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate, alpha=0.9, eps=1e-7)
    x = torch.rand(args.batch, *shape)
    if loss_kind == "categorical":
        y = torch.randint(0, 10, (args.batch,))
        loss_fn = nn.CrossEntropyLoss()
    else:
        y = torch.randint(0, 2, (args.batch, 1)).float()
        loss_fn = nn.BCEWithLogitsLoss()

    def compute_precision():
        if args.precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        with compute_precision():
            loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - start

    with torch.no_grad(), compute_precision():
        model.eval()
        model(x)
        inference_start = time.perf_counter()
        for _ in range(args.steps):
            model(x)
        inference_seconds = time.perf_counter() - inference_start

    json.dump({
        "path": "pytorch" if args.precision == "fp32" else "pytorch bf16",
        "precision": "float32" if args.precision == "fp32" else "mixed_bfloat16",
        "model": args.model,
        "steps": args.steps,
        "batch": args.batch,
        "trainImagesPerSecond": args.steps * args.batch / seconds,
        "inferenceImagesPerSecond": args.steps * args.batch / inference_seconds,
        "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": torch.get_num_threads(),
        "version": torch.__version__,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
