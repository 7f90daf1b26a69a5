import pytest
from hypothesis import given, strategies as st

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import STANDARD_RATES, FrameRate


@given(st.sampled_from(STANDARD_RATES), st.integers(min_value=-10**7, max_value=10**7))
def test_timecode_round_trips(rate, frame):
    assert rate.from_timecode(rate.to_timecode(frame)) == frame


@given(st.sampled_from(STANDARD_RATES), st.integers(min_value=0, max_value=10**7))
def test_seconds_round_trip(rate, frame):
    assert rate.seconds_to_frame(rate.frame_to_seconds(frame)) == frame


def test_drop_frame_skips_two_numbers_each_minute_but_not_each_tenth():
    r = FrameRate.parse("29.97")
    assert r.drop_frame
    assert r.to_timecode(1799) == "00:00:59;29"
    assert r.to_timecode(1800) == "00:01:00;02"  # ;00 and ;01 do not exist
    assert r.to_timecode(17982) == "00:10:00;00"  # every tenth minute keeps them
    assert r.to_timecode(107892) == "01:00:00;00"  # one hour of 29.97 is 107892 frames
    with pytest.raises(ValidationError):
        r.from_timecode("00:01:00;00")


def test_ntsc_film_counts_24_per_timecode_second():
    r = FrameRate.parse("23.976")
    assert (r.num, r.den) == (24000, 1001) and not r.drop_frame
    assert r.to_timecode(24) == "00:00:01:00"
    assert r.frame_to_seconds(24) == pytest.approx(1.001)


@pytest.mark.parametrize("text", ["23.976", "24", "25", "29.97", "30", "50", "60", "30000/1001"])
def test_parse_standard_rates(text):
    assert FrameRate.parse(text) in STANDARD_RATES


@pytest.mark.parametrize("text", ["0", "-24", "12", "abc", "24/0", "59.94"])
def test_parse_refuses_other_rates(text):
    with pytest.raises(ValidationError):
        FrameRate.parse(text)


def test_json_round_trip():
    r = FrameRate.parse("23.976")
    assert FrameRate.from_json(r.to_json()) == r
    with pytest.raises(ValidationError):
        FrameRate.from_json("24")
