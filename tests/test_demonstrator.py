"""The capstone demonstrator: the pipeline, its report and its command line."""

import json
import re

import numpy as np
import pytest

from helpers import demonstrator
from helpers.report import numbers_in

SMALL = dict(data="mixture", model="gaussian", generations=4, seeds=2, jobs=1)


@pytest.fixture(scope="module")
def demo():
    return demonstrator.run(policies=("replace", "accumulate", "reservoir:0.5"), **SMALL)


def test_every_policy_and_measure_has_seeds_by_generations(demo):
    assert list(demo.values) == ["replace", "accumulate", "reservoir:0.5"]
    for per_measure in demo.values.values():
        assert {k: v.shape for k, v in per_measure.items()} == {"tail": (2, 5),
                                                                 "distance": (2, 5)}


def test_policies_share_generation_zero_and_count_training_data_correctly(demo):
    p = demo.results["policies"]
    start = {name: p[name]["tail"]["start"]["median"] for name in p}
    assert len(set(start.values())) == 1  # same real data, same seeds: same generation 0
    n = demo.results["setting"]["n_train"]
    assert n == 420  # 600 mixture points, 30% held out as the reference
    assert p["replace"]["compute_points"] == 5 * n and p["replace"]["compute_ratio"] == 1.0
    assert p["accumulate"]["compute_points"] == sum(n * (t + 1) for t in range(5))
    assert p["replace"]["real_points_in_training"] == n  # generation 0 only
    assert p["reservoir:0.5"]["real_points_in_training"] == n + 4 * n // 2
    assert p["accumulate"]["real_points_in_training"] == 5 * n


def test_replacement_loses_more_than_accumulation_on_the_distance(demo):
    # 1-D... here 2-D Gaussian fitted by the MLE: replacement drifts, accumulation stays close.
    p = demo.results["policies"]
    assert p["replace"]["distance"]["end"]["median"] > p["accumulate"]["distance"]["end"]["median"]


def test_report_has_no_unfilled_slot_and_only_numbers_from_results(demo):
    text = demonstrator.report_markdown(demo)
    assert "{{" not in text and "{%" not in text
    written = set(numbers_in(text))
    stored = {f"{v:.3f}" for v in _leaves(json.loads(json.dumps(demo.results)))}
    assert {t for t in written if re.fullmatch(r"\d+\.\d{3}", t)} <= stored
    assert f"{demo.results['setting']['n_real']} points" in text
    assert text.count("*✍ Your words") == 5


def _leaves(value):
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [float(value)] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


def test_report_fills_learner_text(demo):
    text = demonstrator.report_markdown(demo, {"shows": "Replacement drifts; accumulation holds."})
    assert "Replacement drifts; accumulation holds." in text and text.count("*✍ Your words") == 4


@pytest.mark.parametrize("text, message", [
    ("reservoir", "real fraction"), ("reservoir:1.5", "real fraction"), ("mix:0.1", "use one of"),
    ("replace:3", "takes no"), ("fresh", "use one of"),
])
def test_bad_policies_are_named(text, message):
    with pytest.raises(ValueError, match=message):
        demonstrator.parse_policy(text)


@pytest.mark.parametrize("kwargs, name", [
    ({"data": "images"}, "data"), ({"model": "kde", "data": "zipf"}, "model"),
    ({"generations": 0}, "generations"), ({"generations": 10**6}, "generations"),
    ({"seeds": 51}, "seeds"), ({"policies": "replace"}, "policies"),
    ({"policies": ["replace", "replace"]}, "policies"), ({"data": "csv"}, "csv_path"),
])
def test_run_rejects_bad_arguments_up_front(kwargs, name):
    args = dict(SMALL) | kwargs
    with pytest.raises((TypeError, ValueError), match=name):
        demonstrator.run(**args)


def test_command_writes_a_report_whose_numbers_match_results_json(tmp_path, capsys):
    out = tmp_path / "report"
    code = demonstrator.main(["--data", "zipf", "--generations", "3", "--seeds", "2",
                              "--jobs", "1", "--out", str(out)])
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    text = (out / "report.md").read_text()
    row = re.search(r"^\| `replace` \| (\S+) ", text, re.M).group(1)
    assert row == f"{results['policies']['replace']['tail']['start']['median']:.3f}"
    assert (out / "figure.png").stat().st_size > 10_000
    svg = (out / "figure.svg").read_text()
    for name in ("replace", "accumulate", "reservoir:0.1"):
        assert name in svg  # every policy is in the chart's legend
    assert "[demonstrator]" in capsys.readouterr().err  # progress is shown


@pytest.mark.parametrize("argv, option", [
    (["--data", "images"], "--data"), (["--model", "bigram"], "--model"),
    (["--generations", "0"], "--generations"), (["--seeds", "many"], "--seeds"),
    (["--policies", "replace,fresh"], "--policies"), (["--data", "csv:/nonexistent.csv"], "--data"),
])
def test_bad_options_get_one_line_naming_the_option_and_exit_2(argv, option, capsys, tmp_path):
    assert demonstrator.main(argv + ["--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and option in err[0]
    assert not (tmp_path / "r").exists()


def test_a_bad_csv_file_is_explained(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,a\n2,\n")
    assert demonstrator.main(["--data", f"csv:{bad}", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "missing value" in err and "holds text" in err and "only 2 data" in err


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as info:
        demonstrator.main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--data", "--model", "--policies", "--generations", "--seeds", "--jobs",
                   "--out", "--overwrite"):
        assert option in text


def test_the_csv_path_runs_end_to_end(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "mine.csv"
    path.write_text("a,b\n" + "\n".join(f"{x:.4f},{y:.4f}" for x, y in rng.normal(size=(80, 2))))
    demo = demonstrator.run(data="csv", model="gaussian", csv_path=str(path), generations=2,
                            seeds=1, jobs=1, policies=["replace"])
    assert demo.results["setting"]["n_real"] == 80


@pytest.mark.parametrize("kind", ["symlink", "dangling", "empty", "proc", "long", "dir-as-file",
                                  "a-file", "other-files"])
def test_a_bad_out_is_refused_before_the_run(tmp_path, capsys, kind):
    target = tmp_path / "real"
    target.mkdir()
    out = {"symlink": tmp_path / "link", "dangling": tmp_path / "dangling", "empty": "",
           "proc": "/proc/self/report", "long": tmp_path / ("r" * 300),
           "dir-as-file": tmp_path / "holds", "a-file": tmp_path / "file",
           "other-files": tmp_path / "notes"}[kind]
    if kind == "symlink":
        out.symlink_to(target)
    elif kind == "dangling":
        out.symlink_to(tmp_path / "nowhere")
    elif kind == "dir-as-file":
        (out / "report.md").mkdir(parents=True)
    elif kind == "a-file":
        out.write_text("x")
    elif kind == "other-files":
        out.mkdir()
        (out / "mine.txt").write_text("x")
    code = demonstrator.main(["--data", "zipf", "--generations", "2", "--seeds", "1",
                              "--jobs", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "[demonstrator]" not in err  # refused before any work
    assert len(err.strip().splitlines()) == 1 and "--out" in err


@pytest.mark.parametrize("argv", [["--policies", ","], ["--policies", " , ,"],
                                  ["--generations", "٣"], ["--seeds", "1" * 5000],
                                  ["--jobs", "-1"], ["--policies", "reservoir:nan"],
                                  ["--policies", "reservoir:1e400"],
                                  ["--policies", "replace,replace"], ["--data", "csv:"]])
def test_hostile_options_are_one_line_errors(argv, capsys, tmp_path):
    assert demonstrator.main(argv + ["--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and argv[0] in err[0]


# --- the measures and counts, pinned to values worked out by hand ----------------------------


def test_tail_measure_is_one_on_the_real_data_zero_at_the_centre_ten_far_out():
    real = demonstrator.real_data("mixture")            # 600 points, no ties
    tail, _ = demonstrator.measures_for("mixture", real)
    # the real data's own 90% radius: exactly 60 of 600 points lie beyond it, 60/600/0.1 = 1
    assert tail.fn(real) == pytest.approx(1.0)
    centre = np.repeat(real.mean(axis=0, keepdims=True), 50, axis=0)
    assert tail.fn(centre) == 0.0                        # a collapsed model: no tail at all
    assert tail.fn(real * 1e6) == pytest.approx(10.0)   # every point beyond: 1 / 0.1


def test_distance_measure_is_the_squared_shift_for_a_shifted_copy():
    # Fréchet distance between two Gaussians with equal covariance is |mean shift|^2
    real = demonstrator.real_data("mixture")
    _, distance = demonstrator.measures_for("mixture", real)
    assert distance.fn(real) == pytest.approx(0.0, abs=1e-9)
    assert distance.fn(real + np.array([1.0, 2.0])) == pytest.approx(5.0, rel=1e-9)


def test_token_tail_is_the_share_of_rare_types_kept():
    real = demonstrator.real_data("zipf")
    tail, distance = demonstrator.measures_for("zipf", real)
    assert tail.fn(real) == 1.0                          # the real data keep every type
    common = np.full(100, np.bincount(real.ravel()).argmax())
    assert tail.fn(common) == 0.0                        # only the commonest type: no rare one
    assert distance.fn(real) < distance.fn(common)


def test_counts_of_real_points_and_compute_follow_each_policy(demo):
    # mixture data: 600 points, of which 30% (180) are held out as the reference, so every
    # training set has n = 420 points; generations 0..4. Worked out from the definitions:
    # replace fits 420 points 5 times, 420 of them real once; accumulate fits 420 (t + 1)
    # points at generation t, all 420 real points every time; reservoir:0.5 fits 420 points,
    # 210 of them real after generation 0.
    p, G, n = demo.results["policies"], 4, 420
    assert (p["replace"]["compute_points"], p["replace"]["real_points_in_training"]) == (
        n * (G + 1), n)
    assert (p["accumulate"]["compute_points"],
            p["accumulate"]["real_points_in_training"]) == (n * 15, n * (G + 1))
    assert (p["reservoir:0.5"]["compute_points"],
            p["reservoir:0.5"]["real_points_in_training"]) == (n * (G + 1), n + 210 * G)
    assert p["accumulate"]["train_size_end"] == n * (G + 1)
    assert p["accumulate"]["compute_ratio"] == pytest.approx(3.0)
    assert p["reservoir:0.5"]["policy"] == "reservoir"


# ---------------------------------------------------------------- held-out reference, null, sides


def test_generation_0_is_fitted_on_the_training_split_and_measured_on_the_held_out_reference():
    real = demonstrator.real_data("mixture")
    train, reference = demonstrator.split_real(real)
    assert len(train) + len(reference) == len(real) and len(reference) == round(0.3 * len(real))
    rows = {tuple(r) for r in train}
    assert not any(tuple(r) in rows for r in reference)  # disjoint
    tail, _ = demonstrator.measures_for("mixture", reference)
    assert tail.fn(reference) == pytest.approx(1.0, abs=0.02)  # the cut is the reference's
    assert tail.fn(train) != pytest.approx(1.0, abs=1e-9)


def test_fewer_than_ten_seeds_show_the_minimum_and_maximum(demo):
    start = demo.values["replace"]["tail"][:, -1]
    end = demo.results["policies"]["replace"]["tail"]["end"]
    assert (end["low"], end["high"]) == (start.min(), start.max())
    assert demo.results["spread"]["min_max"] is True
    text = demonstrator.report_markdown(demo)
    assert "10%–90%" not in text and "lowest" in text


def _mixture(n, rng):
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 3.5]])
    labels = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    return centres[labels] + rng.normal(0.0, [1.0, 0.6], size=(n, 2))


def _false_alarms(model, datasets, healthy, real_sampler):
    """Per measure and side, the share of healthy generations (a refit on fresh mixture data, no
    synthetic data) that fall outside the demonstrator's band, built as ``run`` builds it."""
    from helpers import detection

    hits = dict.fromkeys([(m, s) for m in ("tail", "distance") for s in ("lower", "higher")], 0)
    for k in range(datasets):
        rng = np.random.default_rng(1000 + k)
        train, reference = demonstrator.split_real(_mixture(600, rng))
        measures = demonstrator.measures_for("mixture", reference)
        null = detection.retrain_values(model, train, {m.name: m.fn for m in measures},
                                        n_draws=demonstrator.N_NULL, seed=k,
                                        real_sampler=real_sampler)
        for _ in range(healthy):
            sample = model.fit(_mixture(len(train), rng)).sample(len(train), rng)
            for m in measures:
                value = np.array([m.fn(sample), m.fn(sample)])  # generations 0 and 1
                for side in ("lower", "higher"):
                    hits[m.name, side] += detection.first_detection(
                        value, null[m.name], alpha=demonstrator.ALPHA_SIDE,
                        direction=side) is not None
    return {key: count / (datasets * healthy) for key, count in hits.items()}


def _assert_calibrated(rates):
    """Both sides within a factor 2 of the nominal 2%; the collapse side at most twice 1%."""
    nominal = demonstrator.ALPHA_SIDE
    for name in ("tail", "distance"):
        both = rates[name, "lower"] + rates[name, "higher"]
        assert nominal <= both <= 4 * nominal, (name, rates)
    assert rates["tail", "lower"] <= 2 * nominal and rates["distance", "higher"] <= 2 * nominal


def test_healthy_retrains_on_fresh_real_data_alarm_at_about_the_nominal_rate():
    """1,080 healthy generations (36 real data sets, 30 refits each) through the band the
    demonstrator builds for the mixture: refits on fresh points from the mixture's source. The
    old band (evaluation noise of one fit) alarmed at 11% (tail) and 21% (distance)."""
    from helpers import models

    _assert_calibrated(_false_alarms(models.Gaussian(ddof=0), 36, 30, demonstrator._mixture))


def test_the_bootstrap_band_of_data_without_a_source_is_calibrated_for_a_kde():
    """The digits and a CSV file have no source, so their band is the bias-corrected bootstrap.
    A KDE depends on distinct rows as the digits' models do; 300 healthy generations (20 data
    sets, 15 refits each). Without the correction the distance alarmed on the lower side at about
    4% against 1% (measured with 1,080 generations while building it)."""
    from helpers import models

    _assert_calibrated(_false_alarms(models.KDE("scott"), 20, 15, None))


@pytest.mark.parametrize("data, model", [("mixture", "kde"), ("zipf", "categorical"),
                                         ("text", "bigram")])
def test_data_with_a_source_get_a_fresh_null_that_generation_0_sits_inside(data, model):
    """Generation 0 is a fit on one real sample from the source, so it is one more healthy
    retrain. The resample-of-a-resample null used before put zipf's and text's generation 0 above
    every null value on the tail and below every one on the distance."""
    assert data in demonstrator.FRESH_DATA
    demo = demonstrator.run(data=data, model=model, policies=("replace",), generations=1,
                            seeds=3, jobs=1)
    assert demo.results["detection"]["fresh_real"] is True
    for name, null in demo.null.items():
        start = np.median(demo.values["replace"][name][:, 0])
        assert null.min() < start < null.max(), (name, start, null.min(), null.max())
        assert demo.results["detection"]["start_rank"][name] == np.mean(null < start)
    assert "a fresh real sample of" in demonstrator.report_markdown(demo)


def test_fresh_text_windows_are_never_reference_windows():
    real = demonstrator.real_data("text")
    train, reference = demonstrator.split_real(real)
    draw = demonstrator._fresh_sampler("text", reference)
    fresh = draw(len(train), np.random.default_rng(0))
    assert fresh.shape == train.shape
    held = {r.tobytes() for r in reference}
    assert not any(r.tobytes() in held for r in fresh)
    # drawn from the whole text, not only from the 1,500 windows of the real data
    assert sum(r.tobytes() not in {x.tobytes() for x in real} for r in fresh) > len(fresh) / 2


def test_data_without_a_source_say_their_band_is_a_corrected_bootstrap():
    assert "digits" not in demonstrator.FRESH_DATA and "csv" not in demonstrator.FRESH_DATA
    demo = demonstrator.run(data="digits", model="kde", policies=("replace",), generations=1,
                            seeds=1, jobs=1)
    assert demo.results["detection"]["fresh_real"] is False
    text = demonstrator.report_markdown(demo)
    assert "a resample (with replacement) of the 1258 real" in text
    assert "shifted" in text and "bootstrap" in text


def test_a_tail_that_inflates_raises_an_alarm_and_the_report_says_so():
    demo = demonstrator.run(data="mixture", model="kde", policies=("replace",), generations=20,
                            seeds=3, jobs=1)
    tail = demo.results["policies"]["replace"]["tail"]
    assert tail["change"] > 0 and tail["end"]["median"] > tail["start"]["median"] * 1.5
    assert tail["other_side"]["chains"] >= 2  # inflation alarms
    assert tail["collapse_side"]["chains"] == 0
    text = demonstrator.report_markdown(demo)
    line = next(x for x in text.splitlines() if x.startswith("- `replace`, tail"))
    assert "rose" in line and "fell" not in line and "tails inflated" in line


@pytest.mark.parametrize("columns, name", [
    ("a,b,c\n", "column 'c' of values is constant"),
    ("a,b,c\n", "column 'b' of values is a linear combination of column 'a'"),
])
def test_a_csv_with_a_constant_or_collinear_column_is_refused_naming_it(tmp_path, columns, name):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 1))
    if "constant" in name:
        rows = np.hstack([x, rng.normal(size=(60, 1)), np.full((60, 1), 2.5)])
    else:
        rows = np.hstack([x, 3 * x - 1, rng.normal(size=(60, 1))])
    path = tmp_path / "mine.csv"
    path.write_text(columns + "\n".join(",".join(f"{v:.6f}" for v in r) for r in rows))
    with pytest.raises(ValueError, match=name):
        demonstrator.run(data="csv", model="gaussian", csv_path=str(path), generations=2,
                         seeds=1, jobs=1, policies=["replace"])


def test_a_csv_too_small_for_a_held_out_reference_is_refused_up_front(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(",".join(f"{v:.4f}" for v in row)
                              for row in rng.normal(size=(30, 12))))
    with pytest.raises(ValueError, match="reference of 9, fewer than the 12 .* at least 39 rows"):
        demonstrator.run(data="csv", model="gaussian", csv_path=str(path), generations=2,
                         seeds=1, jobs=1, policies=["replace"])
    path.write_text("\n".join(",".join(f"{v:.4f}" for v in row)
                              for row in rng.normal(size=(39, 12))))
    demo = demonstrator.run(data="csv", model="gaussian", csv_path=str(path), generations=2,
                            seeds=1, jobs=1, policies=["replace"])
    assert demo.results["setting"]["n_reference"] == 12


def test_separation_at_the_end_compares_every_chain_of_the_two_policies(demo):
    for key, per in demo.results["detection"]["separation"].items():
        lower = demo.results["measures"][key]["direction"] == "lower"
        base = demo.values["replace"][key][:, -1]
        for name, sep in per.items():
            other = demo.values[name][key][:, -1]
            apart = base.max() < other.min() if lower else base.min() > other.max()
            assert sep["ends_apart"] == apart
            assert sep["baseline_end"] == [base.min(), base.max()]


# --- bad arguments to the public functions: a TypeError/ValueError naming the argument, before
# any work (the defects the API fuzz found, tests/test_fuzz_api.py)

def test_chart_and_report_refuse_what_is_not_a_run():
    for bad in (None, {"results": {}}, "demo", np.zeros(3)):
        with pytest.raises(TypeError, match=r"demo must be the result of demonstrator.run"):
            demonstrator.chart(bad)
        with pytest.raises(TypeError, match=r"demo must be the result of demonstrator.run"):
            demonstrator.report_markdown(bad)


def test_draw_measure_is_private_and_behind_checked_doors():
    """It only draws for chart and lesson 06's view, which check demo and measure first."""
    assert "draw_measure" not in demonstrator.__all__
    assert not hasattr(demonstrator, "draw_measure")
    from helpers.views import m06
    with pytest.raises(TypeError, match="demo"):
        m06.demo_view(None)


def test_refusals_come_before_any_work(monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the data were loaded before the arguments were checked")

    monkeypatch.setattr(demonstrator, "real_data", no_work)
    for kwargs, error, message in [
        ({"progress": 3}, TypeError, "progress must be a function"),
        ({"progress": np.zeros(3)}, TypeError, "progress must be a function"),
        ({"policies": [["replace"]]}, TypeError, "policies must be a non-empty list"),
        ({"policies": ["replace", 3]}, TypeError, "policies must be a non-empty list"),
        ({"policies": ["fresh"]}, ValueError, "policies: "),
    ]:
        with pytest.raises(error, match=message):
            demonstrator.run(**(SMALL | kwargs))


@pytest.mark.parametrize(("csv_path", "error", "message"), [
    (5, TypeError, r"csv_path: path must be a file path"),
    ("", ValueError, r"csv_path: path: no file at ''"),
    ("a" * 300, ValueError, r"csv_path: path: cannot use 'a"),
])
def test_real_data_names_csv_path(csv_path, error, message):
    with pytest.raises(error, match=message):
        demonstrator.real_data("csv", csv_path)


@pytest.mark.parametrize(("data", "real", "kwargs", "error", "message"), [
    ("mixture", "points.csv", {}, TypeError, "real must be an array"),
    ("mixture", np.zeros((2, 2, 2)), {}, ValueError, "real must be 1-D or 2-D"),
    ("mixture", np.zeros((3, 2)) + [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], {}, ValueError,
     r"real must have at least 4 rows for 2 column\(s\), got 3"),
    ("mixture", np.column_stack([np.arange(30.0), np.ones(30)]), {}, ValueError,
     r"real: column 2 of values is constant"),
    ("mixture", np.column_stack([np.arange(30.0), 2 * np.arange(30.0)]), {}, ValueError,
     r"real: column 2 of values is a linear combination of column 1"),
    ("mixture", np.array([1e308, -1e308, 1e308]), {}, ValueError, "real has values beyond"),
    ("mixture", np.random.default_rng(0).normal(size=(30, 2)), {"vocabulary": 5}, ValueError,
     "vocabulary is for token data"),
    ("zipf", np.array([0.5, 1.0, 2.0]), {}, TypeError, "real must hold word ids"),
    ("zipf", np.array([-1, 0, 2]), {}, ValueError, "real must hold word ids >= 0"),
    ("zipf", np.array([0, 1, 10**12]), {}, ValueError, "real is too large"),
    ("zipf", np.array([0, 1, 7]), {"vocabulary": 3}, ValueError, "vocabulary must be >= 8"),
])
def test_measures_for_refuses_a_reference_it_cannot_measure(data, real, kwargs, error, message):
    with pytest.raises(error, match=message):
        demonstrator.measures_for(data, real, **kwargs)


def test_measures_for_names_the_principal_components_for_wide_data():
    rng = np.random.default_rng(0)
    rank_five = rng.normal(size=(60, 5)) @ rng.normal(size=(5, 64))  # 64 columns, rank 5
    with pytest.raises(ValueError, match=r"real \(of its first 10 principal components\): "
                                         r"column \d+ of values is (constant|a linear)"):
        demonstrator.measures_for("digits", rank_five)
    tail, distance = demonstrator.measures_for("digits", demonstrator.real_data("digits")[:200])
    assert tail.direction == "lower" and distance.direction == "higher"


def test_spread_refuses_values_whose_quantiles_overflow():
    with pytest.raises(ValueError, match=r"x has values beyond 1e\+100"):
        demonstrator.spread(np.array([1e308, -1e308, 1e308]))  # returned NaN before
    assert demonstrator.spread(np.array([3.0, -1e99, 2.0])) == {"median": 2.0, "low": -1e99,
                                                                "high": 3.0}
