"""Load the catalogue of trades (رشته‌های مهارتی) the centres train people in.

Persian names use Persian letters (ی، ک), never the Arabic yeh/kaf, and the zero-width
non-joiner (ZWNJ, U+200C) where Persian writes one (مهارت‌های، شیرینی‌پزی، قالی‌بافی).
Existing trades are left as they are, so edits made in the admin survive a re-run; new
trades are added in the admin. The data is frozen here on purpose: a migration must not
import application code that may change later.
"""

from django.db import migrations

TRADES = [
    # (code, name_fa, name_en)
    ("tailoring", "خیاطی", "Tailoring"),
    ("handicrafts", "صنایع دستی", "Handicrafts"),
    ("computer-skills-icdl", "مهارت\u200cهای رایانه (ICDL)", "Computer skills (ICDL)"),
    ("accounting", "حسابداری", "Accounting"),
    ("hairdressing", "آرایشگری", "Hairdressing"),
    ("cooking-and-pastry", "آشپزی و شیرینی\u200cپزی", "Cooking and pastry"),
    ("carpentry", "نجاری", "Carpentry"),
    ("electrical-installation", "برق\u200cکاری ساختمان", "Building electrical installation"),
    ("mobile-phone-repair", "تعمیر تلفن همراه", "Mobile phone repair"),
    ("greenhouse-farming", "کشت گلخانه\u200cای", "Greenhouse farming"),
    ("carpet-weaving", "قالی\u200cبافی", "Carpet weaving"),
    ("leather-crafts", "چرم\u200cدوزی", "Leather crafts"),
    ("graphic-design", "طراحی گرافیک", "Graphic design"),
    ("welding", "جوشکاری", "Welding"),
    ("beekeeping", "زنبورداری", "Beekeeping"),
    ("food-packaging", "بسته\u200cبندی مواد غذایی", "Food packaging"),
    ("childcare", "مراقبت از کودک", "Childcare"),
    ("knitting", "بافتنی", "Knitting"),
    ("mushroom-growing", "پرورش قارچ", "Mushroom growing"),
    ("car-mechanics", "مکانیک خودرو", "Car mechanics"),
    ("building-plumbing", "لوله\u200cکشی ساختمان", "Building plumbing"),
]


def load_trades(apps, schema_editor):
    Trade = apps.get_model("centres", "Trade")
    db = schema_editor.connection.alias
    for code, name_fa, name_en in TRADES:
        Trade.objects.using(db).get_or_create(
            code=code, defaults={"name_fa": name_fa, "name_en": name_en}
        )


def unload_trades(apps, schema_editor):
    # Fails (PROTECT) while courses still teach a trade, which is what we want.
    Trade = apps.get_model("centres", "Trade")
    db = schema_editor.connection.alias
    Trade.objects.using(db).filter(code__in=[code for code, _, _ in TRADES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0004_trades_and_courses"),
    ]

    operations = [
        migrations.RunPython(load_trades, unload_trades),
    ]
