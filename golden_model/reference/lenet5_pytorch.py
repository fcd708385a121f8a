#!/usr/bin/python3
"""An independent float reference for Table I (docs/training.md, issue 14):
LeNet-5 trained in PyTorch with the golden model's recipe, so the float row
of docs/table1/table.md can be compared with another implementation.

The recipe (configs/lenet5_mnist.json, CONTRACT 3): conv 6@5x5 (valid), max
pool 2x2, conv 16@5x5, max pool 2x2, fc 120, fc 84, fc 10; ReLU, identity
output; no bias; loss 1/2 sum (y - t)^2 against one-hot targets (so E = Y - T);
plain SGD, batch 1, alpha 0.01; pixels / 255; weights uniform in
+-sqrt(6 / fan_in) (He-uniform, the golden model's rule for ReLU layers); the
sample order reshuffled every epoch from the seed. Only the random streams
differ from the golden model's (PyTorch's generator, not ours).

Optional: needs Debian's python3-torch (apt-get install python3-torch), not
part of `make test`. Run it with Debian's Python:

  /usr/bin/python3 golden_model/reference/lenet5_pytorch.py --dataset mnist \\
      --data-dir ../shared/datasets/mnist --seeds 1 2 3 --out docs/table1/pytorch_mnist.json

It prints a line per epoch and writes a JSON of every seed's test accuracy per
epoch, their mean and sample standard deviation.
"""
import argparse
import gzip
import json
import math
import os
import statistics
import struct
import sys
import time


def load_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    dims = [struct.unpack(">I", data[4 + 4 * i: 8 + 4 * i])[0] for i in range(magic & 0xFF)]
    return dims, data[4 + 4 * len(dims):]


def load(data_dir, split, torch):
    dims, px = load_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"))
    _, lb = load_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"))
    x = torch.frombuffer(bytearray(px), dtype=torch.uint8).reshape(dims[0], 1, dims[1], dims[2]).float() / 255.0
    y = torch.frombuffer(bytearray(lb), dtype=torch.uint8).long()
    return x, y


def lenet5(torch):
    nn = torch.nn
    net = nn.Sequential(
        nn.Conv2d(1, 6, 5, bias=False), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, bias=False), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 120, bias=False), nn.ReLU(),
        nn.Linear(120, 84, bias=False), nn.ReLU(),
        nn.Linear(84, 10, bias=False))
    with torch.no_grad():
        for m in net:
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.uniform_(-math.sqrt(6.0 / fan_in), math.sqrt(6.0 / fan_in))
    return net


def run(torch, seed, train, test, epochs, alpha, limit):
    torch.manual_seed(seed)
    net = lenet5(torch)
    opt = torch.optim.SGD(net.parameters(), lr=alpha)
    xs, ys = train
    n = min(limit, len(ys)) if limit else len(ys)
    eye = torch.eye(10)
    accs = []
    for e in range(1, epochs + 1):
        t0 = time.time()
        order = torch.randperm(len(ys))[:n]
        loss_sum = 0.0
        for i in order.tolist():
            opt.zero_grad()
            y = net(xs[i:i + 1])
            loss = 0.5 * ((y - eye[ys[i]]) ** 2).sum()  # dE/dy = y - t, as the hardware
            loss.backward()
            opt.step()
            loss_sum += 2 * loss.item()  # the golden model reports sum (y - t)^2
        with torch.no_grad():
            pred = torch.cat([net(test[0][k:k + 1000]).argmax(1) for k in range(0, len(test[1]), 1000)])
        acc = 100.0 * (pred == test[1]).float().mean().item()
        accs.append(acc)
        print(f"seed {seed} epoch {e}/{epochs}: loss {loss_sum / n:.4f} test {acc:.2f}% "
              f"({n / (time.time() - t0):.0f} images/s)", flush=True)
    return accs


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dataset", default="mnist")
    p.add_argument("--data-dir", required=True, help="folder of the four IDX .gz files")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--alpha", type=float, default=0.01)
    p.add_argument("--train-limit", type=int, default=0)
    p.add_argument("--out", required=True, help="the JSON result")
    a = p.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("lenet5_pytorch: PyTorch is missing: apt-get install python3-torch, and run /usr/bin/python3")
    for f in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
              "t10k-labels-idx1-ubyte.gz"):
        if not os.path.isfile(os.path.join(a.data_dir, f)):
            sys.exit(f"lenet5_pytorch: {a.data_dir}/{f} is missing: give --data-dir the dataset's folder")
    out_dir = os.path.dirname(os.path.abspath(a.out))
    if not os.access(out_dir, os.W_OK):
        sys.exit(f"lenet5_pytorch: --out {a.out}: cannot write in {out_dir}")
    torch.set_num_threads(1)  # batch 1 on one thread, as the golden model's bench
    train, test = load(a.data_dir, "train", torch), load(a.data_dir, "t10k", torch)
    per_seed = {s: run(torch, s, train, test, a.epochs, a.alpha, a.train_limit) for s in a.seeds}
    final = [v[-1] for v in per_seed.values()]
    res = {"reference": "PyTorch " + torch.__version__ + ", float32, the golden model's LeNet-5 recipe",
           "dataset": a.dataset, "epochs": a.epochs, "alpha": a.alpha, "seeds": a.seeds,
           "test_acc_per_epoch": {str(s): v for s, v in per_seed.items()},
           "test_acc_mean": statistics.mean(final),
           "test_acc_std": statistics.stdev(final) if len(final) > 1 else 0.0}
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(res, f, indent=2)
        f.write("\n")
    os.replace(tmp, a.out)
    print(f"lenet5_pytorch: {a.dataset}: {res['test_acc_mean']:.2f}% +- {res['test_acc_std']:.2f} over seeds "
          f"{a.seeds}; written to {a.out}")


if __name__ == "__main__":
    main()
