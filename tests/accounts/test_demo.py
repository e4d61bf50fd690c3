from io import StringIO

from django.core.management import call_command

from maillage.accounts.demo import DEMO_PASSWORD, demo_email
from maillage.accounts.models import Membership, Organization, User


def test_demo_territory_has_every_kind_of_organisation_and_every_role(demo):
    for kind in Organization.Kind:
        assert Organization.objects.of_kind(kind).exists(), kind
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    assert {organization.commune.department_code for organization in Organization.objects.all()} == {"49"}


def test_loading_the_demo_twice_changes_nothing(demo):
    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    output = StringIO()
    call_command("load_demo", stdout=output)
    assert (User.objects.count(), Organization.objects.count(), Membership.objects.count()) == counts
    assert demo_email("mediateur") in output.getvalue()
    assert DEMO_PASSWORD in output.getvalue()


def test_demo_accounts_log_in_with_the_printed_password(demo):
    assert demo.user("admin").check_password(DEMO_PASSWORD)


def test_demo_code_prints_a_working_code_for_demo_accounts_only(demo):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    output = StringIO()
    call_command("demo_code", demo_email("mediateur"), stdout=output)
    device = TOTPDevice.objects.get(user=demo.user("mediateur"))
    assert device.verify_token(output.getvalue().strip())
