import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from centres.models import Province
from centres.roles import CENTRE_MANAGER_GROUP, CENTRE_STAFF_GROUP, NATIONAL_OFFICE_GROUP

ARABIC_LETTERS = {"\u064a", "\u0643", "\u0649"}  # Arabic yeh, kaf, alef maksura
PERSIAN_LETTERS = set("آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئ")

pytestmark = pytest.mark.django_db


def test_the_31_provinces_are_loaded_with_two_digit_codes():
    codes = sorted(Province.objects.values_list("code", flat=True))
    assert codes == [f"{n:02d}" for n in range(31)]


def test_persian_names_use_persian_letters_only():
    for name in Province.objects.values_list("name_fa", flat=True):
        assert not ARABIC_LETTERS & set(name), name
        assert set(name) <= PERSIAN_LETTERS | {" "}, name


@pytest.mark.parametrize(
    ("code", "name_fa", "name_en"),
    [
        ("23", "تهران", "Tehran"),
        ("10", "اصفهان", "Isfahan"),
        ("09", "خراسان رضوی", "Razavi Khorasan"),
        ("03", "آذربایجان شرقی", "East Azerbaijan"),
        ("17", "کهگیلویه و بویراحمد", "Kohgiluyeh and Boyer-Ahmad"),
        ("11", "سیستان و بلوچستان", "Sistan and Baluchestan"),
        ("14", "چهارمحال و بختیاری", "Chaharmahal and Bakhtiari"),
        ("30", "البرز", "Alborz"),
    ],
)
def test_known_provinces(code, name_fa, name_en):
    province = Province.objects.get(code=code)
    assert (province.name_fa, province.name_en) == (name_fa, name_en)


def test_province_shows_its_name_in_the_active_language():
    tehran = Province.objects.get(code="23")
    with translation.override("fa"):
        assert str(tehran) == "تهران"
    with translation.override("en"):
        assert str(tehran) == "Tehran"


@pytest.mark.parametrize(
    ("group", "codenames"),
    [
        (CENTRE_STAFF_GROUP, {"view_centre", "view_province"}),
        (CENTRE_MANAGER_GROUP, {"view_centre", "view_province", "change_centre"}),
        (NATIONAL_OFFICE_GROUP, {"view_centre", "view_province", "view_membership"}),
    ],
)
def test_role_groups_carry_their_centres_permissions(group, codenames):
    permissions = Group.objects.get(name=group).permissions.filter(
        content_type__app_label="centres"
    )
    assert set(permissions.values_list("codename", flat=True)) == codenames
