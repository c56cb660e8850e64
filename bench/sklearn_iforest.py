"""scikit-learn's IsolationForest on one benchmark CSV, for bench/iforest.ts to compare against.

Usage: python3 bench/sklearn_iforest.py FILE [--seeds 5] [--warm-up 3] [--repeat 5] [--clock wall|cpu]
Prints one JSON object: sklearn version, rows, features, and per seed the ROC AUC of
-score_samples, fit milliseconds and scoring microseconds per row (each the fastest of
--repeat runs; elapsed or, with --clock cpu, process CPU time). Settings as in the datasets
README: IsolationForest(n_estimators=100, random_state=seed), fit and scored on the whole
set. Untimed warm-up fits first, as the TypeScript side does.
"""
import argparse
import json
import time

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--warm-up", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = parser.parse_args()

    now = time.perf_counter if args.clock == "wall" else time.process_time
    table = np.loadtxt(args.file, delimiter=",", skiprows=1, dtype=np.float64)
    X, y = table[:, :-1], table[:, -1]

    for k in range(args.warm_up):
        IsolationForest(n_estimators=100, random_state=1000 + k).fit(X).score_samples(X)
    runs = []
    for seed in range(args.seeds):
        fit_s = score_s = float("inf")
        for _ in range(args.repeat):
            t0 = now()
            forest = IsolationForest(n_estimators=100, random_state=seed).fit(X)
            t1 = now()
            scores = forest.score_samples(X)
            t2 = now()
            fit_s, score_s = min(fit_s, t1 - t0), min(score_s, t2 - t1)
        runs.append(
            {
                "seed": seed,
                "auc": float(roc_auc_score(y, -scores)),
                "fitMs": fit_s * 1e3,
                "scoreUsPerRow": score_s * 1e6 / len(X),
            }
        )
    print(json.dumps({"sklearn": sklearn.__version__, "rows": len(X), "features": X.shape[1], "runs": runs}))


if __name__ == "__main__":
    main()
