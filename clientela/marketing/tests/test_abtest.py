"""The A/B test's verdict: a winner only when the difference is significant."""

from __future__ import annotations

import pytest

from clientela.marketing.abtest import VariantResult, pick_winner, two_proportion_p_value


def test_the_p_value_of_a_textbook_case() -> None:
    # 20 % against 15 % opens on 1,000 recipients each: z = 2.94, p = 0.0033.
    assert two_proportion_p_value(200, 1000, 150, 1000) == pytest.approx(0.00325, abs=5e-5)
    assert two_proportion_p_value(150, 1000, 200, 1000) == pytest.approx(0.00325, abs=5e-5)
    assert two_proportion_p_value(10, 100, 10, 100) == pytest.approx(1.0)
    assert two_proportion_p_value(0, 0, 5, 10) == 1.0
    assert two_proportion_p_value(0, 10, 0, 10) == 1.0


def test_a_clear_difference_crowns_the_best_variant() -> None:
    verdict = pick_winner(
        [VariantResult("a", 150, 1000), VariantResult("b", 200, 1000), VariantResult("c", 90, 1000)]
    )
    assert (verdict.key, verdict.significant) == ("b", True)
    assert verdict.p_value < 0.05


def test_a_small_list_does_not_crown_noise() -> None:
    # 4 of 20 against 2 of 20: twice the rate, but p = 0.37: the control is sent.
    verdict = pick_winner([VariantResult("a", 2, 20), VariantResult("b", 4, 20)])
    assert (verdict.key, verdict.significant) == ("a", False)
    assert verdict.p_value > 0.3


def test_a_tiny_test_is_no_evidence_even_at_a_low_p_value() -> None:
    # 2 of 2 against 0 of 2: z = 2, p = 0.046, but two recipients prove nothing.
    assert two_proportion_p_value(2, 2, 0, 2) < 0.05
    verdict = pick_winner([VariantResult("a", 0, 2), VariantResult("b", 2, 2)])
    assert (verdict.key, verdict.significant) == ("a", False)


def test_one_variant_is_its_own_verdict_and_none_is_an_error() -> None:
    assert pick_winner([VariantResult("a", 1, 2)]).key == "a"
    with pytest.raises(ValueError, match="at least one variant"):
        pick_winner([])
