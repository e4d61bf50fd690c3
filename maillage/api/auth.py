"""Bearer keys for partners' software (accounts.ApiToken): ``Authorization: Bearer mlg_…``."""

from ninja.security import HttpBearer

from maillage.accounts.models import ApiToken


class ApiKey(HttpBearer):
    def authenticate(self, request, token):
        return ApiToken.authenticate(token)
