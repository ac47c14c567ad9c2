"""The README shows exactly two set-up commands, and CI runs the test command verbatim."""

import re

from spinsweep_testing import REPO


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text()
    setup = readme.split("## Set-up: two commands", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", setup, flags=re.S)
    assert len(commands) == 2, commands
    run_cmd, test_cmd = commands
    assert "spinsweep run" in run_cmd and "pytest" in test_cmd
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert test_cmd in ci
