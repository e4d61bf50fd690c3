import re

import pytest
from django.core import mail
from django.urls import reverse

from maillage.accounts.demo import demo_email

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)


def test_a_member_who_forgot_their_password_chooses_a_new_one_from_the_e_mail_link(client, demo):
    response = client.post(reverse("accounts:password_reset"), {"email": demo_email("observateur").upper()})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/compte/mot-de-passe/nouveau/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new_password = "une phrase assez longue pour 2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert demo.user("observateur").check_password(new_password)
    assert client.get(link, follow=True).context["validlink"] is False, "the link works only once"


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(client, demo):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
