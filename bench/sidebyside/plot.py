"""Draws the latency percentiles of a side-by-side run.

    plot.py RESULT.json OUT.png

Left: produce latency, right: end-to-end latency, at the run's fixed rate,
for every system and tool that measured it. The x axis is in "nines" so the
tail gets the room it needs: 90 -> 1, 99 -> 2, 99.9 -> 3; the maximum sits
at the right edge.
"""

import json
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MAX_X = 4.6
COLORS = {"kafka": "#d62728", "odradek": "#1f77b4"}
STYLES = {"harness": "-", "producer-perf-test": "--", "ProducerPerformance": ":", "EndToEndLatency": "-."}


def nines(p):
    if p >= 100:
        return MAX_X
    return -math.log10(1 - p / 100)


def style(tool):
    for key, s in STYLES.items():
        if key in tool:
            return s
    return "-"


def main(src, dst):
    with open(src) as f:
        run = json.load(f)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    panels = {"produce": axes[0], "end-to-end": axes[1]}
    for system in run.get("systems") or []:
        for lat in system.get("latency") or []:
            ax = panels.get(lat["workload"])
            pct = {float(k): v for k, v in (lat.get("percentiles_ms") or {}).items() if k != "avg" and v and v > 0}
            if ax is None or not pct:
                continue
            xs = sorted(pct)
            label = "%s, %s" % (system["name"], lat["tool"].split(" (")[0])
            run_rate = run.get("settings", {}).get("fixed_rate_records_per_sec", 0)
            if lat.get("rate_per_sec") and abs(lat["rate_per_sec"] - run_rate) > 1:
                label += " at %s/s" % format(int(round(lat["rate_per_sec"])), ",")
            ax.plot([nines(x) for x in xs], [pct[x] for x in xs], style(lat["tool"]), marker="o", markersize=3,
                    color=COLORS.get(system["name"], "gray"), label=label)
    rate = run.get("settings", {}).get("fixed_rate_records_per_sec", 0)
    ticks = [50, 90, 99, 99.9, 99.99, 100]
    for name, ax in panels.items():
        ax.set_title("%s latency at %s records/s" % (name, format(int(round(rate)), ",")))
        ax.set_xticks([nines(t) for t in ticks])
        ax.set_xticklabels(["p50", "p90", "p99", "p99.9", "p99.99", "max"])
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_xlabel("percentile")
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_ylabel("milliseconds (log scale)")
    fig.suptitle("Apache Kafka vs Odradek, %s (%s profile)" % (run.get("started", "")[:16].replace("T", " "), run.get("profile")))
    fig.tight_layout()
    fig.savefig(dst, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py RESULT.json OUT.png")
    main(sys.argv[1], sys.argv[2])
