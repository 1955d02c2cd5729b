"""Real sizes (base, small) build and run one forward pass on their real input shapes (slow: seconds each)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from accelbench.errors import InputError  # noqa: E402
from accelbench.models import build_model, check_fits, make_inputs, parameter_count  # noqa: E402
from accelbench.models.catalog import FAMILIES  # noqa: E402


def fits_here(family: str, size: str) -> bool:
    try:
        check_fits(family, size, parameter_count(family, size))
    except InputError:
        return False
    return True


REAL_SIZES = [(f, s) for f, (_, sizes) in FAMILIES.items() for s in sizes if s != "tiny"]


@pytest.mark.slow
@pytest.mark.parametrize(("family", "size"), REAL_SIZES)
def test_real_size_builds_and_runs_batch_1(family, size):
    if not fits_here(family, size):
        pytest.skip(f"{family} {size} does not fit in this machine's free memory (refused by design)")
    built = build_model(family, size)
    assert built.num_parameters == parameter_count(family, size)
    with torch.no_grad():
        output = built.module(*make_inputs(built, 1, 32))
    assert output.shape[0] == 1 and torch.isfinite(output).all()
