"""Welfare file numbers as they are compared from now on: capital letters, Latin digits, no
spaces (`isf-01-۰۰۰۸۱` is `ISF-01-00081`). Before the check constraints of the next
migration are added, rows they would refuse are listed, so whoever runs the migration knows
what to correct (in the admin) instead of meeting a bare database error."""

from django.db import migrations
from django.db.models import Q

from hami.text import normalise_text, to_latin_digits
from hami.validators import EARLIEST_DATE, LATEST_DATE


def _normalised(number: str) -> str:
    return to_latin_digits(normalise_text(number or "")).replace(" ", "").upper()


def normalise_file_numbers(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    clients = Client._base_manager.only("pk", "welfare_file_number")
    holders: dict[str, list[int]] = {}
    for client in clients:
        holders.setdefault(_normalised(client.welfare_file_number), []).append(client.pk)
    problems = [
        f"clients {pks} share the welfare file number {number!r} once written in capitals"
        for number, pks in holders.items()
        if len(pks) > 1
    ]
    problems += [f"client {pk} has an empty welfare file number" for pk in holders.get("", [])]
    rows = Client._base_manager
    problems += [
        f"client {pk} has no first or last name"
        for pk in rows.filter(Q(first_name="") | Q(last_name="")).values_list("pk", flat=True)
    ]
    problems += [
        f"client {pk}'s residence card number has 10 digits, the length of a national code"
        for pk, number in rows.filter(id_type="residence_card").values_list("pk", "id_number")
        if not (number.isascii() and number.isdigit() and 5 <= len(number) <= 20)
        or len(number) == 10
    ]
    problems += [
        f"client {pk}'s birth date {born} is outside {EARLIEST_DATE} to {LATEST_DATE}"
        for pk, born in rows.exclude(birth_date__range=(EARLIEST_DATE, LATEST_DATE)).values_list(
            "pk", "birth_date"
        )
    ]
    if problems:
        raise RuntimeError(
            "Correct these clients before migrating (the new checks would refuse them): "
            + "; ".join(problems)
        )
    for client in clients:
        number = _normalised(client.welfare_file_number)
        if number != client.welfare_file_number:
            rows.filter(pk=client.pk).update(welfare_file_number=number)


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_journey_rules_constraints_and_dated_steps")]

    operations = [migrations.RunPython(normalise_file_numbers, migrations.RunPython.noop)]
