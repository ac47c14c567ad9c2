"""Every figure a study draws has its caption (workflow/report/<study>_<figure>.rst, the only copy), every
caption belongs to a drawn figure, and captions render without docutils warnings (which the HTML report
would show as "System Message" boxes)."""

import io

import docutils.core
import pytest

from spinsweep_testing import REPO
from spinsweep.workflow.study import studies

REPORT = REPO / "workflow" / "report"


def test_each_figure_has_exactly_one_caption_file():
    expected = {f"{study.name}_{fig}.rst" for study in studies().values() for fig in study.figures}
    present = {p.name for p in REPORT.glob("*.rst")} - {"workflow.rst"}
    assert present == expected
    for name in expected:
        assert len((REPORT / name).read_text().split()) >= 20, name  # a real caption, not a title


# report/optional/: captions of figures that only some configs draw (e.g. torque's 3D check, torque-3d.yaml)
@pytest.mark.parametrize("path", sorted(REPORT.rglob("*.rst")), ids=lambda p: p.name)
def test_caption_renders_without_warnings(path):
    warnings = io.StringIO()
    docutils.core.publish_string(path.read_text(), writer_name="html",
                                 settings_overrides={"warning_stream": warnings, "report_level": 2})
    assert warnings.getvalue() == "", warnings.getvalue()
