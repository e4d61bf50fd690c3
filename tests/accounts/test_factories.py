from tests.accounts.factories import MembershipFactory


def test_a_new_mediator_must_set_up_a_second_factor_but_a_viewer_need_not(db):
    mediator = MembershipFactory(role="mediator").user
    viewer = MembershipFactory(role="viewer").user
    assert mediator.requires_two_factor
    assert not viewer.requires_two_factor
    assert mediator.check_password("a long enough password 2026")
