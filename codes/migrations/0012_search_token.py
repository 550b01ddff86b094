from django.db import migrations, models

from codes.search import postgres, sqlite
from codes.search.base import vendor_sql


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0011_search_lines"),
    ]

    # The token search results are cached under, and the triggers that renew it.
    operations = [
        migrations.CreateModel(
            name="SearchToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(
            vendor_sql({"sqlite": sqlite.TOKEN_SCHEMA, "postgresql": postgres.TOKEN_SCHEMA}),
            vendor_sql(
                {"sqlite": sqlite.DROP_TOKEN_SCHEMA, "postgresql": postgres.DROP_TOKEN_SCHEMA}
            ),
        ),
    ]
