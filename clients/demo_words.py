"""The words the demo clients are made of: Persian names, streets, notes and reasons, the
weights of the categories and education levels, and what an assessment of such a client
says (clients/demo.py draws from them).

Persian letters ی and ک only, never the Arabic ي and ك."""

import random

from .models import Category, Education, Track, WorkCapacity

MALE_NAMES = [
    "محمد", "علی", "حسین", "رضا", "مهدی", "امیر", "حسن", "محسن", "مجید", "سعید",
    "احمد", "جواد", "حمید", "مصطفی", "ابوالفضل", "علیرضا", "محمدرضا", "امیرحسین", "سجاد", "وحید",
    "مرتضی", "هادی", "یوسف", "کریم", "بهروز", "فرهاد", "کامران", "پیمان", "بهزاد", "مسعود",
    "داوود", "ناصر", "یاسر", "میلاد", "عباس", "اکبر", "رسول", "سینا", "آرش", "کیوان",
]  # fmt: skip

FEMALE_NAMES = [
    "فاطمه", "زهرا", "مریم", "معصومه", "زینب", "سمیه", "لیلا", "نرگس", "مهسا", "الهام",
    "سارا", "اعظم", "رقیه", "طاهره", "سکینه", "شیرین", "پروین", "منیژه", "فرشته", "ناهید",
    "سمانه", "مهناز", "آزاده", "نسرین", "راضیه", "کبری", "صدیقه", "فریبا", "مینا", "نازنین",
    "هاجر", "ریحانه", "کوثر", "سحر", "ژیلا", "شهلا", "خدیجه", "اکرم", "طیبه", "گلناز",
]  # fmt: skip

LAST_NAMES = [
    "محمدی", "حسینی", "احمدی", "رضایی", "کریمی", "موسوی", "جعفری", "قاسمی", "صادقی", "رحیمی",
    "حیدری", "نوری", "مرادی", "اکبری", "کاظمی", "عباسی", "سلیمانی", "یوسفی", "هاشمی", "ابراهیمی",
    "نجفی", "زارعی", "شریفی", "امیری", "طاهری", "بهرامی", "فرهادی", "نظری", "سلطانی", "کرمانی",
    "میرزایی", "ملکی", "قربانی", "رستمی", "جمشیدی", "توکلی", "عزیزی", "بابایی", "یزدانی", "دهقان",
    "پورمحمد", "خسروی", "اسدی", "فتحی", "نیک‌نام",
]  # fmt: skip

FATHER_NAMES = [
    "غلامرضا", "غلامعلی", "محمدعلی", "حسینعلی", "علی‌اکبر", "اسماعیل", "ابراهیم", "قاسم",
    "نعمت‌الله", "فتح‌الله", "رحمت‌الله", "عزیزالله", "حبیب‌الله", "اصغر", "جعفر", "صادق",
    "موسی", "عیسی", "یعقوب", "نصرالله", "منصور", "ایرج", "جمشید", "بهمن", "پرویز", "هوشنگ",
    "کاظم", "باقر", "تقی", "نقی", "رمضان", "حیدر", "شعبان", "عبدالله", "عبدالرضا", "محمدحسن",
    "محمدتقی", "مرتضی", "حسن", "علی", "خلیل", "سیف‌الله",
]  # fmt: skip

STREETS = [
    "خیابان امام خمینی", "خیابان انقلاب", "خیابان شریعتی", "بلوار کشاورز", "خیابان آزادی",
    "خیابان طالقانی", "خیابان بهار", "خیابان ولیعصر", "خیابان مطهری", "بلوار شهید بهشتی",
    "خیابان فردوسی", "خیابان حافظ", "خیابان سعدی", "بلوار جمهوری", "خیابان پاسداران",
]  # fmt: skip

MOBILE_PREFIXES = [
    "0912", "0913", "0914", "0915", "0916", "0917", "0918", "0919", "0935", "0936",
    "0937", "0938", "0939", "0901", "0902", "0903", "0930", "0933", "0990", "0921",
]  # fmt: skip

LEVELS = ["مقدماتی", "مقدماتی", "مقدماتی", "پیشرفته", "تکمیلی"]
SEASONS = {1: "بهار", 2: "تابستان", 3: "پاییز", 4: "زمستان"}  # Jalali quarter → season

READY_NOTES = [
    "علاقه‌مند به کار در منزل",
    "سابقه کار در کارگاه خیاطی",
    "نیاز به ساعت کاری منعطف به دلیل نگهداری از فرزندان",
    "انگیزه بالا برای راه‌اندازی کسب‌وکار خانگی",
    "آشنایی اولیه با رایانه",
    "نیاز به حمل‌ونقل مناسب برای رفت‌وآمد",
    "تمایل به کار در کارگاه یا شرکت",
    "",
]  # fmt: skip

NOT_READY_REFERRALS = [
    "ارجاع به مرکز توان‌بخشی بهزیستی",
    "ارجاع به مشاور روان‌شناس مرکز",
    "ارجاع به دوره سوادآموزی نهضت",
    "ارجاع به پزشک معتمد برای ادامه درمان",
    "ارجاع به مددکار اجتماعی برای حل مشکلات خانوادگی",
]  # fmt: skip

MOVED_AWAY = "نقل مکان خانواده به شهر دیگر"

EARLY_WITHDRAWAL_REASONS = [
    "عدم مراجعه برای ارزیابی با وجود چند بار تماس",
    "اشتغال به کار پیش از شروع دوره",
    MOVED_AWAY,
    "عدم تمایل به ادامه همکاری",
    "مشکلات خانوادگی",
]  # fmt: skip

TRAINING_WITHDRAWAL_REASONS = [
    "مشکلات خانوادگی و نگهداری از فرزندان",
    "بیماری و بستری شدن در بیمارستان",
    "دوری مسیر و هزینه رفت‌وآمد",
    "پیدا کردن کار پیش از پایان دوره",
    "غیبت مکرر و عدم پاسخ به تماس‌ها",
]  # fmt: skip

NOT_READY_WITHDRAWAL_REASONS = [
    "عدم مراجعه در موعد بازبینی",
    "ادامه درمان طولانی و انصراف از برنامه",
]

DISABILITIES = [
    (Category.PHYSICAL, 40),
    (Category.HEARING, 18),
    (Category.VISUAL, 14),
    (Category.PSYCHOSOCIAL, 12),
    (Category.INTELLECTUAL, 10),
    (Category.SPEECH, 6),
]
EDUCATION = [
    (Education.NONE, 3),
    (Education.LITERACY, 6),
    (Education.PRIMARY, 13),
    (Education.LOWER_SECONDARY, 18),
    (Education.DIPLOMA, 33),
    (Education.ASSOCIATE, 10),
    (Education.BACHELOR, 14),
    (Education.MASTER, 3),
]


def assessment(
    rng: random.Random, *, category, ready: bool, trades=(), any_trade=(), review_on=None
) -> dict:
    """What an assessor finds: ready (some needing support), with the trades asked for and
    now and then another one, or not ready yet, with a referral and a review date."""
    disabled = category not in (Category.FEMALE_HEAD, Category.OTHER)
    if ready:
        supported = disabled and rng.random() < 0.5
        capacity = WorkCapacity.NEEDS_SUPPORT if supported else WorkCapacity.READY
        own_business = category == Category.FEMALE_HEAD and rng.random() < 0.6
        track = Track.OWN_BUSINESS if own_business or rng.random() < 0.3 else Track.WAGE_JOB
        extra = [rng.choice(any_trade)] if rng.random() < 0.4 else []
        return {
            "interested_in_work": True,
            "work_capacity": capacity,
            "recommended_track": track,
            "notes": rng.choice(READY_NOTES),
            "preferred_trades": list({t.pk: t for t in [*trades, *extra]}.values()),
        }
    interested = rng.random() < 0.5  # if not, whatever their capacity, not ready yet
    capacity = WorkCapacity.NOT_READY if interested else rng.choice(list(WorkCapacity))
    return {
        "interested_in_work": interested,
        "work_capacity": capacity,
        "recommended_track": Track.REHABILITATION if disabled else Track.PRE_VOCATIONAL,
        "referral": rng.choice(NOT_READY_REFERRALS),
        "review_on": review_on,
        "notes": "",
    }
