"""The README's commands exist and do what it says."""

import re
import shlex

from click.testing import CliRunner

from pipeline.cli import main
from tests.helpers import REPO

README = (REPO / "README.md").read_text("utf-8")
SHELL_LINES = [
    line.split("#")[0].strip()
    for block in re.findall(r"```sh\n(.*?)```", README, re.S)
    for line in block.splitlines()
    if line.strip()
]


def test_every_make_target_in_the_readme_is_documented_in_the_makefile():
    makefile = (REPO / "Makefile").read_text("utf-8")
    targets = {line.split()[1] for line in SHELL_LINES if line.startswith("make ")}
    assert {"analyse", "test", "train"} <= targets
    for target in targets:
        assert re.search(rf"^{target}:.*## ", makefile, re.M), target


def test_every_leviers_command_in_the_readme_exists_with_its_options():
    commands = [shlex.split(line)[1:] for line in SHELL_LINES if line.startswith("leviers ")]
    assert commands
    for words in commands:
        command = main.commands[words[0]]
        known = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert {w for w in words[1:] if w.startswith("-")} <= known, words


def test_ci_runs_the_readmes_test_command():
    assert "make test" in SHELL_LINES
    assert "make test" in (REPO / ".ci" / "run").read_text("utf-8")


def test_make_analyse_on_the_samples_prints_what_the_readme_shows(tmp_path):
    result = CliRunner().invoke(main, ["analyse", str(REPO / "corpora" / "samples"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    samples = sorted(p.name for p in (REPO / "corpora" / "samples").glob("*.pdf"))
    assert len(samples) >= 3
    for name in samples:
        assert re.search(rf"✓ {re.escape(name)} : \d+ pages, \d+ passages ; "
                         r"leviers traités : cget \d+/10, rameau \d+/7", result.output)
    assert f"Documents analysés : {len(samples)} sur {len(samples)}" in result.output
    for name in ("coverage.csv", "coverage_matrix.csv", "passages.csv", "errors.csv", "run.json"):
        assert (tmp_path / name).is_file()
