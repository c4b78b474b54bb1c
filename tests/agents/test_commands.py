import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def test_triage_prints_the_analyzers_json():
    out = StringIO()
    call_command("triage", "Huele mucho a gas en la cocina", stdout=out)
    result = json.loads(out.getvalue())
    assert result["priority"] == "emergency"
    assert result["tenant_instructions"], "an emergency always carries instructions"
    assert result["language"] == "es"


def test_evaluate_triage_writes_the_figures_and_one_item_per_line(tmp_path):
    lines = [
        {"text": "I smell gas in the hallway", "category": "safety", "priority": "emergency", "note": "ignored"},
        {"text": "The bedroom door squeaks", "category": "general", "priority": "low"},
        {"text": "Water pouring from the ceiling, a pipe burst", "category": "plumbing", "priority": "emergency"},
    ]
    source = tmp_path / "set.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    target = tmp_path / "out.json"
    out = StringIO()
    call_command("evaluate_triage", str(source), "--json", str(target), stdout=out)
    figures = json.loads(target.read_text())
    for key in ("category_accuracy", "priority_accuracy", "emergency_recall", "emergency_precision", "latency_ms_p95"):
        assert key in figures
    assert [item["text"] for item in figures["items"]] == [line["text"] for line in lines]
    assert all({"category", "priority", "confidence", "latency_ms"} <= set(item) for item in figures["items"])
    assert figures["emergency_recall"] == 1.0
    assert "emergency recall" in out.getvalue()


def test_evaluate_triage_refuses_a_malformed_line(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"text": "no labels"}\n')
    with pytest.raises(CommandError, match=r"bad\.jsonl:1"):
        call_command("evaluate_triage", str(source))
