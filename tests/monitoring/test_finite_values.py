"""The stored values' fast path gives what the walk gives: ``_finite_values`` against
``_finite`` on any list of numbers, NaN, infinities, None and text."""

from hypothesis import given
from hypothesis import strategies as st

from patto.monitoring.assessments import _finite, _finite_values

VALUES = st.lists(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(min_value=1e307),
        st.integers(),
        st.none(),
        st.text(max_size=3),
    ),
    max_size=30,
)


@given(VALUES)
def test_finite_values_equal_the_walk(values):
    fast, walk = _finite_values(values), _finite(values)
    # repr tells NaN from NaN-as-text and 1 from 1.0, which == would not.
    assert repr(fast) == repr(walk)
    assert fast is not values


def test_non_finite_values_are_kept_as_text():
    assert _finite_values([1.0, float("nan"), float("-inf")]) == [
        1.0,
        {"float": "nan"},
        {"float": "-inf"},
    ]
    assert _finite_values([1e308, 1e308]) == [1e308, 1e308]
