"""Retraining closes the loop: staff corrections -> train_triage -> promote_triage, which refuses a worse model."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from agents.local_model.evaluation import reliability
from agents.local_model.model import CURRENT_FILE, MIN_CONFIDENCE, TriageModel, calibrated, current_artefact
from agents.local_model.promotion import PROMOTIONS_FILE
from agents.local_model.training import DATA_DIR, EVALUATION_SETS, TrainingConfig, _Calibrator, train


@pytest.fixture
def artefacts(tmp_path, monkeypatch) -> Path:
    """An artefacts folder of our own holding a copy of the shipped model as current."""
    base = tmp_path / "artefacts"
    base.mkdir()
    shipped = current_artefact()
    shutil.copytree(shipped, base / shipped.name)
    (base / CURRENT_FILE).write_text(shipped.name + "\n")
    monkeypatch.setenv("DOMI_TRIAGE_ARTEFACTS", str(base))
    return base


@pytest.fixture
def heldout_sample(tmp_path) -> Path:
    """Four held-out messages per language: enough to compare two models, quick to run."""
    per_language: dict[str, int] = {}
    lines = []
    for line in EVALUATION_SETS["heldout"].read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if per_language.get(item["lang"], 0) < 4:
            per_language[item["lang"]] = per_language.get(item["lang"], 0) + 1
            lines.append(line)
    path = tmp_path / "heldout.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _poor_candidate(
    tmp_path: Path, settings, calibration: list[Path] | None = None, config: TrainingConfig | None = None
) -> Path:
    """A model trained on 120 English messages only: it cannot read the other fourteen languages."""
    lines = (DATA_DIR / "train" / "en.jsonl").read_text(encoding="utf-8").splitlines()[:120]
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return train(
        out_dir=tmp_path / "candidates",
        files=[small],
        calibration=calibration or [],
        config=config or TrainingConfig(folds=2),
        cache_dir=Path(settings.DOMI_CACHE_DIR),
        evaluation_sets={},
        log=lambda line: None,
    )


def test_the_calibrator_learns_from_the_calibration_set_kept_apart_from_training(tmp_path, settings):
    trained_on = (DATA_DIR / "train" / "en.jsonl").read_text(encoding="utf-8").splitlines()[0]
    others = (DATA_DIR / "train" / "en.boundary.jsonl").read_text(encoding="utf-8").splitlines()[:120]
    apart = tmp_path / "calibration.jsonl"
    apart.write_text("\n".join([trained_on, *others]) + "\n", encoding="utf-8")
    every_one = TrainingConfig(folds=2, calibration_emergency_recall=1.0)
    card = json.loads((_poor_candidate(tmp_path, settings, [apart], every_one) / "model_card.json").read_text())
    calibration = card["calibration"]
    assert calibration["source"] == "calibration set"
    # The calibration set caps the thresholds set out of fold: asked to, the detector finds all its emergencies.
    assert calibration["emergency_recall"] == 1.0
    assert card["thresholds"]["emergency"] <= card["thresholds"]["emergency_out_of_fold"]
    assert card["thresholds"]["cosmetic"] >= card["thresholds"]["cosmetic_out_of_fold"]
    assert calibration["messages"] == 121
    assert 0.0 <= calibration["calibration_error_cross_validated"] <= 1.0
    # The training message the calibration set shares is dropped from training, not learnt and then judged.
    assert card["training_data"]["dropped"]["near_evaluation"] >= 1
    assert card["training_data"]["messages"] <= 119

    without = json.loads((_poor_candidate(tmp_path, settings) / "model_card.json").read_text())
    assert without["calibration"] == {"source": "out of fold", "messages": without["training_data"]["messages"]}
    # The out-of-fold answers are kept by version: a small retrain does not overwrite the real run's.
    assert (Path(settings.DOMI_CACHE_DIR) / f"{without['version']}-out-of-fold.npz").is_file()


def test_a_worse_candidate_is_refused_and_the_current_model_stays(artefacts, heldout_sample, tmp_path, settings):
    candidate = _poor_candidate(tmp_path, settings)
    card = json.loads((candidate / "model_card.json").read_text())
    assert card["training_data"]["messages"] <= 120
    before = (artefacts / CURRENT_FILE).read_text()
    with pytest.raises(CommandError, match=r"Not switching.*(emergency_recall|category)"):
        call_command("promote_triage", str(candidate), "--heldout", str(heldout_sample), stdout=StringIO())
    assert (artefacts / CURRENT_FILE).read_text() == before


def test_an_override_switches_to_a_worse_candidate_and_records_why(artefacts, heldout_sample, tmp_path, settings):
    candidate = _poor_candidate(tmp_path, settings)
    before = (artefacts / CURRENT_FILE).read_text().strip()
    out = StringIO()
    call_command(
        "promote_triage", str(candidate), "--heldout", str(heldout_sample), "--override", "testing", stdout=out
    )
    assert (artefacts / CURRENT_FILE).read_text().strip() == candidate.name
    assert "Overridden: it would lower" in out.getvalue()
    [entry] = [json.loads(line) for line in (artefacts / PROMOTIONS_FILE).read_text().splitlines()]
    assert (entry["from"], entry["to"], entry["override"]) == (before, candidate.name, "testing")
    assert entry["verdict"].startswith("it would lower")
    assert set(entry["figures"]) == {"candidate", "current"}


def test_a_candidate_no_worse_becomes_current(artefacts, heldout_sample, tmp_path):
    shipped = current_artefact(artefacts)
    candidate = tmp_path / "triage-retrained"
    shutil.copytree(shipped, candidate)
    out = StringIO()
    call_command("promote_triage", str(candidate), "--heldout", str(heldout_sample), stdout=out)
    assert (artefacts / CURRENT_FILE).read_text().strip() == "triage-retrained"
    assert (artefacts / "triage-retrained" / "model_card.json").is_file(), "copied in beside the others"
    assert "now the current triage model" in out.getvalue()
    [entry] = [json.loads(line) for line in (artefacts / PROMOTIONS_FILE).read_text().splitlines()]
    assert (entry["to"], entry["override"]) == ("triage-retrained", None)
    assert (
        TriageModel.load(current_artefact(artefacts)).version
        == json.loads((shipped / "model_card.json").read_text())["version"]
    )


def test_dry_run_compares_without_switching(artefacts, heldout_sample, tmp_path):
    candidate = tmp_path / "triage-copy"
    shutil.copytree(current_artefact(artefacts), candidate)
    before = (artefacts / CURRENT_FILE).read_text()
    out = StringIO()
    call_command("promote_triage", str(candidate), "--heldout", str(heldout_sample), "--dry-run", stdout=out)
    assert (artefacts / CURRENT_FILE).read_text() == before
    assert "would be accepted" in out.getvalue()


def test_promote_refuses_a_folder_that_is_not_an_artefact(artefacts, tmp_path):
    with pytest.raises(CommandError, match="not a triage artefact"):
        call_command("promote_triage", str(tmp_path), stdout=StringIO())


def test_an_artefact_is_never_rewritten(tmp_path, settings):
    first = _poor_candidate(tmp_path, settings)
    card = (first / "model_card.json").read_text()
    with pytest.raises(ValueError, match="never rewritten"):
        _poor_candidate(tmp_path, settings)  # the same inputs on the same day: the same name
    assert (first / "model_card.json").read_text() == card


def test_train_triage_refuses_a_missing_extra_file(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("train_triage", "--extra", str(tmp_path / "nope.jsonl"), stdout=StringIO())


def _bent_outcomes(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes whose rate is not a logistic curve of the one feature: about 0.3 right up to the middle,
    then nearly always right (what a straight logit cannot follow)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=4000)
    right = rng.uniform(size=x.size) < np.where(x < 0, 0.3, 0.97)
    return x[:, None], right


def test_the_isotonic_calibrator_follows_a_curve_a_logistic_one_cannot_and_never_claims_certainty():
    features, right = _bent_outcomes(0)
    test_features, test_right = _bent_outcomes(1)
    bent = _Calibrator(TrainingConfig()).fit(features, right)
    straight = _Calibrator(TrainingConfig(isotonic_calibration=False)).fit(features, right)
    assert reliability(bent.confidence(test_features), test_right)["ece"] < 0.03
    assert reliability(straight.confidence(test_features), test_right)["ece"] > 0.05
    grid = np.linspace(-10, 10, 201)[:, None]
    confidence = bent.confidence(grid)
    assert np.all(np.diff(confidence) >= 0)
    assert confidence.min() >= MIN_CONFIDENCE and confidence.max() <= 1 - MIN_CONFIDENCE


def test_an_artefact_whose_calibrator_is_logistic_only_still_reads():
    arrays = {"coef": np.array([2.0]), "intercept": -1.0}
    assert calibrated(arrays, np.array([[0.5]]))[0] == pytest.approx(0.5)
