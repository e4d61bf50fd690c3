"""Form rendering shared by every page: labels, hints and errors always shown, tied to their field."""

from django.forms.renderers import TemplatesSetting


def posted(request):
    """The form data of a POST (even an empty one, which must fail validation), None otherwise."""
    return request.POST if request.method == "POST" else None


class AccessibleFormRenderer(TemplatesSetting):
    """Renders every form with an error summary at the top and each error next to its field.

    Django already links hints and errors to the input with ``aria-describedby`` and marks it
    ``aria-invalid``; our templates give the error its id and the summary links to each field.
    """

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"
