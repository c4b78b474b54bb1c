"""The Kubernetes manifests as `kubectl kustomize` renders the production overlay, and compose's services."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[tuple[str, str], dict]:
    kubectl = shutil.which("kubectl")
    if not kubectl:
        if os.environ.get("DOMI_REQUIRE_KUBECTL"):
            pytest.fail("kubectl is required (DOMI_REQUIRE_KUBECTL) but missing")
        pytest.skip("kubectl is not installed")
    tree = tmp_path_factory.mktemp("k8s") / "k8s"
    shutil.copytree(K8S, tree, ignore=shutil.ignore_patterns("secrets.env"))
    overlay = tree / "overlays" / "production"
    shutil.copy(overlay / "secrets.env.example", overlay / "secrets.env")
    result = subprocess.run(
        [kubectl, "kustomize", str(overlay)], capture_output=True, text=True, timeout=120, check=True
    )
    objects = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    # Generated ConfigMaps and Secrets carry a hash of their content after their name.
    return {(doc["kind"], re.sub(r"-[a-z0-9]{10}$", "", doc["metadata"]["name"])): doc for doc in objects}


def _pod(rendered, kind: str, name: str) -> dict:
    return rendered[(kind, name)]["spec"]["template"]["spec"]


def test_the_overlay_renders_every_object_in_its_namespace(rendered):
    kinds = sorted(kind for kind, _ in rendered)
    assert kinds == sorted(
        ["ConfigMap", "Secret", "Namespace", "Service", "Job"]
        + ["Deployment"] * 3
        + ["PodDisruptionBudget"] * 2
        + ["HorizontalPodAutoscaler"] * 2
    )
    for (kind, name), obj in rendered.items():
        if kind != "Namespace":
            assert obj["metadata"]["namespace"] == "domi", (kind, name)


@pytest.mark.parametrize("name", ["domi-web", "domi-worker", "domi-beat", "domi-migrate"])
def test_every_pod_runs_the_released_image_as_a_non_root_user_without_privileges(rendered, name):
    kind = "Job" if name == "domi-migrate" else "Deployment"
    pod = _pod(rendered, kind, name)
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    (container,) = pod["containers"]
    assert container["image"] == "registry.example.com/domi:1.0.0"
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["resources"]["requests"] and container["resources"]["limits"]
    refs = {next(iter(ref)): next(iter(ref.values()))["name"] for ref in container["envFrom"]}
    config = rendered[("ConfigMap", "domi-config")]["metadata"]["name"]
    secret = rendered[("Secret", "domi-secrets")]["metadata"]["name"]
    # The generators' hashed names are what the pods reference, so a changed value rolls the pods.
    assert refs == {"configMapRef": config, "secretRef": secret}


def test_web_is_probed_on_liveness_and_readiness_and_scales_with_a_disruption_budget(rendered):
    (web,) = _pod(rendered, "Deployment", "domi-web")["containers"]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["command"][:3] == ["gunicorn", "--config", "deploy/gunicorn.conf.py"]
    assert rendered[("Deployment", "domi-web")]["spec"]["replicas"] == 3
    hpa = rendered[("HorizontalPodAutoscaler", "domi-web")]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "domi-web" and (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 10)
    assert rendered[("PodDisruptionBudget", "domi-web")]["spec"]["minAvailable"] == 1
    assert rendered[("Service", "domi-web")]["spec"]["selector"] == {"app.kubernetes.io/name": "domi-web"}


def test_workers_are_probed_and_scaled_and_beat_is_exactly_one(rendered):
    (worker,) = _pod(rendered, "Deployment", "domi-worker")["containers"]
    assert worker["command"][:4] == ["celery", "-A", "domi", "worker"]
    assert "inspect ping" in " ".join(worker["livenessProbe"]["exec"]["command"])
    assert rendered[("HorizontalPodAutoscaler", "domi-worker")]["spec"]["scaleTargetRef"]["name"] == "domi-worker"
    beat = rendered[("Deployment", "domi-beat")]["spec"]
    assert beat["replicas"] == 1 and beat["strategy"]["type"] == "Recreate"
    assert ("HorizontalPodAutoscaler", "domi-beat") not in rendered
    assert ("PodDisruptionBudget", "domi-beat") not in rendered


def test_the_configuration_keeps_the_visibility_timeout_above_the_task_limits(rendered):
    data = rendered[("ConfigMap", "domi-config")]["data"]
    assert data["DJANGO_ENV"] == "production" and data["ALLOWED_HOSTS"] == "domi.example.com"
    assert int(data["CELERY_VISIBILITY_TIMEOUT"]) > int(data["CELERY_TASK_TIME_LIMIT"])
    assert int(data["CELERY_TASK_SOFT_TIME_LIMIT"]) < int(data["CELERY_TASK_TIME_LIMIT"])
    secret = rendered[("Secret", "domi-secrets")]
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(secret["data"])
    job = rendered[("Job", "domi-migrate")]["spec"]
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    assert job["template"]["spec"]["containers"][0]["command"] == ["python3", "manage.py", "migrate", "--noinput"]


def test_compose_runs_two_webs_two_workers_one_beat_and_migrates_first():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "migrate", "postgres", "redis", "s3", "mail"} <= set(services)
    replicas = {name: services[name].get("deploy", {}).get("replicas", 1) for name in ("web", "worker", "beat")}
    assert replicas == {"web": 2, "worker": 2, "beat": 1}
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["env_file"] == [".env.production"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert services["web"]["healthcheck"]["test"][-1] == "/readyz"
