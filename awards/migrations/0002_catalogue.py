from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from awards.catalogue import sync_catalogue

    sync_catalogue(apps.get_model("awards", "AwardType"))


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
