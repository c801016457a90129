"""Demo data for `manage.py seed_demo`: the centres and the people who log in.

Persian text uses Persian letters (ی، ک) and, in addresses, Persian digits; phone numbers
are written the way they are dialled. Codes and usernames are the natural keys the seeding
looks rows up by, so they must never change once published.
"""

from dataclasses import dataclass
from datetime import date

from .models import Membership, Operator

DEMO_PASSWORD = "hami-demo-1403"


@dataclass(frozen=True)
class DemoCentre:
    code: str
    name: str
    province_code: str  # centres.Province.code (ISO 3166-2:IR, 2020 revision)
    city: str
    operator: str
    training_capacity: int
    address: str
    phone: str
    opened_on: date


GOV, NGO, PRIVATE = Operator.GOVERNMENTAL, Operator.NGO, Operator.PRIVATE

CENTRES: list[DemoCentre] = [
    DemoCentre(
        "THR-01",
        "مرکز حمایت شغلی تهران — نارمک",
        "23",
        "تهران",
        GOV,
        60,
        "تهران، نارمک، میدان هفت‌حوض، خیابان گلبرگ غربی، پلاک ۴۵",
        "021-77891234",
        date(2015, 4, 21),
    ),
    DemoCentre(
        "ISF-01",
        "مرکز حمایت شغلی اصفهان — زینبیه",
        "10",
        "اصفهان",
        GOV,
        60,
        "اصفهان، زینبیه، خیابان امام خمینی، کوچه ۳۲، پلاک ۷",
        "031-33801256",
        date(2015, 9, 12),
    ),
    DemoCentre(
        "MHD-01",
        "مرکز حمایت شغلی مشهد — طلاب",
        "09",
        "مشهد",
        NGO,
        60,
        "مشهد، بلوار طبرسی، طبرسی ۲۴، پلاک ۱۸",
        "051-32713490",
        date(2016, 2, 6),
    ),
    DemoCentre(
        "TBZ-01",
        "مرکز حمایت شغلی تبریز — ولیعصر",
        "03",
        "تبریز",
        GOV,
        60,
        "تبریز، ولیعصر، خیابان فروغی، پلاک ۱۱",
        "041-33304512",
        date(2016, 10, 18),
    ),
    DemoCentre(
        "SHZ-01",
        "مرکز حمایت شغلی شیراز — معالی‌آباد",
        "07",
        "شیراز",
        PRIVATE,
        45,
        "شیراز، بلوار معالی‌آباد، کوچه ۱۹، ساختمان نگین، طبقه دوم",
        "071-36271840",
        date(2017, 5, 3),
    ),
    DemoCentre(
        "AHV-01",
        "مرکز حمایت شغلی اهواز — کیان‌پارس",
        "06",
        "اهواز",
        GOV,
        60,
        "اهواز، کیان‌پارس، خیابان ۱۴ غربی، پلاک ۲۶",
        "061-33367215",
        date(2017, 11, 26),
    ),
    DemoCentre(
        "KRJ-01",
        "مرکز حمایت شغلی کرج — گوهردشت",
        "30",
        "کرج",
        PRIVATE,
        60,
        "کرج، گوهردشت، بلوار موذن، خیابان ۱۰ شرقی، پلاک ۳",
        "026-34412978",
        date(2018, 7, 15),
    ),
    DemoCentre(
        "RSH-01",
        "مرکز حمایت شغلی رشت — گلسار",
        "01",
        "رشت",
        NGO,
        60,
        "رشت، گلسار، بلوار سمیه، کوچه ۱۰۹، پلاک ۵",
        "013-32128843",
        date(2018, 12, 1),
    ),
    DemoCentre(
        "KSH-01",
        "مرکز حمایت شغلی کرمانشاه — الهیه",
        "05",
        "کرمانشاه",
        GOV,
        50,
        "کرمانشاه، الهیه، خیابان ۲۲ بهمن، پلاک ۶۸",
        "083-38225631",
        date(2019, 6, 9),
    ),
    DemoCentre(
        "ZAH-01",
        "مرکز حمایت شغلی زاهدان — امیرالمؤمنین",
        "11",
        "زاهدان",
        GOV,
        40,
        "زاهدان، بلوار امیرالمؤمنین، نبش امیرالمؤمنین ۱۲",
        "054-33425107",
        date(2019, 10, 22),
    ),
    DemoCentre(
        "YZD-01",
        "مرکز حمایت شغلی یزد — صفائیه",
        "21",
        "یزد",
        NGO,
        60,
        "یزد، صفائیه، بلوار دانشجو، کوچه ۸، پلاک ۱۴",
        "035-38253016",
        date(2020, 8, 17),
    ),
    DemoCentre(
        "HMD-01",
        "مرکز حمایت شغلی همدان — مدنی",
        "13",
        "همدان",
        GOV,
        60,
        "همدان، خیابان شهید مدنی، کوچه ارم، پلاک ۹",
        "081-38264471",
        date(2021, 3, 2),
    ),
    DemoCentre(
        "SAR-01",
        "مرکز حمایت شغلی ساری — طبرستان",
        "02",
        "ساری",
        GOV,
        60,
        "ساری، خیابان طبرستان، کوچه بهار ۳، پلاک ۲۰",
        "011-33316592",
        date(2021, 11, 14),
    ),
    DemoCentre(
        "BND-01",
        "مرکز حمایت شغلی بندرعباس — گلشهر",
        "22",
        "بندرعباس",
        NGO,
        50,
        "بندرعباس، گلشهر شمالی، خیابان ۱۷ شهریور، پلاک ۳۳",
        "076-33652108",
        date(2022, 5, 28),
    ),
    DemoCentre(
        "SNJ-01",
        "مرکز حمایت شغلی سنندج — شهرک بهاران",
        "12",
        "سنندج",
        GOV,
        60,
        "سنندج، شهرک بهاران، میدان مادر، پلاک ۱۲",
        "087-33245780",
        date(2023, 4, 10),
    ),
    DemoCentre(
        "KRM-01",
        "مرکز حمایت شغلی کرمان — شهرک باهنر",
        "08",
        "کرمان",
        PRIVATE,
        60,
        "کرمان، شهرک باهنر، بلوار جمهوری، کوچه ۲۷، پلاک ۴",
        "034-32117469",
        date(2024, 1, 20),
    ),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    centre_code: str | None = None  # with `role`: a membership of that centre
    role: str | None = None  # Membership.Role value
    national_office: bool = False
    superuser: bool = False
    label: str = ""  # how the login is described in the command's output


STAFF, MANAGER = Membership.Role.STAFF, Membership.Role.MANAGER

USERS: list[DemoUser] = [
    DemoUser("staff.thr01", "مریم", "احمدی", "THR-01", STAFF, label="Centre staff, THR-01"),
    DemoUser("manager.thr01", "علی", "رضایی", "THR-01", MANAGER, label="Centre manager, THR-01"),
    DemoUser("staff.isf01", "زهرا", "کریمی", "ISF-01", STAFF, label="Centre staff, ISF-01"),
    DemoUser("manager.isf01", "حسین", "موسوی", "ISF-01", MANAGER, label="Centre manager, ISF-01"),
    DemoUser("staff.mhd01", "فاطمه", "حسینی", "MHD-01", STAFF, label="Centre staff, MHD-01"),
    DemoUser("manager.mhd01", "مهدی", "جعفری", "MHD-01", MANAGER, label="Centre manager, MHD-01"),
    DemoUser("national", "سارا", "محمدی", national_office=True, label="National office"),
    DemoUser("admin", "مدیر", "سامانه", superuser=True, label="Administrator (superuser)"),
]
