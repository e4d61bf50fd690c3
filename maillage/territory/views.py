from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from maillage.territory.models import Commune

SUGGESTION_COUNT = 10


@login_not_required
@require_GET
@cache_control(public=True, max_age=60 * 60 * 24)
def commune_suggestions(request):
    """Communes for the suggestions shown while typing: a progressive enhancement only."""
    communes = Commune.objects.search(request.GET.get("q", ""), limit=SUGGESTION_COUNT).prefetch_related("postcodes")
    return JsonResponse(
        {
            "results": [
                {
                    "insee_code": commune.insee_code,
                    "name": commune.name,
                    "label": commune.label,
                    "department": commune.department_name,
                    "in_territory": commune.in_territory,
                }
                for commune in communes
            ]
        }
    )
