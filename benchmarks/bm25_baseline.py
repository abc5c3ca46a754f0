"""A plain BM25 search over a speech's sentences, answering every question with its best two sentences: the
baseline a drafted pack is measured beside (`score.py SET -- python benchmarks/bm25_baseline.py SPEECH`).

It never declines, so every off-topic question counts against it, as it would for a search box.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter

import jieba

K1, B = 1.5, 0.75
SHOWN = 2


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        speech = file.read()
    sentences = [s.strip() for s in re.findall(r"[^。！？；\n]+[。！？；]?", speech) if s.strip()]
    jieba.setLogLevel(60)
    docs = [[w for w in jieba.lcut(s) if w.strip()] for s in sentences]
    df = Counter(w for d in docs for w in set(d))
    average = sum(map(len, docs)) / len(docs)
    idf = {w: math.log(1 + (len(docs) - n + 0.5) / (n + 0.5)) for w, n in df.items()}
    for line in sys.stdin:
        words = [w for w in jieba.lcut(line.strip()) if w.strip()]
        scores = []
        for d in docs:
            tf = Counter(d)
            scores.append(
                sum(
                    idf.get(w, 0) * tf[w] * (K1 + 1) / (tf[w] + K1 * (1 - B + B * len(d) / average))
                    for w in words
                )
            )
        best = sorted(range(len(docs)), key=lambda i: -scores[i])[:SHOWN]
        answer = "\n".join(sentences[i] for i in sorted(best))
        print(json.dumps({"answered": True, "answer": answer}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
