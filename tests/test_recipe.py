"""Recipe schema v1: valid recipes load from JSON and YAML; bad ones name the step and the problem."""

from __future__ import annotations

import pytest

from tools.recipe import Recipe, RecipeError, load_recipe, parse_recipe

EXAMPLE = {
    "version": 1,
    "steps": [
        {"op": "separate", "target": "wind", "action": "remove"},
        {"op": "separate", "target": "speech", "action": "gain", "db": 3.0, "range": [[5, 8]]},
        {"op": "separate", "target": "siren", "action": "isolate", "spans": [[65, 68]]},
        {
            "op": "separate",
            "target": "drummer",
            "action": "isolate",
            "mask": {"video": "clip.mp4", "box": [0.1, 0.2, 0.4, 0.9]},
        },
        {"op": "gain", "db": -6},
        {"op": "fade", "direction": "out", "seconds": 3},
        {"op": "trim", "start": 10, "end": 40},
        {"op": "normalize", "lufs": -14},
        {"op": "export", "format": "mp3"},
        {"op": "undo"},
        {"op": "reset"},
    ],
}


def test_architecture_example_is_valid_and_roundtrips():
    r = parse_recipe(EXAMPLE)
    assert [s.op for s in r.steps] == [s["op"] for s in EXAMPLE["steps"]]
    again = Recipe.model_validate_json(r.to_json())
    assert again == r


def test_normalize_defaults_to_minus_14():
    assert parse_recipe([{"op": "normalize"}]).steps[0].lufs == -14.0


@pytest.mark.parametrize(
    "steps, message",
    [
        ([{"op": "explode"}], "step 1 (explode): unknown op 'explode'"),
        ([{"op": "gain", "db": 3}, {"op": "gain", "db": 500}], "step 2 (gain) field 'db'"),
        ([{"op": "gain", "db": "loud"}], "step 1 (gain) field 'db': Input should be a valid number"),
        ([{"op": "trim", "start": 8, "end": 2}], "step 1 (trim): trim end 2 is not after start 8"),
        ([{"op": "separate", "target": "x", "action": "gain"}], "step 1 (separate): action 'gain' needs db"),
        ([{"op": "separate", "target": "x", "action": "gain", "db": -90}], "outside ±60"),
        ([{"op": "separate", "target": "x", "range": [[5, 2]]}], "range 5-2 is reversed"),
        ([{"op": "separate", "action": "remove"}], "separate needs a target"),
        ([{"op": "export", "format": "aiff"}], "step 1 (export) field 'format'"),
        ([{"op": "fade", "direction": "in", "seconds": 1, "colour": "red"}], "step 1 (fade) field 'colour'"),
        ([{"db": 3}], "step 1: missing 'op'"),
    ],
)
def test_bad_steps_name_the_step(steps, message):
    with pytest.raises(RecipeError) as err:
        parse_recipe({"version": 1, "steps": steps})
    assert message in str(err.value)


def test_times_past_the_end_are_refused_against_duration():
    r = parse_recipe([{"op": "gain", "db": 1}, {"op": "trim", "start": 10, "end": 40}])
    r.check_against(60.0)
    with pytest.raises(
        RecipeError, match=r"step 2 \(trim\): trim 10-40 s is past the end of the audio \(30.00 s\)"
    ):
        r.check_against(30.0)


def test_load_from_yaml_and_json(tmp_path):
    y = tmp_path / "r.yaml"
    y.write_text("version: 1\nsteps:\n  - op: gain\n    db: -3\n  - op: export\n    format: flac\n")
    assert [s.op for s in load_recipe(y).steps] == ["gain", "export"]
    j = tmp_path / "r.json"
    j.write_text('{"version": 1, "steps": [{"op": "fade", "direction": "in", "seconds": 2}]}')
    assert load_recipe(j).steps[0].seconds == 2
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(RecipeError, match="broken.json: not valid JSON"):
        load_recipe(broken)
    with pytest.raises(RecipeError, match="no such recipe file"):
        load_recipe(tmp_path / "none.yaml")
