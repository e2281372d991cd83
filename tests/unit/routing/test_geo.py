import pytest

from ordertower.routing.geo import Coordinates, geocode, great_circle_km

LOS_ANGELES = Coordinates(34.0522, -118.2437)
NEW_YORK = Coordinates(40.7128, -74.0060)


def _km(result, point: Coordinates) -> float:
    assert result is not None
    return great_circle_km(result.coordinates, point)


def test_us_zip_near_los_angeles():
    result = geocode("US", "90058")

    assert result is not None
    assert result.precision == "postal_code"
    assert _km(result, LOS_ANGELES) < 20


def test_us_zip_plus_four_uses_first_five_digits():
    assert geocode("US", "90058-1234") == geocode("US", "90058")


def test_unknown_zip_falls_back_to_city():
    result = geocode("US", "00000", city="Los Angeles", region="CA")

    assert result is not None
    assert result.precision == "city"
    assert _km(result, LOS_ANGELES) < 20


def test_london_gb_by_city():
    result = geocode("GB", city="London")

    assert result is not None
    assert result.precision == "city"
    assert _km(result, Coordinates(51.5, -0.1)) < 10


def test_city_match_ignores_case_and_spaces():
    assert geocode(" gb ", city=" LONDON ") == geocode("GB", city="London")


def test_shenzhen_in_chinese_and_latin_script():
    chinese = geocode("CN", "518000", city="深圳")
    latin = geocode("CN", city="Shenzhen")

    assert chinese is not None
    assert chinese == latin
    assert chinese.precision == "city"
    assert _km(chinese, Coordinates(22.54, 114.06)) < 20


def test_region_picks_among_same_named_cities():
    maine = geocode("US", city="Portland", region="ME")
    oregon = geocode("US", city="Portland", region="Oregon")

    assert _km(maine, Coordinates(43.66, -70.26)) < 20
    assert _km(oregon, Coordinates(45.52, -122.68)) < 20


def test_without_region_the_most_populous_city_wins():
    result = geocode("US", city="Portland")

    assert _km(result, Coordinates(45.52, -122.68)) < 20


def test_country_only_fallback_for_germany():
    result = geocode("DE")

    assert result is not None
    assert result.precision == "country"
    # The country point is the capital, Berlin.
    assert _km(result, Coordinates(52.52, 13.40)) < 20


def test_unknown_city_falls_back_to_country():
    result = geocode("DE", "99999", city="Nowhereville")

    assert result is not None
    assert result.precision == "country"


def test_unknown_country_returns_none():
    assert geocode("XX", "12345", city="London") is None
    assert geocode("") is None


def test_distance_los_angeles_to_new_york():
    assert great_circle_km(LOS_ANGELES, NEW_YORK) == pytest.approx(3936, rel=0.01)


def test_distance_is_symmetric_and_zero_on_same_point():
    assert great_circle_km(LOS_ANGELES, NEW_YORK) == pytest.approx(great_circle_km(NEW_YORK, LOS_ANGELES))
    assert great_circle_km(LOS_ANGELES, LOS_ANGELES) == 0.0


def test_distance_between_antipodes_is_half_circumference():
    assert great_circle_km(Coordinates(0, 0), Coordinates(0, 180)) == pytest.approx(3.14159265 * 6371.0088)
