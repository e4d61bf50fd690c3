import re

from django.apps import apps

from maillage.personal_data import NOT_PERSONAL, PERSONAL_FIELDS

LOOKS_PERSONAL = re.compile(
    r"name|mail|phone|tel|address|adresse|birth|naissance|street|contact|label|login|password|details|comment|message|note"
)


def project_fields():
    for model in apps.get_models():
        if model.__module__.startswith("maillage."):
            for field in model._meta.get_fields():
                if field.concrete:
                    yield f"{model._meta.app_label}.{model.__name__}.{field.name}"


def test_every_field_that_looks_personal_has_a_retention_rule_or_a_reason():
    unlisted = [
        name
        for name in project_fields()
        if LOOKS_PERSONAL.search(name.rsplit(".", 1)[1]) and name not in PERSONAL_FIELDS and name not in NOT_PERSONAL
    ]
    assert not unlisted, f"Say how long these are kept in maillage/personal_data.py: {unlisted}"


def test_the_registry_names_only_fields_that_exist():
    existing = set(project_fields())
    assert not (set(PERSONAL_FIELDS) | set(NOT_PERSONAL)) - existing
