"""What "right" means for the calibration and the benchmark (fixenc.evaluation)."""

from __future__ import annotations

from fixenc.evaluation import agrees, fix_is_right


def test_agrees_up_to_declared_losses() -> None:
    assert agrees("发送成\ufffd", "发送成功")
    assert not agrees("发送成攻", "发送成功")
    assert not agrees("发送成", "发送成功")


def test_whole_line_fix_ending_in_a_shared_character_is_right() -> None:
    # `·` (C2 B7) read as Latin-1 is `Â·`: the repair and the damage share their last
    # character, and trimming it must not cut the damaged `Â·` in two (a labelling bug that
    # taught the confidence models that such right repairs were wrong).
    truth = "Αμμιναδάβ·"
    damaged = truth.encode("utf-8").decode("latin-1")
    assert damaged.endswith("Â·")
    assert fix_is_right(truth, damaged, "utf8_read_as_latin1", (0, len(damaged)),
                        0, len(damaged), truth)


def test_partial_and_overreaching_fixes() -> None:
    truth = "他说你好吗"
    bad = "你好".encode().decode("gbk")  # 浣犲ソ
    damaged = "他说" + bad + "吗"
    span = (2, 2 + len(bad))
    assert fix_is_right(truth, damaged, "utf8_read_as_gbk", span, 2, 2 + len(bad), "你好")
    # Reaching into the clean text after the span counts only where it changes it.
    assert fix_is_right(truth, damaged, "utf8_read_as_gbk", span, 2, 3 + len(bad), "你好吗")
    assert not fix_is_right(truth, damaged, "utf8_read_as_gbk", span, 2, 3 + len(bad),
                            "你好嘛")
    # A wrong reading of the span is wrong.
    assert not fix_is_right(truth, damaged, "utf8_read_as_gbk", span, 2, 2 + len(bad), "你们")


def test_parts_of_mojibake_without_its_private_use_characters() -> None:
    # 密码错误 read by a GB18030 decoder is 瀵嗙爜閿欒 and U+E1E4 (误's last two bytes, AF AF),
    # which was deleted: the alignment puts those bytes with 误, so each part is judged.
    truth, damaged = "密码错误", "瀵嗙爜閿欒"
    span = (0, len(damaged))
    assert fix_is_right(truth, damaged, "utf8_read_as_gbk", span, 0, 3, "密码")
    assert fix_is_right(truth, damaged, "utf8_read_as_gbk", span, 3, 5, "错误")
    assert fix_is_right(truth, damaged, "utf8_read_as_gbk", span, 3, 5, "错\ufffd")
    assert not fix_is_right(truth, damaged, "utf8_read_as_gbk", span, 3, 5, "错吴")
    # 修改 is 淇 U+E1BD 敼: the deleted character held 修's last byte and 改's first.
    assert fix_is_right("修改密码", "淇敼瀵嗙爜", "utf8_read_as_gbk", (0, 5), 0, 2, "修改")
    assert not fix_is_right("修改密码", "淇敼瀵嗙爜", "utf8_read_as_gbk", (0, 5), 0, 2, "修攺")
