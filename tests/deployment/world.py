"""The data the deployment test needs, made in the deployment's own database by its own settings:
run as ``python -c "...; world.main()"`` with the instances' environment. Prints it as JSON."""

import json

from maillage.accounts.models import ApiToken, Membership
from maillage.territory.reference import load_reference, read_reference_file
from tests.accounts.factories import MembershipFactory
from tests.passes.factories import handed_out_booklet, pass_world

PASSWORD = "a long enough password 2026"  # the factories' own
CLIENTS = 16


def main():
    load_reference(row for row in read_reference_file() if row["department_code"] == "49")
    world = pass_world()
    booklet = handed_out_booklet(world)  # one person's booklet of 10 passes
    codes = list(booklet.passes.order_by("position").values_list("code", flat=True))
    keys = []
    for number in range(CLIENTS):  # one till per client: the limits per key stay out of the way
        member = MembershipFactory(organization=world.operator, role=Membership.Role.MEDIATOR).user
        keys.append(ApiToken.issue(world.operator, member, f"Caisse {number}")[1])
    viewer = MembershipFactory(
        organization=world.funder, role=Membership.Role.VIEWER, user__email="viewer@maillage.test"
    )
    print(
        json.dumps(
            {
                "codes": codes,
                "keys": keys,
                "place_id": world.place.pk,
                "viewer": {"email": viewer.user.email, "password": PASSWORD},
            }
        )
    )
