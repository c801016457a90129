"""Load Iran's 31 provinces (استان‌ها).

Codes are the two-digit province numbers of ISO 3166-2:IR as revised on 2020-11-24
(IR-00 … IR-30), which follow the Statistical Centre of Iran's province numbering.
Persian names use Persian letters (ی، ک), never the Arabic yeh/kaf (U+064A, U+0643).
The data is frozen here on purpose: a migration must not import application code that
may change later.
"""

from django.db import migrations

PROVINCES = [
    # (code, name_fa, name_en)
    ("00", "مرکزی", "Markazi"),
    ("01", "گیلان", "Gilan"),
    ("02", "مازندران", "Mazandaran"),
    ("03", "آذربایجان شرقی", "East Azerbaijan"),
    ("04", "آذربایجان غربی", "West Azerbaijan"),
    ("05", "کرمانشاه", "Kermanshah"),
    ("06", "خوزستان", "Khuzestan"),
    ("07", "فارس", "Fars"),
    ("08", "کرمان", "Kerman"),
    ("09", "خراسان رضوی", "Razavi Khorasan"),
    ("10", "اصفهان", "Isfahan"),
    ("11", "سیستان و بلوچستان", "Sistan and Baluchestan"),
    ("12", "کردستان", "Kurdistan"),
    ("13", "همدان", "Hamadan"),
    ("14", "چهارمحال و بختیاری", "Chaharmahal and Bakhtiari"),
    ("15", "لرستان", "Lorestan"),
    ("16", "ایلام", "Ilam"),
    ("17", "کهگیلویه و بویراحمد", "Kohgiluyeh and Boyer-Ahmad"),
    ("18", "بوشهر", "Bushehr"),
    ("19", "زنجان", "Zanjan"),
    ("20", "سمنان", "Semnan"),
    ("21", "یزد", "Yazd"),
    ("22", "هرمزگان", "Hormozgan"),
    ("23", "تهران", "Tehran"),
    ("24", "اردبیل", "Ardabil"),
    ("25", "قم", "Qom"),
    ("26", "قزوین", "Qazvin"),
    ("27", "گلستان", "Golestan"),
    ("28", "خراسان شمالی", "North Khorasan"),
    ("29", "خراسان جنوبی", "South Khorasan"),
    ("30", "البرز", "Alborz"),
]


def load_provinces(apps, schema_editor):
    Province = apps.get_model("centres", "Province")
    db = schema_editor.connection.alias
    for code, name_fa, name_en in PROVINCES:
        Province.objects.using(db).update_or_create(
            code=code, defaults={"name_fa": name_fa, "name_en": name_en}
        )


def unload_provinces(apps, schema_editor):
    # Fails (PROTECT) while centres still point at a province, which is what we want.
    Province = apps.get_model("centres", "Province")
    db = schema_editor.connection.alias
    Province.objects.using(db).filter(code__in=[code for code, _, _ in PROVINCES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_provinces, unload_provinces),
    ]
