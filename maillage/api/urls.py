"""The API's URL conf: mounted at /api/v1/ by maillage/urls.py (``path("api/v1/", api.urls)``).

The schema is served at /api/v1/openapi.json. Ninja's docs page is off: it loads Swagger UI from
a CDN, and nothing of ours loads from another host.
"""

from maillage.api import errors, help_requests, passes, places
from maillage.api.public import PublicNinjaAPI

api = PublicNinjaAPI(
    title="Maillage API",
    version="1",
    description=(
        "Public, read-only data of Maillage: the published help places (standard-mediation-num v1.0.1). "
        "Partners with an API key (Authorization: Bearer mlg_…) record help requests and follow them; "
        "qualified places check and use Pass numérique codes."
    ),
    urls_namespace="api",
    docs_url=None,
)
errors.install(api)
api.add_router("", places.router)
api.add_router("", help_requests.router)
api.add_router("", passes.router)
