"""Form rendering shared by every page: labels, hints and errors always shown, tied to their field."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

# The first option of a list nobody has chosen from yet: a list never answers for the person.
CHOOSE = _("— Choose —")


class ListedTextInput(forms.TextInput):
    """A text box with the browser's own list of suggestions (a datalist): a search with no JavaScript."""

    template_name = "components/widgets/listed_input.html"

    def __init__(self, options=(), attrs=None):
        super().__init__(attrs)
        self.options = list(options)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}-list"
        context["widget"]["options"] = self.options
        return context


def posted(request):
    """The form data of a POST (even an empty one, which must fail validation), None otherwise."""
    return request.POST if request.method == "POST" else None


def needed_for_some_answers(form, *names):
    """Marks fields that another answer makes necessary (a phone for a call-back): not "(optional)".

    Their hint says when they are needed; the form's validation asks for them then.
    """
    for name in names:
        if name in form.fields:
            form.fields[name].needed_for_some_answers = True


class AccessibleFormRenderer(TemplatesSetting):
    """Renders every form with an error summary at the top and each error next to its field.

    Django already links hints and errors to the input with ``aria-describedby`` and marks it
    ``aria-invalid``; our templates give the error its id and the summary links to each field.
    """

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"
