#!/usr/bin/python3
"""Trains a tiny GAT on a graph task with a known answer and dumps its attention to data/gat.npz.

The task: every node has a colour (one of 4, one-hot in its features) and a flag. A quarter of the
nodes are markers (flag 1). Every other node receives edges from 3 to 6 nodes, exactly one of them
a marker, and its label is the colour of that marked neighbour. So the right attention is on the
edge from the marked neighbour; uniform attention would put 1/in_degree there.

The GAT layer is written in plain torch after PyG's GATConv: x' = W x; for the edge j -> i,
e_ij = LeakyReLU(a_src . x'_j + a_dst . x'_i, 0.2); alpha_ij = softmax of e_ij over the incoming
edges of i (self-loops added, as GATConv does); out_i = sum_j alpha_ij x'_j, heads concatenated.
The dump holds what GATConv(..., return_attention_weights=True) returns: edge_index (2, E) and
alpha (E, heads), plus y and the truth: marked_edge[i], the index of i's marked incoming edge
(-1 for markers, whose labels are their own colour and take no part in training).

    /usr/bin/python3 scripts/make-graph-sample.py    # about 20 s of one CPU
"""

import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
NODES, COLOURS, HEADS, HIDDEN = 240, 4, 2, 8
torch.set_num_threads(1)
warnings.filterwarnings("ignore", message="scatter_reduce")
torch.manual_seed(0)
rng = np.random.default_rng(0)


def make_graph():
    colour = rng.integers(0, COLOURS, NODES)
    marker = np.zeros(NODES, dtype=bool)
    marker[rng.choice(NODES, NODES // 4, replace=False)] = True
    markers, others = np.flatnonzero(marker), np.flatnonzero(~marker)
    sources, targets, marked_edge = [], [], np.full(NODES, -1)
    y = colour.copy()
    for t in others:
        m = int(rng.choice(markers))
        plain = rng.choice(others[others != t], size=rng.integers(2, 6), replace=False)
        neighbours = list(plain) + [m]
        rng.shuffle(neighbours)
        for s in neighbours:
            if s == m:
                marked_edge[t] = len(sources)
            sources.append(int(s))
            targets.append(int(t))
        y[t] = colour[m]
    for n in range(NODES):  # self-loops last, as PyG's add_self_loops appends them
        sources.append(n)
        targets.append(n)
    x = np.concatenate([np.eye(COLOURS)[colour], marker[:, None]], axis=1).astype(np.float32)
    edge_index = np.array([sources, targets], dtype=np.int64)
    return x, edge_index, y, marked_edge, marker


class GATLayer(torch.nn.Module):
    def __init__(self, inputs, outputs, heads):
        super().__init__()
        self.heads, self.outputs = heads, outputs
        self.lin = torch.nn.Linear(inputs, heads * outputs, bias=False)
        self.att_src = torch.nn.Parameter(torch.randn(1, heads, outputs) * 0.3)
        self.att_dst = torch.nn.Parameter(torch.randn(1, heads, outputs) * 0.3)

    def forward(self, x, edge_index):
        source, target = edge_index
        h = self.lin(x).view(-1, self.heads, self.outputs)
        score = (h * self.att_src).sum(-1)[source] + (h * self.att_dst).sum(-1)[target]
        score = torch.nn.functional.leaky_relu(score, 0.2)
        # softmax over the incoming edges of each target
        top = torch.full((x.shape[0], self.heads), -1e30).scatter_reduce(
            0, target[:, None].expand(-1, self.heads), score, reduce="amax")
        e = torch.exp(score - top[target])
        total = torch.zeros(x.shape[0], self.heads).index_add(0, target, e)
        alpha = e / total[target]
        out = torch.zeros(x.shape[0], self.heads, self.outputs).index_add(
            0, target, alpha[..., None] * h[source])
        return out.reshape(x.shape[0], -1), alpha


def train(x, edge_index, y, trained):
    layer = GATLayer(x.shape[1], HIDDEN, HEADS)
    head = torch.nn.Linear(HEADS * HIDDEN, COLOURS)
    params = list(layer.parameters()) + list(head.parameters())
    optimiser = torch.optim.Adam(params, lr=0.02)
    X, E, Y = torch.from_numpy(x), torch.from_numpy(edge_index), torch.from_numpy(y)
    mask = torch.from_numpy(trained)
    for step in range(600):
        out, _ = layer(X, E)
        loss = torch.nn.functional.cross_entropy(head(torch.nn.functional.elu(out))[mask], Y[mask])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        out, alpha = layer(X, E)
        accuracy = (head(torch.nn.functional.elu(out)).argmax(1) == Y)[mask].float().mean().item()
    return alpha.numpy(), accuracy, loss.item()


def measure(alpha, edge_index, marked_edge):
    target = edge_index[1]
    nodes = np.flatnonzero(marked_edge >= 0)
    degree = np.bincount(target, minlength=NODES)
    for h in range(alpha.shape[1]):
        share = alpha[marked_edge[nodes], h].mean()
        top = np.mean([np.argmax(np.where(target == n, alpha[:, h], -1)) == marked_edge[n] for n in nodes])
        print(f"head {h}: attention on the marked edge {share:.3f} (uniform 1/deg: "
              f"{np.mean(1 / degree[nodes]):.3f}); marked edge is the top edge for {top:.1%} of nodes")


def main():
    x, edge_index, y, marked_edge, marker = make_graph()
    alpha, accuracy, loss = train(x, edge_index, y, ~marker)
    print(f"{NODES} nodes, {edge_index.shape[1]} edges (self-loops included); "
          f"training accuracy {accuracy:.3f}, loss {loss:.4f}")
    measure(alpha, edge_index, marked_edge)
    np.savez_compressed(ROOT / "data" / "gat.npz", edge_index=edge_index,
                        alpha=alpha.astype(np.float32), y=y.astype(np.int64),
                        marked_edge=marked_edge.astype(np.int64))
    names = [f"m{n}" if marker[n] else f"v{n}" for n in range(NODES)]
    (ROOT / "data" / "gat_names.txt").write_text("\n".join(names) + "\n")


if __name__ == "__main__":
    main()
