"""The chart's metadata and documentation: helm lint --strict, versions, @param comments,
the schema and the README's parameter table as `make chart-docs` writes them."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from chartlib import CHART, ENVS, ROOT, VERSION, helm


@pytest.mark.parametrize("env", ENVS)
def test_helm_lint_strict_passes_for_every_values_file(env):
    r = helm("lint", "--strict", str(CHART), "-f", str(CHART / f"values-{env}.yaml"), check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 chart(s) failed" in r.stdout


def test_chart_yaml_is_v2_with_semver_and_app_version_equal_to_version_file():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2"
    assert re.fullmatch(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?", chart["version"])
    assert chart["appVersion"] == VERSION, "Chart.yaml appVersion must equal the VERSION file"


def _leaf_paths(node, prefix=""):
    if isinstance(node, dict) and node:
        for k, v in node.items():
            yield from _leaf_paths(v, f"{prefix}.{k}" if prefix else k)
    else:
        yield prefix


def test_every_value_has_a_param_comment():
    text = (CHART / "values.yaml").read_text()
    documented = set(re.findall(r"^\s*## @param (\S+)", text, re.M))
    values = yaml.safe_load(text)
    leaves = set(_leaf_paths(values))
    # Lists and maps documented as a whole (ingress.hosts, ...) count as leaves.
    missing = sorted(p for p in leaves if p not in documented
                     and not any(p.startswith(d + ".") for d in documented))
    assert not missing, f"values without a ## @param comment: {missing}"
    stale = sorted(d for d in documented if d not in leaves
                   and not any(p.startswith(d + ".") for p in leaves))
    assert not stale, f"## @param comments for keys that do not exist: {stale}"


def test_values_schema_json_is_what_chart_docs_writes(tmp_path):
    out = tmp_path / "schema.json"
    subprocess.run([sys.executable, str(ROOT / "helm/tools/gen_schema.py"), str(out)], check=True)
    assert out.read_text() == (CHART / "values.schema.json").read_text(), \
        "values.schema.json is stale: run make chart-docs"


def test_values_yaml_and_every_env_file_validate_against_the_schema():
    import jsonschema
    import json
    schema = json.loads((CHART / "values.schema.json").read_text())
    for name in ["values.yaml"] + [f"values-{e}.yaml" for e in ENVS]:
        jsonschema.validate(yaml.safe_load((CHART / name).read_text()), schema)


def test_readme_parameter_table_is_what_chart_docs_writes(tmp_path):
    out = tmp_path / "README.md"
    shutil.copy(CHART / "README.md", out)
    generator = os.environ["README_GENERATOR"]  # readme-generator-for-helm (make deps-chart-docs)
    subprocess.run([generator, "--values", str(CHART / "values.yaml"), "--readme", str(out)],
                   check=True, capture_output=True)
    assert out.read_text() == (CHART / "README.md").read_text(), \
        "helm/todo-app/README.md is stale: run make chart-docs"
    params = re.findall(r"^\s*## @param (\S+)(?: \[[a-z, ]+\])?", (CHART / "values.yaml").read_text(), re.M)
    assert all(re.search(rf"^\| `{re.escape(p)}` +\|", out.read_text(), re.M) for p in params)


def test_templates_hold_one_resource_per_file_named_after_its_kind():
    for f in (CHART / "templates").rglob("*.yaml"):
        kinds = re.findall(r"^kind: (\w+)", f.read_text(), re.M)
        assert len(kinds) <= 1, f"{f.name} defines {kinds}"
