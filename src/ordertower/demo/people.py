"""Fictional buyers: names in the local script where buyers write in it, addresses and phone numbers."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import cache

from ordertower.demo.places import ABROAD_PLACES, Place, UsPlace

# (local script, romanized) pairs. The romanized form builds the e-mail address.
_LOCAL_NAMES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], float]] = {
    # country: (first names, last names, share of buyers who write their name in local script)
    "JP": (
        (("翔太", "Shota"), ("陽菜", "Hina"), ("大輝", "Daiki"), ("美咲", "Misaki"), ("蓮", "Ren"),
         ("結衣", "Yui"), ("健", "Ken"), ("さくら", "Sakura")),
        (("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"), ("伊藤", "Ito"),
         ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura")),
        0.7,
    ),
    "KR": (
        (("민준", "Minjun"), ("서연", "Seoyeon"), ("지호", "Jiho"), ("하은", "Haeun"), ("도윤", "Doyun"),
         ("수아", "Sua")),
        (("김", "Kim"), ("이", "Lee"), ("박", "Park"), ("최", "Choi"), ("정", "Jung"), ("강", "Kang")),
        0.6,
    ),
    "HK": (
        (("嘉欣", "Ka Yan"), ("志明", "Chi Ming"), ("詠詩", "Wing Sze"), ("俊傑", "Chun Kit"),
         ("美玲", "Mei Ling"), ("偉強", "Wai Keung")),
        (("陳", "Chan"), ("李", "Lee"), ("黃", "Wong"), ("張", "Cheung"), ("林", "Lam"), ("何", "Ho")),
        0.4,
    ),
    "SG": (
        (("伟杰", "Wei Jie"), ("慧敏", "Hui Min"), ("俊杰", "Jun Jie"), ("美玲", "Mei Ling"), ("志强", "Zhi Qiang")),
        (("陈", "Tan"), ("林", "Lim"), ("李", "Lee"), ("黄", "Ng"), ("吴", "Goh")),
        0.3,
    ),
}  # fmt: skip

_LATIN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "US": (
        ("Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas", "Mia",
         "Jackson", "Amelia", "Aiden", "Harper", "Elijah", "Camila", "Mateo", "Priya", "Wei", "Jamal",
         "Aaliyah", "Diego", "Sofia"),
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
         "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
         "Nguyen", "Patel", "Kim", "Chen", "O'Brien", "Walker"),
    ),
    "GB": (
        ("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Freya", "Charlie", "Poppy"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts", "O'Connor"),
    ),
    "DE": (
        ("Lukas", "Mia", "Leon", "Emma", "Finn", "Hannah", "Jonas", "Lena", "Felix", "Sophie"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann"),
    ),
    "FR": (
        ("Lucas", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Gabriel", "Camille", "Jules", "Inès"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Lefèvre", "Moreau"),
    ),
    "NL": (
        ("Daan", "Emma", "Sem", "Julia", "Lucas", "Tess", "Levi", "Sophie", "Finn", "Zoë"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer"),
    ),
    "IT": (
        ("Leonardo", "Sofia", "Francesco", "Giulia", "Alessandro", "Aurora", "Lorenzo", "Alice", "Mattia"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"),
    ),
    "ES": (
        ("Hugo", "Lucía", "Martín", "Sofía", "Pablo", "Martina", "Daniel", "María", "Alejandro", "Paula"),
        ("García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez"),
    ),
    "AU": (
        ("Jack", "Charlotte", "William", "Olivia", "Noah", "Isla", "Thomas", "Mia", "Lachlan", "Chloe"),
        ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Kelly", "Ryan", "Walsh"),
    ),
}  # fmt: skip
_LATIN_NAMES["JP"] = (tuple(r for _, r in _LOCAL_NAMES["JP"][0]), tuple(r for _, r in _LOCAL_NAMES["JP"][1]))
_LATIN_NAMES["KR"] = (tuple(r for _, r in _LOCAL_NAMES["KR"][0]), tuple(r for _, r in _LOCAL_NAMES["KR"][1]))
_LATIN_NAMES["HK"] = (tuple(r for _, r in _LOCAL_NAMES["HK"][0]), tuple(r for _, r in _LOCAL_NAMES["HK"][1]))
_LATIN_NAMES["SG"] = (tuple(r for _, r in _LOCAL_NAMES["SG"][0]), tuple(r for _, r in _LOCAL_NAMES["SG"][1]))

_STREETS: dict[str, tuple[str, ...]] = {
    "US": ("Maple Ave", "Oak St", "Cedar Ln", "Pine St", "Elm St", "Washington Ave", "Lake Dr", "Hill Rd",
           "Park Ave", "Main St", "Sunset Blvd", "River Rd", "Highland Ave", "Church St", "Walnut St",
           "2nd St", "Lincoln Way", "Jefferson Ave", "Meadow Ln", "Willow Ct"),
    "GB": ("High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane",
           "Queens Road", "Kings Road", "Green Lane", "Manor Way"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße", "Lindenstraße", "Bergstraße",
           "Kirchweg", "Birkenweg", "Goethestraße", "Schillerstraße"),
    "FR": ("rue de la République", "avenue Victor Hugo", "boulevard Voltaire", "rue Nationale",
           "avenue Jean Jaurès", "rue Pasteur", "rue du Faubourg Saint-Antoine"),
    "NL": ("Kerkstraat", "Dorpsstraat", "Molenweg", "Prinsengracht", "Keizersgracht", "Stationsweg"),
    "IT": ("Via Roma", "Via Garibaldi", "Corso Italia", "Via Dante Alighieri", "Via Giuseppe Verdi"),
    "ES": ("Calle Mayor", "Calle de Alcalá", "Avenida de la Constitución", "Calle Real", "Gran Vía"),
    "AU": ("George Street", "Collins Street", "Queen Street", "King William Street", "Hay Street"),
}  # fmt: skip

# Second address lines, with the share of addresses that have one.
_SECOND_LINES: dict[str, tuple[float, tuple[str, ...]]] = {
    "US": (0.25, ("Apt {n}B", "Apt {n}", "Unit {n}", "Suite {n}0")),
    "GB": (0.2, ("Flat {n}",)),
    "DE": (0.1, ("Hinterhaus", "{n}. OG")),
    "FR": (0.15, ("Bâtiment B", "Appartement {n}")),
    "NL": (0.05, ("{n}e verdieping",)),
    "IT": (0.2, ("Scala B, Interno {n}",)),
    "ES": (0.3, ("{n}º B", "{n}º izq.")),
    "AU": (0.2, ("Unit {n}",)),
}


@dataclass(frozen=True, slots=True)
class ShipTo:
    """A postal address as buyers type it at checkout."""

    first_name: str
    last_name: str
    line1: str
    line2: str
    city: str
    region_code: str
    region_name: str
    woo_state: str
    postal_code: str
    country_code: str
    phone: str
    company: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class Buyer:
    email: str
    first_name: str
    last_name: str
    address: ShipTo
    accepts_marketing: bool
    customer_number: int = 0  # store account number of a returning buyer, or 0 for a guest


def make_buyer(
    rng: random.Random,
    country: str,
    us_places: tuple[UsPlace, ...],
    email_tag: str,
    *,
    customer_number: int = 0,
) -> Buyer:
    """Create a buyer in `country`, whose e-mail address `email_tag` makes unique ("s1042")."""
    local = _LOCAL_NAMES.get(country)
    if local is not None and rng.random() < local[2]:
        first, latin_first = rng.choice(local[0])
        last, latin_last = rng.choice(local[1])
        local_script = True
    else:
        firsts, lasts = _LATIN_NAMES[country]
        first = latin_first = rng.choice(firsts)
        last = latin_last = rng.choice(lasts)
        local_script = False

    address = make_address(rng, country, us_places, local_script=local_script, names=(first, last))
    domain = "example.com" if rng.random() < 0.6 else "example.org"
    email = f"{_ascii_slug(latin_first)}.{_ascii_slug(latin_last)}.{email_tag}@{domain}"
    return Buyer(email, first, last, address, rng.random() < 0.35, customer_number)


def make_address(
    rng: random.Random,
    country: str,
    us_places: tuple[UsPlace, ...],
    *,
    local_script: bool = False,
    names: tuple[str, str] = ("", ""),
) -> ShipTo:
    """Create a valid address in `country` for the (first, last) `names`."""
    if country == "US":
        place = rng.choices(us_places, cum_weights=_us_cumulative_weights(us_places))[0]
        return ShipTo(
            first_name=names[0],
            last_name=names[1],
            line1=f"{rng.randint(1, 9899)} {rng.choice(_STREETS['US'])}",
            line2=_second_line(rng, "US"),
            city=place.city,
            region_code=place.state,
            region_name=place.state_name,
            woo_state=place.state,
            postal_code=place.zip_code,
            country_code="US",
            phone=f"+1 {place.area_code}-555-01{rng.randint(0, 99):02d}",
        )

    abroad = rng.choice(ABROAD_PLACES[country])
    line1, line2, city = _street_lines(rng, abroad, local_script)
    return ShipTo(
        first_name=names[0],
        last_name=names[1],
        line1=line1,
        line2=line2,
        city=city,
        region_code=abroad.region_code,
        region_name=abroad.region_name,
        woo_state=abroad.woo_state,
        postal_code=abroad.postal_code,
        country_code=country,
        phone=_phone(rng, country),
    )


_us_weights_cache: dict[int, list[float]] = {}


def _us_cumulative_weights(us_places: tuple[UsPlace, ...]) -> list[float]:
    key = id(us_places)
    weights = _us_weights_cache.get(key)
    if weights is None:
        total = 0.0
        weights = []
        for place in us_places:
            total += place.weight
            weights.append(total)
        _us_weights_cache[key] = weights
    return weights


def _street_lines(rng: random.Random, place: Place, local_script: bool) -> tuple[str, str, str]:
    number = rng.randint(1, 180)
    country = place.country_code
    if country == "JP":
        line1 = f"{rng.choice(place.streets)}{rng.randint(1, 4)}-{rng.randint(1, 20)}-{rng.randint(1, 15)}"
        line2 = (
            f"{rng.choice(('グランメゾン', 'パークハイツ', 'サンライズ'))}{rng.randint(2, 12)}0{rng.randint(1, 9)}号室"
        )
        return line1, line2 if rng.random() < 0.6 else "", place.city
    if country == "KR":
        line2 = f"{rng.randint(101, 115)}동 {rng.randint(2, 25)}0{rng.randint(1, 6)}호"
        return f"{rng.choice(place.streets)} {number}", line2 if rng.random() < 0.7 else "", place.city
    if country == "HK":
        floor, flat = rng.randint(2, 40), rng.choice("ABCDEFGH")
        if local_script:
            return f"{rng.choice(place.local_streets)}{number}號", f"{floor}樓{flat}室", place.local_city
        return f"{number} {rng.choice(place.streets)}", f"Flat {flat}, {floor}/F", place.city
    if country == "SG":
        line2 = f"#{rng.randint(2, 30):02d}-{rng.randint(1, 120):02d}"
        return f"{number} {rng.choice(place.streets)}", line2, place.city

    street = rng.choice(_STREETS[country])
    line1 = f"{street} {number}" if country in ("DE", "NL", "IT") else f"{number} {street}"
    if country == "ES":
        line1 = f"{street}, {number}"
    return line1, _second_line(rng, country), place.city


def _second_line(rng: random.Random, country: str) -> str:
    share, patterns = _SECOND_LINES[country]
    if rng.random() >= share:
        return ""
    return rng.choice(patterns).format(n=rng.randint(1, 9))


def _phone(rng: random.Random, country: str) -> str:
    # Where a regulator reserves numbers for fiction, the phone uses that range
    # (UK 07700 900xxx, AU 0491 570xxx, FR 06 39 98xx xx, DE 030 23125xxx).
    # Other countries get random digits behind the country prefix.
    digits = f"{rng.randint(0, 999):03d}"
    four = f"{rng.randint(0, 9999):04d}"
    formats = {
        "GB": f"+44 7700 900{digits}",
        "DE": f"+49 30 23125{digits}",
        "FR": f"+33 6 39 98 {digits[:2]} {rng.randint(10, 99)}",
        "NL": f"+31 6 {rng.randint(10, 99)}{digits}{rng.randint(100, 999)}",
        "IT": f"+39 3{rng.randint(20, 49)} {digits}{four}",
        "ES": f"+34 6{rng.randint(10, 99)} {digits} {rng.randint(100, 999)}",
        "AU": f"+61 491 570 {digits}",
        "JP": f"+81 90-{four}-{rng.randint(1000, 9999)}",
        "KR": f"+82 10-{four}-{rng.randint(1000, 9999)}",
        "SG": f"+65 8{digits} {four}",
        "HK": f"+852 5{digits} {four}",
    }
    return formats[country]


@cache
def _ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isascii() and char.isalnum()).lower()
