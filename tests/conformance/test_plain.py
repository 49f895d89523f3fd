"""Plain manifests judged by real tools: kubernetes-validate (strict, Kubernetes 1.33) and checkov.

For every example, in the base and every environment, with and without a Secret with values.
"""

import pytest
import yaml

from conftest import EXAMPLES, assert_valid_and_policy_clean, documents, environments, pod_spec, run, submitter, tool


def render_all(binary, out_dir, extra_args=()):
    """Renders every example x environment into out_dir; returns the files written."""
    files = []
    for example in EXAMPLES:
        config = example / "spark-job.yaml"
        for env in [None, *environments(config)]:
            args = [binary, "render", config, *extra_args] + (["--env", env] if env else [])
            target = out_dir / f"{example.name}-{env or 'base'}.yaml"
            target.write_text(run(args).stdout)
            files.append(target)
    return files


@pytest.fixture(scope="module")
def rendered(binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("plain")
    return render_all(binary, out)


def test_every_example_renders_in_every_environment(rendered):
    # 5 examples, each with a base and two environments.
    assert len(rendered) == 15


def test_kubernetes_validate_and_checkov_accept_everything(rendered):
    assert_valid_and_policy_clean(rendered, rendered[0].parent)


def test_rules_kubernetes_validate_misses(rendered):
    """roleRef.apiGroup (the seed's bug), restartPolicy, images, secretKeyRef names."""
    for file in rendered:
        objects = documents(file.read_text())
        kinds = [o["kind"] for o in objects]
        assert kinds == sorted(kinds, key=["Namespace", "ServiceAccount", "Role", "RoleBinding", "Secret", "ExternalSecret",
                                           "ConfigMap", "Job", "CronJob"].index)
        binding = next(o for o in objects if o["kind"] == "RoleBinding")
        assert binding["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io", file
        pod = pod_spec(submitter(objects))
        assert pod["restartPolicy"] == "Never"
        container = pod["containers"][0]
        assert container["image"]
        env = {e["name"]: e for e in container["env"]}
        for arg in container["args"]:
            if "secretKeyRef" in arg:
                assert arg.split("=", 1)[1].startswith("$(K8S_S3_SPARK_SECRET):"), arg
                assert "K8S_S3_SPARK_SECRET" in env


def test_a_scheduled_example_renders_its_one_off_job_too(binary, tmp_path):
    """`render --once` of a config with a schedule is the Job each run of its CronJob is: the
    CronJob's jobTemplate, with the CronJob's name and metadata; it passes the same validators."""
    [example] = [e for e in EXAMPLES if "schedule" in yaml.safe_load((e / "spark-job.yaml").read_text())["spec"]]
    scheduled = documents(run([binary, "render", example / "spark-job.yaml"]).stdout)
    once = documents(run([binary, "render", example / "spark-job.yaml", "--once"]).stdout)
    cron_job, job = submitter(scheduled), submitter(once)
    assert (cron_job["kind"], job["kind"]) == ("CronJob", "Job")
    assert job["spec"] == cron_job["spec"]["jobTemplate"]["spec"]
    assert job["metadata"] == cron_job["metadata"]
    assert [o for o in once if o is not job] == [o for o in scheduled if o is not cron_job]
    target = tmp_path / "once.yaml"
    target.write_text(run([binary, "render", example / "spark-job.yaml", "--once"]).stdout)
    assert_valid_and_policy_clean([target], tmp_path)


def test_secret_with_values_is_valid_too(binary, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text("[ci]\naws_access_key_id = AKIAEXAMPLE123456789\naws_secret_access_key = c2VjcmV0/+value\n")
    out = tmp_path / "out"
    out.mkdir()
    example = EXAMPLES[0] / "spark-job.yaml"
    target = out / "with-secret.yaml"
    target.write_text(run([binary, "render", example, "--aws-profile", "ci", "--aws-credentials", credentials]).stdout)
    assert "kind: Secret" in target.read_text()
    assert_valid_and_policy_clean([target], out)


def test_shellcheck_accepts_the_jobs_wrapper_script(rendered, tmp_path):
    """The Job's command is `sh -c SCRIPT` around spark-submit (crates/core/src/k8s/run-driver.sh): the real
    shellcheck, as POSIX sh, finds nothing in the script as every example's Job carries it."""
    scripts = set()
    for file in rendered:
        command = pod_spec(submitter(documents(file.read_text())))["containers"][0]["command"]
        assert command[:2] == ["/bin/sh", "-c"] and command[-1] == "/opt/spark/bin/spark-submit", command
        scripts.add(command[2])
    [script] = scripts
    path = tmp_path / "run-driver.sh"
    path.write_text(script)
    result = run([tool("shellcheck"), "--shell=sh", path], check=False)
    assert result.returncode == 0, result.stdout + result.stderr
