"""State that is never stale: every result on the playground belongs to the network it was computed for."""

from __future__ import annotations

from pages import Site, example, load_preset, set_weight, up_to_date
from playwright.sync_api import expect


def claim_rows(matrix: list[list[float]]) -> str:
    return "\n".join(" ".join(repr(x) for x in row) for row in matrix)


def test_all_correct_goes_when_a_weight_is_edited(site: Site) -> None:
    page = site.open()
    answer = site.api("/v1/gradients", example("seed_case_5"))
    for k in (1, 2):
        page.get_by_label(f"Your ∂L/∂W_{k}").fill(claim_rows(answer["layers"][k - 1]["weights_gradient"]))
    page.get_by_role("button", name="Verify my gradients").click()
    result = page.locator("#verify-result")
    expect(result).to_contain_text("All your gradients are correct.")
    set_weight(page, 2, 0, 0, "0.9")
    expect(result).not_to_contain_text("All your gradients are correct.")
    expect(result).to_contain_text("before your change: verify again")
    expect(page.locator("#verdict-1")).to_have_count(0)
    page.get_by_role("button", name="Verify my gradients").click()  # the same claims, the new network
    expect(result).to_contain_text("Some of your gradients are wrong.")
    page.close()


def test_an_old_verify_error_goes_when_a_preset_is_loaded(site: Site) -> None:
    page = site.open()
    page.get_by_label("Your ∂L/∂W_1").fill("1 2\n3 4\n5 oops")
    page.get_by_role("button", name="Verify my gradients").click()
    claim = page.locator("#verify .claim .problem").first
    expect(claim).to_contain_text("your ∂L/∂W_1, row 2, column 1")
    expect(page.locator("#verify-result")).not_to_be_empty()
    load_preset(page, "xor")
    expect(page.locator("#verify .problem:not(:empty)")).to_have_count(0)
    expect(page.locator("#verify-result")).to_be_empty()
    expect(page.locator("#verify [aria-invalid]")).to_have_count(0)
    page.close()


def test_an_old_gradient_check_goes_after_a_second_training_run(site: Site) -> None:
    page = site.open()
    load_preset(page, "xor")
    page.get_by_label("Steps N").fill("50")
    page.get_by_role("button", name="Train").click()
    expect(page.locator("#train-result")).to_contain_text("After 50 steps")
    up_to_date(page)
    page.get_by_role("button", name="Gradient check").click()
    table = page.locator("#check-result table")
    expect(table).to_have_count(1)
    page.get_by_role("button", name="Train").click()
    expect(page.locator("#train-result")).to_contain_text("After 50 steps")
    up_to_date(page)
    expect(table).to_have_count(0)
    expect(page.locator("#check-result")).to_contain_text("before your change: check again")
    expect(page.locator("#train-result")).to_contain_text("After 50 steps")  # the run that made this network
    set_weight(page, 1, 0, 0, "0.25")
    expect(page.locator("#train-result")).to_contain_text("training run that ended before your last change")
    page.close()


def test_a_bad_share_link_says_so_and_the_message_stays(site: Site) -> None:
    page = site.open("/playground#s=garbage")
    notice = page.locator("#link-problem")
    expect(notice).to_contain_text("This link does not hold a network")
    up_to_date(page)  # the page computed case 5 in its place; the notice stays
    expect(notice).to_contain_text("This link does not hold a network")
    set_weight(page, 2, 0, 0, "0.9")
    expect(notice).to_contain_text("This link does not hold a network")
    load_preset(page, "xor")  # the learner moved on
    expect(notice).to_be_empty()
    page.close()
