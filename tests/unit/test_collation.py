"""Language-aware ordering of labels (issue 16): accents and case do not push a label to the end,
each script sorts in its own order."""

from __future__ import annotations

from iscg_graph.render.collation import collation_key


def test_accented_and_capitalised_labels_sort_with_their_letter() -> None:
    labels = ["zèbre", "Égalité", "abc", "Zebra", "etat", "État", "Ecole"]
    assert sorted(labels, key=collation_key) == ["abc", "Ecole", "Égalité", "etat", "État", "Zebra", "zèbre"]
    assert sorted(labels) != sorted(labels, key=collation_key)  # code-point order puts É last


def test_scripts_sort_in_their_own_order() -> None:
    russian = ["Электросвязь", "Ёлка", "Бюро", "Абонент", "Ежегодный"]
    assert sorted(russian, key=collation_key) == ["Абонент", "Бюро", "Ежегодный", "Ёлка", "Электросвязь"]
    arabic = ["تقييس", "اتصالات", "قطاع", "بحث"]
    assert sorted(arabic, key=collation_key) == ["اتصالات", "بحث", "تقييس", "قطاع"]


def test_equal_keys_stay_deterministic() -> None:
    assert collation_key("Cyber") != collation_key("cyber")
    assert sorted(["cyber", "Cyber"], key=collation_key) == sorted(["Cyber", "cyber"], key=collation_key)
