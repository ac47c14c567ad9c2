"""Every figure a study draws has its caption (workflow/report/<study>_<name>.rst, the only copy), and every
caption belongs to a drawn figure."""

from spinsweep.analysis.magnons import FIGURES as MAGNON_FIGURES
from spinsweep.analysis.noble import FIGURES as NOBLE_FIGURES
from conftest import REPO


def test_each_figure_has_exactly_one_caption_file():
    report = REPO / "workflow" / "report"
    expected = {f"magnon_{n}.rst" for n in MAGNON_FIGURES} | {f"noble_{n}.rst" for n in NOBLE_FIGURES}
    present = {p.name for p in report.glob("*.rst")} - {"workflow.rst"}
    assert present == expected
    for name in expected:
        assert len((report / name).read_text().split()) >= 20, name  # a real caption, not a title
