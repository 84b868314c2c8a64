"""Benchmark: keywords.parse throughput on the test corpus, one core.

Run from the repository root:  python bench/keyword_parse.py [--messages 200000] [--rounds 5]
Prints messages/s for the best round (the corpus repeated, in a fixed shuffled order).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.sms.keywords import parse  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "sms_corpus.yaml"


def load_texts() -> list[str]:
    cases = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["messages"]
    return [str(c["text"]) + str(c.get("pad", "")) * int(c.get("times", 0)) for c in cases]


def run(texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        parse(text)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    corpus = load_texts()
    texts = (corpus * (options.messages // len(corpus) + 1))[: options.messages]
    random.Random(4).shuffle(texts)
    run(texts[:10_000])  # warm-up
    best = min(run(texts) for _ in range(options.rounds))
    print(f"corpus: {len(corpus)} distinct messages, {len(texts)} parsed per round")
    print(f"best of {options.rounds}: {best:.3f} s -> {len(texts) / best:,.0f} messages/s")


if __name__ == "__main__":
    main()
