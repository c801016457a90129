"""Create the role groups and give them their permissions on the centres models.

The group names must stay equal to the constants in `centres/access.py`
(`CENTRE_STAFF_GROUP`, `CENTRE_MANAGER_GROUP`, `NATIONAL_OFFICE_GROUP`); they are copied
here because a migration must not import application code.

Later migrations of other apps can grant their own permissions the same way: copy
`ensure_permissions` and `grant`, call `ensure_permissions` for their own app label and
`grant` for each group. Granting only adds permissions, so it never undoes another app's.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CENTRE_STAFF_GROUP = "Centre staff"
CENTRE_MANAGER_GROUP = "Centre manager"
NATIONAL_OFFICE_GROUP = "National office"

APP_LABEL = "centres"

GROUP_PERMISSIONS = {
    CENTRE_STAFF_GROUP: ["view_centre", "view_province"],
    CENTRE_MANAGER_GROUP: ["view_centre", "view_province", "change_centre"],
    NATIONAL_OFFICE_GROUP: ["view_centre", "view_province", "view_membership"],
}


def ensure_permissions(apps, schema_editor, app_label):
    """Permissions are normally made after `migrate` finishes (post_migrate); make the
    app's content types and permissions now so this migration can hand them out."""
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    finally:
        app_config.models_module = None


def grant(apps, schema_editor, group_name, app_label, codenames):
    """Add the permissions `codenames` of `app_label` to the group, creating the group."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    group, _ = Group.objects.using(db).get_or_create(name=group_name)
    permissions = list(
        Permission.objects.using(db).filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    )
    missing = set(codenames) - {p.codename for p in permissions}
    if missing:
        raise RuntimeError(f"Permissions not found for {app_label}: {sorted(missing)}")
    group.permissions.add(*permissions)


def create_groups(apps, schema_editor):
    ensure_permissions(apps, schema_editor, APP_LABEL)
    for group_name, codenames in GROUP_PERMISSIONS.items():
        grant(apps, schema_editor, group_name, APP_LABEL, codenames)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    db = schema_editor.connection.alias
    Group.objects.using(db).filter(name__in=list(GROUP_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("centres", "0002_provinces"),
    ]

    operations = [
        migrations.RunPython(create_groups, delete_groups),
    ]
