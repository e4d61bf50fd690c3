from django.db import migrations

from maillage.accounts import journal_guard


def install(apps, schema_editor):
    journal_guard.install(schema_editor.connection)


def remove(apps, schema_editor):
    journal_guard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
