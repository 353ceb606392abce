"""
Morse frames and their difficulty
=================================

Each of the 64 classes is a codeword of dots and dashes drawn as "on" runs in a
frame of 64 positions. Noise and run-length jitter make the classes overlap;
:func:`sparsenn.datasets.morse_difficulty` measures by how much.
"""

import matplotlib.pyplot as plt

from sparsenn.datasets import make_morse, morse_difficulty
from sparsenn.plotting import plot_morse_frames

fig, axes = plt.subplots(1, 2, figsize=(11, 5), sharey=True)
for ax, noise in zip(axes, (0.0, 2.0), strict=True):
    X, y = make_morse(10, noise_std=noise, random_state=0)
    plot_morse_frames(X, y, classes=range(8), n_per_class=3, ax=ax)
    ax.set_title(f"noise_std={noise}")
fig.tight_layout()

# %%
# Difficulty grows with the noise: the distance metric falls and the number of
# class pairs closer than the threshold rises.
noises = [0.0, 1.0, 2.0, 4.0]
metrics = [
    morse_difficulty(*make_morse(20, noise_std=s, random_state=0)) for s in noises
]
for s, m in zip(noises, metrics, strict=True):
    print(f"noise_std={s}: " + ", ".join(f"{k}={v:.3g}" for k, v in m.items()))

fig, ax = plt.subplots()
ax.plot(noises, [m["V_dist"] for m in metrics], marker="o")
ax.set_xlabel("noise_std")
ax.set_ylabel("V_dist")
ax.set_yscale("log")
ax.set_title("Separation of the classes against noise")
plt.show()
