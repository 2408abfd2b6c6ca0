"""Markdown tables and PNG plots of a benchmark run."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .metrics import ecdf, precision_curve, ranking, summary


#: the contender whose time per trial the others' is divided by
TIME_REFERENCE = "optuna-gp"


def _fmt(x):
    return f"{x:.1e}" if x >= 1e-8 else "<1e-8"


def markdown(records, command=""):
    rows = summary(records)
    contenders = sorted({r["contender"] for r in records})
    dims = sorted({r["dim"] for r in records})
    budgets = sorted({r["budget"] // r["dim"] for r in records})
    lines = [f"Command: `{command}`", ""] if command else []
    lines += ["## Overall ranking (mean rank over problems of the median final precision; 1 is best)", ""]
    header = "| contender | " + " | ".join(f"d={d}, {b}*d" for d in dims for b in budgets) + " | all |"
    lines += [header, "|" + "---|" * (len(dims) * len(budgets) + 2)]
    all_rank = {name: rank for rank, name, _ in ranking(rows)}
    cells = {}
    for d in dims:
        for b in budgets:
            cells[(d, b)] = {name: rank for rank, name, _ in ranking(rows, dims={d}, budgets={b * d})}
    for name in sorted(contenders, key=lambda n: all_rank.get(n, np.inf)):
        vals = [f"{cells[(d, b)].get(name, float('nan')):.2f}" for d in dims for b in budgets]
        lines.append(f"| {name} | " + " | ".join(vals) + f" | **{all_rank.get(name, float('nan')):.2f}** |")
    lines += ["", "## Optimizer time per trial (median seconds, excluding the objective)", ""]
    if TIME_REFERENCE in contenders:
        lines += [f"In brackets: the ratio to {TIME_REFERENCE}'s (below 1 is faster).", ""]
    lines += ["| contender | " + " | ".join(f"d={d}, {b}*d" for d in dims for b in budgets) + " |"]
    lines += ["|" + "---|" * (len(dims) * len(budgets) + 1)]

    def seconds(name, d, b):
        ts = [row["seconds_per_trial"] for (dd, bb, _, c), row in rows.items() if dd == d and bb == b * d and c == name]
        return float(np.median(ts)) if ts else None

    for name in contenders:
        vals = []
        for d in dims:
            for b in budgets:
                t, ref = seconds(name, d, b), seconds(TIME_REFERENCE, d, b)
                text = "-" if t is None else f"{t:.4f}"
                if t is not None and ref:
                    text += f" ({t / ref:.2f})"
                vals.append(text)
        lines.append(f"| {name} | " + " | ".join(vals) + " |")
    for d in dims:
        for b in budgets:
            problems = sorted({p for (dd, bb, p, _) in rows if dd == d and bb == b * d})
            lines += ["", f"## d={d}, budget {b}*d: median final precision f - f_opt (fraction of targets reached)", ""]
            lines += ["| problem | " + " | ".join(contenders) + " |", "|" + "---|" * (len(contenders) + 1)]
            for p in problems:
                cells_p = []
                best = min(rows[(d, b * d, p, c)]["median_precision"] for c in contenders if (d, b * d, p, c) in rows)
                for c in contenders:
                    row = rows.get((d, b * d, p, c))
                    if row is None:
                        cells_p.append("-")
                        continue
                    text = f"{_fmt(row['median_precision'])} ({row['target_fraction']:.2f})"
                    cells_p.append(f"**{text}**" if max(row["median_precision"], 1e-8) <= max(best, 1e-8) else text)
                lines.append(f"| {p} | " + " | ".join(cells_p) + " |")
    return "\n".join(lines) + "\n"


def plots(records, out):
    """ECDF and convergence PNGs per (dim, budget); returns their paths."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    paths = []
    contenders = sorted({r["contender"] for r in records})
    for d in sorted({r["dim"] for r in records}):
        for budget in sorted({r["budget"] for r in records if r["dim"] == d}):
            fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
            for c in contenders:
                x, y = ecdf(records, c, d, budget)
                if x.size:
                    ax1.step(x, y, where="post", label=c)
                runs = [r for r in records if r["contender"] == c and r["dim"] == d and r["budget"] == budget]
                curves = [np.log10(np.maximum(precision_curve(r["values"], r["f_opt"]), 1e-8)) for r in runs]
                n = min(len(cv) for cv in curves) if curves else 0
                if n:
                    ax2.plot(np.arange(1, n + 1) / d, np.mean([cv[:n] for cv in curves], axis=0), label=c)
            ax1.set(xlabel="evaluations / dimension", ylabel="fraction of (run, target) pairs", title=f"runtime ECDF, d={d}", ylim=(0, 1))
            ax2.set(xlabel="evaluations / dimension", ylabel="mean log10(f - f_opt)", title=f"convergence, d={d}")
            ax1.legend(fontsize=7)
            fig.tight_layout()
            path = Path(out) / f"ecdf_d{d}_b{budget // d}.png"
            fig.savefig(path, dpi=110)
            plt.close(fig)
            paths.append(path)
    return paths


def write_report(records, out, command=""):
    out = Path(out)
    text = markdown(records, command)
    images = plots(records, out)
    text += "\n" + "\n".join(f"![{p.stem}]({p.name})" for p in images) + "\n"
    path = out / "report.md"
    path.write_text(text)
    return path
