"""Each province's population, from the 2016 (1395) national census of the Statistical
Centre of Iran: the reference for the network page's seats per 100,000 people. Editable in
the admin (Provinces) when newer figures are published; the data is frozen here on purpose."""

from django.db import migrations

POPULATION_2016 = {
    "00": 1_429_475,  # Markazi
    "01": 2_530_696,  # Gilan
    "02": 3_283_582,  # Mazandaran
    "03": 3_909_652,  # East Azerbaijan
    "04": 3_265_219,  # West Azerbaijan
    "05": 1_952_434,  # Kermanshah
    "06": 4_710_509,  # Khuzestan
    "07": 4_851_274,  # Fars
    "08": 3_164_718,  # Kerman
    "09": 6_434_501,  # Razavi Khorasan
    "10": 5_120_850,  # Isfahan
    "11": 2_775_014,  # Sistan and Baluchestan
    "12": 1_603_011,  # Kurdistan
    "13": 1_738_234,  # Hamadan
    "14": 947_763,  # Chaharmahal and Bakhtiari
    "15": 1_760_649,  # Lorestan
    "16": 580_158,  # Ilam
    "17": 713_052,  # Kohgiluyeh and Boyer-Ahmad
    "18": 1_163_400,  # Bushehr
    "19": 1_057_461,  # Zanjan
    "20": 702_360,  # Semnan
    "21": 1_138_533,  # Yazd
    "22": 1_776_415,  # Hormozgan
    "23": 13_267_637,  # Tehran
    "24": 1_270_420,  # Ardabil
    "25": 1_292_283,  # Qom
    "26": 1_273_761,  # Qazvin
    "27": 1_868_819,  # Golestan
    "28": 863_092,  # North Khorasan
    "29": 768_898,  # South Khorasan
    "30": 2_712_400,  # Alborz
}


def load_populations(apps, schema_editor):
    Province = apps.get_model("centres", "Province")
    db = schema_editor.connection.alias
    for code, population in POPULATION_2016.items():
        Province.objects.using(db).filter(code=code).update(population=population)


def unload_populations(apps, schema_editor):
    Province = apps.get_model("centres", "Province")
    Province.objects.using(schema_editor.connection.alias).update(population=None)


class Migration(migrations.Migration):
    dependencies = [("centres", "0008_centre_applications")]

    operations = [migrations.RunPython(load_populations, unload_populations)]
