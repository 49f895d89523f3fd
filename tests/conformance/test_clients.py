"""The tools users already have, as real clients of ours: CI reading `validate --format sarif`
(checked against the official SARIF 2.1.0 JSON schema), bash and fish completing our commands
from `completions`, and `man` showing our pages."""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tomllib
import zipfile
from pathlib import Path

import jsonschema
import pytest

from conftest import CLEAR_LINE, ROOT, on_terminal, run, terminal_env

# The SARIF 2.1.0 schema (the OASIS standard's final draft, rtm.5) as Microsoft's SARIF matchers
# ship it on npm; the tarball's integrity is pinned.
SARIF_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
SARIF_INTEGRITY = "sha512-A1fOhPd6Ic5iDk4F9YPw1qNB4XF+7+IviR7xl8r2F6QzQkx5cpY9LsGk2rExiFIEcBbjpVnSmwWGBukASkiQ9A=="
SARIF_SCHEMA = "package/lib/schemas/sarif-2.1.0-rtm.5.json"


@pytest.fixture(scope="session")
def sarif_schema():
    folder = ROOT / ".cache/npm"
    folder.mkdir(parents=True, exist_ok=True)
    tarball = folder / "microsoft-jest-sarif-1.0.0-beta.0.tgz"
    if not tarball.exists():
        subprocess.run(["npm", "pack", "--silent", SARIF_PACKAGE], cwd=folder, check=True, capture_output=True)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    assert digest == SARIF_INTEGRITY, f"{tarball}: integrity {digest}"
    with tarfile.open(tarball) as tar:
        return json.load(tar.extractfile(SARIF_SCHEMA))


def test_validate_sarif_is_valid_sarif_2_1_0_pointing_at_the_lines(binary, sarif_schema, tmp_path):
    # Paths as a CI job passes them: relative to the repository, which SARIF readers resolve.
    bad = "tests/invalid/every-problem-at-once.yaml"
    examples = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*/spark-job.yaml"))
    result = run([binary, "validate", "--format", "sarif", bad, *examples], check=False, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    # The text format's findings, place for place and code for code.
    text = run([binary, "validate", bad], check=False, cwd=ROOT).stderr
    expected = [line.split(": ", 1)[0] + " " + line.split("[", 1)[1].split("]", 1)[0]
                for line in text.splitlines() if "error[" in line]
    found = []
    for result_ in run_["results"]:
        assert rules[result_["ruleIndex"]]["id"] == result_["ruleId"]
        if result_.get("level", "warning") != "error":
            continue  # the examples' warnings (the minio example creates its namespace: KS128)
        physical = result_["locations"][0]["physicalLocation"]
        region = physical.get("region")
        place = physical["artifactLocation"]["uri"] + (f":{region['startLine']}:{region['startColumn']}" if region else "")
        found.append(f"{place} {result_['ruleId']}")
    assert found == expected and len(found) == 5, (found, expected)  # the file holds five problems
    # A file that cannot be judged (here: far larger than any config) is a notification of the
    # run, not a result.
    huge = tmp_path / "spark-job.yaml"
    huge.write_bytes(b"#" * (2 << 20))
    log = json.loads(run([binary, "validate", "--format", "sarif", huge], check=False).stdout)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False


def bash_complete(binary, words):
    """What real bash completes for the words typed so far (the last may be partial)."""
    script = run([binary, "completions", "bash"]).stdout
    program = (
        f'{script}\n'
        f'COMP_WORDS=({" ".join(words)}); COMP_CWORD={len(words) - 1}; COMP_LINE="{" ".join(words)}"; '
        f'COMP_POINT=${{#COMP_LINE}}\n'
        # The function the script registered for our command, called as bash calls it.
        'spec=$(complete -p k8s-s3-spark) || exit 9; function=${spec#*-F }; function=${function%% *}\n'
        '"$function" k8s-s3-spark "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    return subprocess.run(["bash", "--norc", "--noprofile", "-c", program], check=True, capture_output=True,
                          text=True).stdout.split()


def test_bash_completes_commands_flags_and_values(binary):
    assert bash_complete(binary, ["k8s-s3-spark", "va"]) == ["validate"]
    assert "--format" in bash_complete(binary, ["k8s-s3-spark", "validate", "--f"])
    assert bash_complete(binary, ["k8s-s3-spark", "validate", "--format", "''"]) == ["text", "json", "sarif"]
    assert bash_complete(binary, ["k8s-s3-spark", "completions", "fi"]) == ["fish"]


def test_fish_completes_commands_with_their_descriptions(binary, tmp_path):
    fish = shutil.which("fish")
    if fish is None:
        pytest.skip("fish is not installed (tests/conformance/install-tools installs it from Debian)")
    script = tmp_path / "k8s-s3-spark.fish"
    script.write_text(run([binary, "completions", "fish"]).stdout)
    out = subprocess.run([fish, "--no-config", "-c", f"source {script}; complete -C 'k8s-s3-spark check-'"],
                         check=True, capture_output=True, text=True).stdout
    lines = dict(line.split("\t", 1) for line in out.splitlines())
    assert set(lines) == {"check-s3", "check-cluster"}, out
    assert lines["check-s3"].startswith("Check that S3 URLs are readable"), out


def test_zsh_loads_the_completion_function(binary, tmp_path):
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed (tests/conformance/install-tools installs it from Debian)")
    functions = tmp_path / "functions"
    functions.mkdir()
    (functions / "_k8s-s3-spark").write_text(run([binary, "completions", "zsh"]).stdout)
    # compinit finds the function through $fpath and binds it to the command, as a user's shell does.
    out = subprocess.run([zsh, "-f", "-c", f"fpath=({functions} $fpath); autoload -Uz compinit; compinit -u -D; "
                          "print -r -- ${_comps[k8s-s3-spark]}; autoload +X _k8s-s3-spark && print loaded"],
                         check=True, capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)}).stdout
    assert out.split() == ["_k8s-s3-spark", "loaded"], out


def test_man_shows_the_tool_and_each_command(binary, tmp_path):
    if shutil.which("man") is None:
        pytest.skip("man is not installed")
    pages = tmp_path / "man1"
    pages.mkdir()
    (pages / "k8s-s3-spark.1").write_text(run([binary, "man"]).stdout)
    (pages / "k8s-s3-spark-validate.1").write_text(run([binary, "man", "validate"]).stdout)
    env = {**os.environ, "MANPATH": str(tmp_path), "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "100"}
    def man(page):
        shown = subprocess.run(["man", page], check=True, capture_output=True, text=True, env=env).stdout
        # As read: justified spaces collapsed, typographic hyphens as typed.
        return " ".join(shown.replace("\u2010", "-").replace("\u2212", "-").split())

    tool = man("k8s-s3-spark")
    assert "k8s-s3-spark-validate(1)" in tool and "Exit codes: 0 success" in tool, tool
    validate = man("k8s-s3-spark-validate")
    assert "--format <FORMAT>" in validate and "sarif" in validate, validate


def tool_venv(name, pins):
    """A venv of its own under .cache with the pinned requirements `pins`, made again when they change."""
    venv = ROOT / ".cache" / name
    pins = ROOT / "tests/conformance" / pins
    stamp = venv / "requirements.installed"
    if not stamp.exists() or stamp.read_text() != pins.read_text():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([os.sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "--quiet", "--disable-pip-version-check", "-r", str(pins)],
                       check=True, capture_output=True)
        stamp.write_text(pins.read_text())
    return venv


def test_pip_installs_a_working_command_from_the_wheel(binary, tmp_path):
    """The wheel maturin builds from pyproject.toml (`bindings = "bin"`, as ruff and uv ship) carries
    the binary and nothing else; `pip install` of it into a fresh venv puts a working `k8s-s3-spark`
    on that venv's PATH, with Cargo.toml's version and description as the package's metadata."""
    maturin = tool_venv("wheel-venv", "requirements-wheel.txt") / "bin/maturin"
    wheels = tmp_path / "wheels"
    built = subprocess.run([str(maturin), "build", "--release", "--out", str(wheels)], cwd=ROOT,
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = wheels.glob("*.whl")
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]
    assert wheel.name.startswith(f"k8s_s3_spark-{cargo['version']}-py3-none-"), wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"k8s_s3_spark-{cargo['version']}.dist-info/METADATA").decode()
    assert [n for n in names if ".dist-info/" not in n] == [f"k8s_s3_spark-{cargo['version']}.data/scripts/k8s-s3-spark"]
    assert f"Summary: {cargo['description']}" in metadata and "License: Apache-2.0" in metadata

    venv = tmp_path / "venv"
    subprocess.run([os.sys.executable, "-m", "venv", str(venv)], check=True)
    installed = subprocess.run([str(venv / "bin/pip"), "install", "--no-index", "--disable-pip-version-check", str(wheel)],
                               capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    assert shutil.which("k8s-s3-spark", path=env["PATH"]) == str(venv / "bin/k8s-s3-spark")
    version = subprocess.run(["k8s-s3-spark", "--version"], capture_output=True, text=True, env=env)
    assert version.stdout.strip() == f"k8s-s3-spark {cargo['version']}", version
    validated = subprocess.run(["k8s-s3-spark", "validate", *sorted(map(str, ROOT.glob("examples/*/spark-job.yaml")))],
                               capture_output=True, text=True, env=env)
    assert validated.returncode == 0, validated.stderr
    uninstalled = subprocess.run([str(venv / "bin/pip"), "uninstall", "--yes", "k8s-s3-spark"], capture_output=True, text=True)
    assert uninstalled.returncode == 0 and not (venv / "bin/k8s-s3-spark").exists(), uninstalled


@pytest.fixture(scope="session")
def pre_commit():
    """Real pre-commit (pinned in requirements-pre-commit.txt), in a venv of its own."""
    return tool_venv("pre-commit-venv", "requirements-pre-commit.txt") / "bin/pre-commit"


def git(*args, cwd, env=None):
    return subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, capture_output=True, text=True, env=env)


def test_pre_commit_blocks_a_bad_config_and_stale_output_and_passes_good_ones(binary, pre_commit, tmp_path):
    # Our repository as pre-commit fetches it: the working tree (what this run tests), committed.
    hooks = tmp_path / "hooks-repo"
    files = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (hooks / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, hooks / name)
    assert git("init", "-q", cwd=hooks).returncode == 0
    git("add", "-A", cwd=hooks)
    assert git("commit", "-q", "-m", "hooks", cwd=hooks).returncode == 0
    rev = git("rev-parse", "HEAD", cwd=hooks).stdout.strip()

    project = tmp_path / "project"
    project.mkdir()
    git("init", "-q", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: k8s-s3-spark-validate\n"
        "      - id: k8s-s3-spark-generated\n        args: [kustomize, spark-job.yaml, --out, deploy, --check]\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           # pre-commit's `cargo install` resolves the dependencies afresh (no --locked) and builds
           # them in release mode: kept under ~/.cache, only our crate is built again next time.
           "CARGO_TARGET_DIR": str(Path.home() / ".cache/k8s-s3-spark/pre-commit-target")}
    assert subprocess.run([pre_commit, "install"], cwd=project, env=env, capture_output=True).returncode == 0
    example = (ROOT / "examples/amazon-reviews/spark-job.yaml").read_text()
    (project / "spark-job.yaml").write_text(example.replace("instances: 1", "instances: 0", 1))
    run([binary, "kustomize", ROOT / "examples/amazon-reviews/spark-job.yaml", "--out", project / "deploy"])
    git("add", "-A", cwd=project)
    blocked = git("commit", "-m", "bad", cwd=project, env=env)
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    output = blocked.stdout + blocked.stderr
    assert "k8s-s3-spark validate" in output and "Failed" in output, output
    assert "spark-job.yaml:" in output and "error[KS108] in `spec.executor.instances`" in output, output
    assert git("rev-parse", "--verify", "-q", "HEAD", cwd=project).returncode != 0, "nothing was committed"

    # Fixed config, but the committed tree was generated from the old one: the drift hook says so.
    (project / "spark-job.yaml").write_text(example.replace("name: simple-read", "name: nightly-read", 1))
    git("add", "-A", cwd=project)
    stale = git("commit", "-m", "stale", cwd=project, env=env)
    # git gives a hook's output to stderr.
    assert stale.returncode != 0, stale.stdout + stale.stderr
    assert "k8s-s3-spark validate" in stale.stderr and "Passed" in stale.stderr, stale.stderr
    assert "k8s-s3-spark generated trees are current" in stale.stderr and "changed: deploy/" in stale.stderr, stale.stderr

    run([binary, "kustomize", project / "spark-job.yaml", "--out", project / "deploy", "--force"])
    git("add", "-A", cwd=project)
    good = git("commit", "-m", "good", cwd=project, env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stderr.count("Passed") == 2, good.stderr


def test_validate_shows_progress_on_a_terminal_and_nothing_in_pipes_or_ci(binary, tmp_path):
    """Validating many files draws one progress line on a terminal, rewritten in place and erased
    before the results; stdout is the same as in a pipe; a pipe, CI and TERM=dumb get no progress."""
    for i in range(60):
        folder = tmp_path / f"team-{i:02}"
        folder.mkdir()
        shutil.copy(ROOT / "examples/minio/spark-job.yaml", folder / "spark-job.yaml")
    args = [binary, "validate", tmp_path]
    piped = run(args, env=terminal_env())
    assert piped.stderr == "" and piped.stdout.count("ok: ") == 60

    code, stdout, terminal = on_terminal(args, terminal_env())
    assert code == 0 and stdout == piped.stdout
    assert terminal.startswith(CLEAR_LINE + "validated ") and terminal.endswith(CLEAR_LINE), repr(terminal[-300:])
    assert f"{CLEAR_LINE}validated 60/60 " in terminal, repr(terminal[-300:])
    for env in (terminal_env(CI="true"), terminal_env(TERM="dumb")):
        code, stdout, terminal = on_terminal(args, env)
        assert (code, stdout, terminal) == (0, piped.stdout, "")
