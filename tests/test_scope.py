"""The out-of-scope model (bot.matching.scope): fitted on plain data, read back with numpy alone, its threshold
chosen by cross-validation; and its off-topic files (bot.matching.build)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.knowledge import KnowledgeError
from bot.matching.build import load_offtopic
from bot.matching.scope import IN_SCOPE_LOSS, MIN_THRESHOLD, char_grams, fit_scope, pairs, support

SPEECH = "今年要抓好河湖长制落实，推进节水型机关建设，开展水资源保护专项行动，压实防汛抗旱责任。"
IN_SCOPE = [
    "河湖长制怎么落实",
    "节水型机关建设有什么要求",
    "水资源保护专项行动要干啥",
    "防汛抗旱责任谁来压实",
    "河湖长制落实到哪一级",
    "节水机关建设的重点是什么",
    "今年水资源保护有什么行动",
    "防汛责任怎么压实",
] * 3
OUT_OF_SCOPE = [
    "今天天气怎么样",
    "给我讲个笑话",
    "帮我写一份请假条",
    "北京到上海的高铁几点发车",
    "个人所得税怎么申报",
    "推荐一部好看的电影",
    "感冒了吃什么药",
    "世界杯谁夺冠了",
] * 3


@pytest.fixture(scope="module")
def model():
    return fit_scope(IN_SCOPE, OUT_OF_SCOPE, SPEECH)


def test_the_model_tells_the_speech_from_chit_chat(model):
    assert model.declines("今天天气冷不冷")
    assert model.declines("帮我写个工作总结")
    assert not model.declines("河湖长制要怎么抓")
    assert not model.declines("节水型机关怎么建设")


def test_reading_the_arrays_gives_what_scikit_learn_gives(model):
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = IN_SCOPE + OUT_OF_SCOPE
    labels = [0] * len(IN_SCOPE) + [1] * len(OUT_OF_SCOPE)
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=False)
    speech_pairs = frozenset(pairs(SPEECH))

    def features(batch, fit=False):
        grams = vectorizer.fit_transform(batch) if fit else vectorizer.transform(batch)
        return hstack([grams, csr_matrix(np.vstack([support(t, speech_pairs) for t in batch]))]).tocsr()

    reference = LogisticRegression(C=4.0, max_iter=3000).fit(features(texts, fit=True), labels)
    probe = ["河湖长制怎么抓", "今天吃什么", "水资源保护行动", "电影票多少钱一张", "长制"]
    expected = reference.predict_proba(features(probe))[:, 1]
    assert [model.out_of_scope(q) for q in probe] == pytest.approx(expected.tolist(), abs=1e-9)


def test_the_threshold_keeps_the_in_scope_examples_cross_validation_held_out(model):
    report = model.report
    assert model.threshold >= MIN_THRESHOLD
    assert report["in_scope_declined"] <= IN_SCOPE_LOSS
    assert report["out_of_scope_declined"] > 0.5
    assert report["in_scope"] == len(IN_SCOPE) and report["out_of_scope"] == len(OUT_OF_SCOPE)


def test_features_are_the_texts_own():
    assert char_grams("abab") == {"a": 2, "b": 2, "ab": 2, "ba": 1, "aba": 1, "bab": 1}
    assert pairs("河湖，长制") == {"河湖", "长制"}
    share, held, *_ = support("河湖长制天气", frozenset(pairs(SPEECH)))
    assert share == pytest.approx(3 / 5) and held == pytest.approx(np.log1p(3))


def test_an_offtopic_file_reads_kinds_and_party_topics(tmp_path):
    path = tmp_path / "offtopic.yaml"
    path.write_text(
        "chat:\n  - 讲个笑话\ntasks:\n  - 帮我订票\nparty:\n  乡村振兴:\n    - 乡村振兴怎么搞\n", "utf-8"
    )
    plain, topics = load_offtopic(path)
    assert plain == ["讲个笑话", "帮我订票"]
    assert topics == {"乡村振兴": ["乡村振兴怎么搞"]}


def test_a_bad_offtopic_file_names_its_file_and_line(tmp_path):
    path = tmp_path / "offtopic.yaml"
    path.write_text("chat:\n  - 你好吗\ntasks: 帮我订票\n", "utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_offtopic(path)
    assert f"{path}:3:" in str(error.value)
