from importlib import import_module

from django.db import migrations

# Releases and their changes show on code pages (the timeline, the release in force as of a day):
# a committed change to them renews the content token like one to codes (0012, 0022). A release
# import writes codes too, but a historical one may add only its release and changes, and a
# release may be corrected alone. The triggers are 0022's, frozen there.
token_triggers = import_module("codes.migrations.0022_content_token_triggers").token_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0026_releases"),
    ]

    operations = [migrations.RunPython(*token_triggers(["codes_release", "codes_releasecode"]))]
