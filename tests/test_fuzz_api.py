"""Fuzz of every public callable: one argument bad at a time, only a clear ValueError/TypeError.

The fuzzed set is derived from the ``__all__`` of every module under ``helpers`` (functions,
classes, and the public methods of those classes; :func:`badinput.public_callables`), so a new
public function is fuzzed -- or fails :func:`test_every_public_callable_has_a_fuzz_spec` -- with
no edit of a list here. Each callable has a *spec*: valid arguments for one small call. The
fuzz then replaces one argument at a time (every parameter of the signature) by each value of
the hostile families in :func:`badinput.hostile_values`: huge and tiny numbers (10**400,
1e-320), NaN and inf, booleans, sizes that cannot fit in memory, wrong kinds, broken objects
whose ``__len__`` / ``__float__`` / ``__index__`` / ``__array__`` raise or lie, deep nesting,
degenerate data (empty, constant, collinear) and file-system paths (FIFOs, symlinks, dangling
links, directories, unwritable places, /proc, '', 300-character names).

The outcome of every call must be a result without NaN, or a ``ValueError`` / ``TypeError`` of
a public class whose message names the argument -- never OverflowError, RecursionError,
ZeroDivisionError, MemoryError, OSError, sqlite3 errors, a private exception, a closed standard
stream, or a call longer than the per-call time limit.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from badinput import hostile_paths, hostile_values, judge, modules_without_all, public_callables

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers import (  # noqa: E402
    arguments,
    chains,
    course,
    data,
    decoding,
    demonstrator,
    detection,
    diagrams,
    explorers,
    lm,
    loop,
    metrics,
    mitigations,
    models,
    monitoring,
    output,
    plots,
    policies,
    rendering,
    report,
    savehook,
    theory,
    validate,
    verification,
)
from helpers.checks import core as checks_core  # noqa: E402
from helpers.checks import m06 as checks_m06  # noqa: E402
from helpers.checks import shared as checks_shared  # noqa: E402
from helpers.governance import economics, ledger, policy, schemas, simulate  # noqa: E402
from helpers.governance import report as gov_report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "governance"


@dataclass
class Spec:
    """Valid arguments of one small call. ``make``: build the callable afresh for every call
    (methods of objects a call may change); ``names``: the words an error about an argument may
    use for it (default: the argument's own name); ``fixed``: arguments left out of the fuzz,
    with the reason."""

    target: Callable[..., Any]
    kwargs: dict[str, Any]
    make: bool = False
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)
    valid: dict[str, tuple[str, ...]] = field(default_factory=dict)  # hostile labels that are
    # valid for that argument and mean minutes of work (e.g. None = the full default run)
    heavy: bool = False  # a valid call draws or writes figures: one value of each family
    # a check helper's arguments that carry the LEARNER's value (what their function returned):
    # any value must give a result or a Hint that names the call (the check's one ✗ line),
    # never ValueError/TypeError (that would be the check author's mistake) or anything else
    learner: tuple[str, ...] = ()
    # hostile labels that are valid values of a check author's argument and make the learner's
    # value in the other arguments wrong: a result or a Hint (not "check-error") is right there
    hinted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    def function(self) -> Callable[..., Any]:
        return self.target() if self.make else self.target

    def arguments(self) -> list[str]:
        """Every parameter of the signature (defaults included) plus the spec's own."""
        found = list(self.kwargs)
        try:
            signature = inspect.signature(self.function() if not self.make else self.target())
        except (TypeError, ValueError):
            signature = None
        if signature is not None:
            for p in signature.parameters.values():
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in found:
                    found.append(p.name)
        return [a for a in found if a not in self.fixed]


def S(target: Callable[..., Any], **kwargs: Any) -> Spec:
    return Spec(target, kwargs)


REAL1 = np.linspace(-2.0, 2.0, 40)
REAL2 = np.random.default_rng(0).normal(size=(30, 2))
COUNTS = np.array([5.0, 3.0, 0.0, 2.0])
FITTED = models.Gaussian(ddof=0).fit(REAL1)
LM_CORPUS = lm.load_char_corpus(n_train=20, n_heldout=5)
LM_WINDOWS = LM_CORPUS.train
LM_FITTED = lm.CharMLP(steps=2, hidden=4).fit(LM_WINDOWS)
MEASURES = {"var": np.var}
SMALL_DEMO = dict(data="mixture", model="gaussian", generations=2, seeds=2, jobs=1)

POLICY_TEXT = """schema_version = 1
name = "fuzz"

[rules.min_real_fraction]
limit = 0.5

[[monitors]]
id = "variance-drop"
measure = "variance"
direction = "lower"
threshold = 0.8
eval_size = 1000
false_alarm_rate = 0.01
"""


def _doc(rid: str, **fields: Any) -> dict[str, Any]:
    row = dict(id=rid, content_hash=ledger.sha256(rid), source_kind="human", depth=0,
               collected="2026-01-10", provenance="declared")
    row.update(fields)
    return row


def _recorded() -> checks_core.RecordingGenerator:
    rng = checks_core.RecordingGenerator(0)
    rng.normal(1.0, 2.0, size=3)
    return rng


def _ledger() -> ledger.Ledger:
    led = ledger.Ledger()
    led.add_many([_doc("r1"), _doc("r2"),
                  _doc("s1", source_kind="model_output", depth=1, generator="g",
                       parents=["r1"])])
    return led


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def lm_runs() -> lm.LoopRuns:
    """The smallest loop of lesson 07: one seed, one generation, a 5-step model."""
    return lm.loop_runs(lm.load_char_corpus(n_train=20, n_heldout=5), generations=1,
                        seeds=(0,), steps=5, hidden=4)


@pytest.fixture(scope="module")
def demo():
    return demonstrator.run(policies=("replace", "reservoir:0.5"), **SMALL_DEMO)


def _specs(folder: Path, demo: Any, lm_runs: lm.LoopRuns) -> dict[str, Spec]:
    """name -> Spec for every fuzzed callable (names as in :func:`badinput.public_callables`)."""
    csv = folder / "points.csv"
    csv.write_text("x,y\n" + "\n".join(f"{i},{(i * 7) % 11}" for i in range(30)))
    jsonl = folder / "ledger.jsonl"
    _ledger().export_jsonl(jsonl)
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps({"name": "m", "records": ["r1", "r2", "s1"]}))
    policy_file = folder / "policy.toml"
    policy_file.write_text(POLICY_TEXT)
    parsed_policy = policy.parse_policy(POLICY_TEXT)
    parsed_manifest = policy.parse_manifest({"name": "m", "records": ["r1", "s1"]}, _ledger())
    g_chains = chains.gaussian(5, 3, 10)
    fig = plt.figure(figsize=(1, 1))
    rows = [gov_report.RiskRow("r", "low", "high", "c", "o", "m", "t")]
    record = ledger.Record(**_doc("x1"))
    gate = policies.typicality_gate(0.0, 1.0, 2.0)
    G = "helpers.governance."
    specs: dict[str, Spec] = {
        # chains
        "helpers.chains.gaussian": S(chains.gaussian, n=5, generations=3, chains=4, ddof=0,
                                     policy="replace", real_fraction=0.4, seed=0),
        "helpers.chains.gaussian_policy": S(chains.gaussian_policy, n=6, generations=3,
                                            chains=4, policy="reservoir", real_fraction=0.5,
                                            train_size=6, ddof=1),
        "helpers.chains.categorical": S(chains.categorical, p=[0.5, 0.5], m=5, generations=3,
                                        chains=4, policy="accumulate"),
        "helpers.chains.linear_regression": S(chains.linear_regression, d=2, T=6, noise_var=1.0,
                                              generations=3, chains=4, policy="replace"),
        "helpers.chains.GaussianChains.quantiles": S(g_chains.quantiles, q=0.5, of="var"),
        # data
        "helpers.data.zipf_probs": S(data.zipf_probs, k=5, exponent=1.2),
        "helpers.data.zipf_tokens": S(data.zipf_tokens, n=20, vocab_size=10, exponent=1.5),
        "helpers.data.zipf_corpus": S(data.zipf_corpus, vocab_size=10, n_sentences=5, length=4),
        "helpers.data.gaussian_sample": S(data.gaussian_sample, n=5, mu=0.0, sigma=1.0, dim=2),
        "helpers.data.load_text_corpus": S(data.load_text_corpus, length=5, vocab_size=50),
        "helpers.data.row_sampler": S(data.row_sampler, pool=REAL2),
        "helpers.data.TextCorpus.decode": S(data.load_text_corpus(length=5, vocab_size=50).decode,
                                            row=[0, 1, 2]),
        "helpers.data.load_csv": S(data.load_csv, path=csv),
        "helpers.data.real_data_columns": S(data.real_data_columns, values=REAL2,
                                            names=["a", "b"]),
        # loop
        "helpers.loop.run_loop": S(loop.run_loop, model=models.Gaussian(ddof=0), real=REAL1,
                                   generations=2, policy="reservoir", seeds=[0], n_samples=40,
                                   train_size=20, real_fraction=0.5),
        "helpers.loop.iterate_loop": Spec(lambda **kw: list(loop.iterate_loop(**kw)), dict(
            model=models.Gaussian(ddof=0), real=REAL1, generations=2,
            policy="accumulate_subsample", seed=0, n_samples=30, train_size=20)),
        # policies
        "helpers.policies.make_plan": S(policies.make_plan, policy="reservoir", n_real_data=20,
                                        real_fraction=0.5, train_size=10),
        "helpers.policies.real_split": S(policies.real_split, real_fraction=0.3, size=10),
        "helpers.policies.verified": S(policies.verified, samples=REAL1, gate=gate),
        "helpers.policies.gate_mask": S(policies.gate_mask, gate=gate, samples=REAL1),
        "helpers.policies.check_arguments": S(policies.check_arguments, policy="reservoir",
                                              given={"real_fraction": 0.5}),
        "helpers.policies.typicality_gate": Spec(
            lambda **kw: policies.typicality_gate(**kw)(REAL1), dict(mean=0.0, sd=1.0, k=2.0)),
        "helpers.policies.provenance_keep": S(policies.provenance_keep,
                                              is_real=REAL1 > 0, tpr=0.9, fpr=0.1, seed=0),
        "helpers.policies.provenance_counts": S(policies.provenance_counts, corpus=100,
                                                share=0.5, tpr=0.9, fpr=0.1),
        # models
        "helpers.models.Gaussian": S(lambda **kw: models.Gaussian(**kw).fit(REAL2).sample(3, 0),
                                     ddof=1, scale=0.5),
        "helpers.models.Gaussian.fit": Spec(lambda: models.Gaussian(ddof=0).fit, dict(X=REAL2),
                                            make=True),
        "helpers.models.Gaussian.sample": S(FITTED.sample, n=5, rng=0),
        "helpers.models.Categorical": S(
            lambda **kw: models.Categorical(**kw).fit([0, 1, 1]).sample(3, 0),
            n_categories=3, smoothing=0.1, temperature=0.5),
        "helpers.models.Categorical.fit": Spec(lambda: models.Categorical(4).fit,
                                               dict(X=[0, 1, 3]), make=True),
        "helpers.models.Categorical.sample": S(models.Categorical(4).fit([0, 1, 3]).sample,
                                               n=5, rng=0),
        "helpers.models.BigramLM": S(
            lambda **kw: models.BigramLM(**kw).fit([[0, 1, 2]]).sample(2, 0),
            vocab_size=3, temperature=1.0),
        "helpers.models.BigramLM.fit": Spec(lambda: models.BigramLM(4).fit,
                                            dict(X=[[0, 1, 3], [1, 2, 3]]), make=True),
        "helpers.models.BigramLM.sample": S(models.BigramLM(4).fit([[0, 1, 3]]).sample,
                                            n=2, rng=0),
        "helpers.models.GaussianMixtureModel": S(
            lambda **kw: models.GaussianMixtureModel(**kw).fit(REAL2),
            n_components=2, covariance_type="diag", seed=0, max_iter=20, reg_covar=1e-6),
        "helpers.models.GaussianMixtureModel.fit": Spec(
            lambda: models.GaussianMixtureModel(2, max_iter=20).fit, dict(X=REAL2), make=True),
        "helpers.models.GaussianMixtureModel.sample": S(
            models.GaussianMixtureModel(2, max_iter=20).fit(REAL2).sample, n=4, rng=0),
        "helpers.models.KDE": S(lambda **kw: models.KDE(**kw).fit(REAL1).sample(3, 0),
                                bandwidth=0.5),
        "helpers.models.KDE.fit": Spec(lambda: models.KDE(0.5).fit, dict(X=REAL1), make=True),
        "helpers.models.KDE.sample": S(models.KDE(0.5).fit(REAL1).sample, n=4, rng=0),
        "helpers.models.DigitsGenerator": S(models.DigitsGenerator, n_pca=5, density="gmm",
                                            n_components=3, bandwidth=3.5, seed=0),
        "helpers.models.DigitsGenerator.fit": Spec(
            lambda: models.DigitsGenerator(n_pca=2, n_components=2).fit,
            dict(X=np.random.default_rng(1).uniform(0, 16, (40, 64))), make=True),
        "helpers.models.DigitsGenerator.sample": S(
            models.DigitsGenerator(n_pca=2, n_components=2)
            .fit(np.random.default_rng(1).uniform(0, 16, (40, 64))).sample, n=3, rng=0),
        "helpers.models.check_model": S(models.check_model, model=models.Gaussian(ddof=0),
                                        X=REAL1, n=5, seed=0),
        # theory
        **{f"helpers.theory.{name}": S(getattr(theory, name), t=5, n=10, ddof=0, sigma0=1.0)
           for name in ("gaussian_var", "gaussian_log_var", "gaussian_mean_sq",
                        "gaussian_w2sq_to_truth", "gaussian_accumulate_var")},
        "helpers.theory.categories_lost": S(theory.categories_lost, p=[0.5, 0.3, 0.2], m=10),
        "helpers.theory.expected_support": S(theory.expected_support, p=[0.5, 0.5], m=10, t=3),
        "helpers.theory.wright_fisher_fixation_time": S(theory.wright_fisher_fixation_time,
                                                        m=10, p=0.5),
        "helpers.theory.linreg_error": S(theory.linreg_error, k=3, d=2, T=10, noise_var=1.0,
                                         policy="replace"),
        "helpers.theory.linreg_accumulate_bound": S(theory.linreg_accumulate_bound, d=2, T=10,
                                                    noise_var=1.0),
        "helpers.theory.kde_var": S(theory.kde_var, t=3, n=10, bandwidth=0.5, var0=1.0),
        "helpers.theory.sampling_bias_trace": S(theory.sampling_bias_trace, t=3, n=10, lam=0.9,
                                                trace1=2.0),
        "helpers.theory.filtered_share": S(theory.filtered_share, share=0.5, tpr=0.9, fpr=0.1),
        "helpers.theory.truncation_factor": S(theory.truncation_factor, k=2.0),
        "helpers.theory.truncation_acceptance": S(theory.truncation_acceptance, k=2.0),
        "helpers.theory.typicality_var": S(theory.typicality_var, t=3, n=10, k=2.0),
        # metrics
        "helpers.metrics.diversity.variance": S(metrics.variance, x=REAL1, ddof=0),
        "helpers.metrics.diversity.cov_trace": S(metrics.cov_trace, X=REAL2, ddof=1),
        "helpers.metrics.diversity.entropy": S(metrics.entropy, counts_or_probs=COUNTS,
                                               base=2.0),
        "helpers.metrics.diversity.support_size": S(metrics.support_size, counts=COUNTS),
        "helpers.metrics.diversity.distinct_n": S(metrics.distinct_n,
                                                  tokens=[[0, 1, 2], [1, 2, 2]], n=2),
        "helpers.metrics.diversity.median_bandwidth": Spec(
            lambda x, y: metrics.median_bandwidth(x, y), dict(x=REAL2, y=REAL2 + 1),
            names={"x": ("samples", "x"), "y": ("samples", "y")}),
        "helpers.metrics.diversity.vendi_score": S(metrics.vendi_score, X=REAL2, kernel="rbf",
                                                   bandwidth=1.0),
        "helpers.metrics.distance.wasserstein1": S(metrics.wasserstein1, x=REAL1, y=REAL1 + 1),
        "helpers.metrics.distance.gaussian_w2sq": S(
            metrics.gaussian_w2sq, mu1=np.zeros(2), cov1=np.eye(2), mu2=np.ones(2),
            cov2=2 * np.eye(2)),
        "helpers.metrics.distance.frechet_distance": S(metrics.frechet_distance, X=REAL2,
                                                       Y=REAL2 + 1, ddof=1),
        "helpers.metrics.distance.kl_categorical": S(metrics.kl_categorical, p_counts=COUNTS,
                                                     q_counts=COUNTS + 1, smoothing=0.0),
        "helpers.metrics.distance.mmd2_rbf": S(metrics.mmd2_rbf, X=REAL2, Y=REAL2 + 1,
                                               bandwidth=1.0),
        "helpers.metrics.distance.precision_recall": S(metrics.precision_recall, real=REAL2,
                                                       fake=REAL2 + 0.1, k=3),
        "helpers.metrics.distance.density_coverage": S(metrics.density_coverage, real=REAL2,
                                                       fake=REAL2[:10], k=3),
        "helpers.metrics.tails.tail_mass_ratio": S(metrics.tail_mass_ratio, samples=REAL1,
                                                   real=REAL1, q=0.05),
        "helpers.metrics.tails.gaussian_tail_mass_ratio": S(
            metrics.gaussian_tail_mass_ratio, mean=0.1, var=0.8, q=0.01, mu0=0.0, sigma0=1.0),
        "helpers.metrics.tails.rare_category_recall": S(
            metrics.rare_category_recall, counts=COUNTS, p_true=[0.4, 0.3, 0.2, 0.1],
            rare=0.25),
        "helpers.metrics.tails.support_retained": S(metrics.support_retained, counts=COUNTS,
                                                    original_counts=COUNTS + 1),
        "helpers.metrics.tails.worst_class_accuracy": S(metrics.worst_class_accuracy,
                                                        y_true=[0, 1, 1, 2],
                                                        y_pred=[0, 1, 0, 2]),
        # detection
        "helpers.detection.evaluate": S(detection.evaluate, models=[FITTED, FITTED],
                                        measures=MEASURES, eval_size=20, seed=0),
        "helpers.detection.null_values": S(detection.null_values, model=FITTED,
                                           measures=MEASURES, eval_size=20, n_draws=5, seed=0),
        "helpers.detection.bootstrap_values": S(detection.bootstrap_values, sample=REAL1,
                                                statistic=np.mean, n_boot=20, seed=0),
        "helpers.detection.mc_pvalue": S(detection.mc_pvalue, value=0.5, null=REAL1,
                                         direction="lower"),
        "helpers.detection.band": S(detection.band, null=REAL1, alpha=0.05, direction="both"),
        "helpers.detection.first_detection": S(detection.first_detection, values=REAL1[:5],
                                               null=REAL1, alpha=0.05, direction="lower",
                                               start=1),
        "helpers.detection.familywise_rate": S(detection.familywise_rate, alpha=0.05, tests=10),
        "helpers.detection.per_test_alpha": S(detection.per_test_alpha, familywise=0.05,
                                              tests=10),
        "helpers.detection.share_sample_size": S(detection.share_sample_size, share=0.02,
                                                 rel_error=0.2, confidence=0.95),
        "helpers.detection.fitted_models": S(detection.fitted_models,
                                             model=models.Gaussian(ddof=0), real=REAL1,
                                             generations=2, seed=0),
        # mitigations and verification
        "helpers.mitigations.gaussian_filtered": S(mitigations.gaussian_filtered, n=10,
                                                   generations=3, chains=4, k=2.0),
        "helpers.mitigations.provenance_chains": S(mitigations.provenance_chains, corpus=20,
                                                   generations=3, chains=4, share=0.5, tpr=0.9,
                                                   fpr=0.1),
        "helpers.mitigations.cost_of": S(mitigations.cost_of, control="accumulate", n=10,
                                         generations=3),
        "helpers.mitigations.run_control": S(mitigations.run_control,
                                             control="real-data reservoir", n=10, generations=3,
                                             n_chains=4),
        "helpers.verification.centroid": S(verification.centroid, X=REAL2,
                                           y=np.where(REAL2[:, 0] > 0, 1.0, -1.0)),
        "helpers.verification.classification_error": S(
            verification.classification_error, w=np.ones((3, 2)), w_star=np.ones((3, 2))),
        "helpers.verification.agrees_with_verifier": S(
            verification.agrees_with_verifier, X=REAL2[None], y=np.ones((1, 30)),
            is_real=np.zeros((1, 30), bool), verifier=np.ones((1, 2))),
        "helpers.verification.classification_loop": S(verification.classification_loop,
                                                      generations=2, chains=3, d=2, n=10,
                                                      verifier_size=10),
        "helpers.verification.classification_loops": S(
            verification.classification_loops, generations=2, chains=3, gates={"none": None},
            d=2, n=10, verifier_size=10),
        # monitoring
        "helpers.monitoring.pipeline": S(monitoring.pipeline, name="Gaussian"),
        "helpers.monitoring.measure_spec": S(monitoring.measure_spec, name="Gaussian",
                                             measure="variance"),
        "helpers.monitoring.chain": S(monitoring.chain, name="Gaussian", seed=0, generations=2),
        "helpers.monitoring.null": S(monitoring.null, name="Gaussian", measure="variance",
                                     eval_size=1000),
        "helpers.monitoring.trajectory": S(monitoring.trajectory, name="Gaussian",
                                           measure="variance", eval_size=100, generations=2),
        "helpers.monitoring.detection_generation": S(
            monitoring.detection_generation, name="Gaussian", measure="variance",
            eval_size=100, generations=2),
        "helpers.monitoring.detection_table": S(monitoring.detection_table, generations=2,
                                                runs={"Gaussian": 1, "tokens": 1, "digits": 1}),
        "helpers.monitoring.policy_metric": S(monitoring.policy_metric, result=g_chains,
                                              metric="tail mass ratio"),
        # diagrams, plots, rendering, explorers
        "helpers.diagrams.composition": S(diagrams.composition, policy="reservoir", t=3, n=100,
                                          real_fraction=0.2),
        "helpers.diagrams.policy_diagram": S(diagrams.policy_diagram, generations=3,
                                             real_fraction=0.2),
        "helpers.plots.new_figure": S(plots.new_figure, nrows=1, ncols=2, figsize=(2, 1)),
        "helpers.plots.series_style": S(plots.series_style, index=1),
        "helpers.plots.collapse_curve": S(plots.collapse_curve,
                                          values=np.abs(REAL2.T) + 0.1),
        "helpers.plots.snapshots": S(plots.snapshots, samples_by_generation={0: REAL1, 2: REAL1},
                                     bins=5),
        "helpers.plots.rank_frequency": S(plots.rank_frequency,
                                          counts_by_generation={0: COUNTS, 1: COUNTS}),
        "helpers.plots.image_grid": S(plots.image_grid, images=np.zeros((2, 64)), nrows=1),
        "helpers.rendering.figure_png": S(rendering.figure_png, fig=fig),
        "helpers.rendering.png_bytes": S(rendering.png_bytes, rgba=np.zeros((2, 2, 4), np.uint8)),
        "helpers.explorers.slider": S(explorers.slider, description="n", value=20, low=5,
                                      high=500, step=5),
        "helpers.explorers.render": S(explorers.render, view=lambda n=1: (fig, n),
                                      params={"n": 2}),
        "helpers.explorers.explorer": S(explorers.explorer, view=lambda n=1: (fig, n),
                                        title="t", n=explorers.slider("n", 2, 1, 5)),
        "helpers.explorers.demo_explorer": S(explorers.demo_explorer, demo=demo),
        # report and demonstrator
        "helpers.report.render": S(report.render, template="x {{ a }}", results={"a": 1}),
        "helpers.report.numbers_in": S(report.numbers_in, text="1.5 and 2"),
        "helpers.report.unmeasured": S(report.unmeasured, text="1.5", results={"a": 1.5}),
        "helpers.report.write_report": S(report.write_report, folder=folder / "report",
                                         markdown="# r", results={"a": 1}, figure=fig,
                                         overwrite=True),
        "helpers.demonstrator.real_data": S(demonstrator.real_data, data="csv",
                                            csv_path=str(csv)),
        "helpers.demonstrator.measures_for": S(demonstrator.measures_for, data="mixture",
                                               real=REAL2),
        "helpers.demonstrator.run": S(demonstrator.run, policies=("replace",), **SMALL_DEMO),
        "helpers.demonstrator.chart": S(demonstrator.chart, demo=demo),
        "helpers.demonstrator.report_markdown": S(demonstrator.report_markdown, demo=demo),
        # course
        "helpers.course.lessons_folder": S(course.lessons_folder, repository=ROOT),
        "helpers.course.lessons": S(course.lessons, folder=ROOT / "notebooks"),
        "helpers.course.course_map": S(course.course_map, repository=ROOT),
        # validate
        "helpers.validate.elements": S(validate.elements, count=10, name="n"),
        "helpers.validate.integer": S(validate.integer, value=3, name="n", minimum=0,
                                      maximum=10),
        "helpers.validate.positive_int": S(validate.positive_int, value=3, name="n"),
        "helpers.validate.real": S(validate.real, value=0.5, name="x", minimum=0.0, maximum=1.0),
        "helpers.validate.fraction": S(validate.fraction, value=0.5, name="x"),
        "helpers.validate.one_of": S(validate.one_of, value="a", name="x", options=("a", "b")),
        "helpers.validate.finite_array": S(validate.finite_array, values=REAL1, name="x"),
        "helpers.validate.fractions": S(validate.fractions, values=[0.1, 0.9], name="x"),
        "helpers.validate.data_points": S(validate.data_points, values=REAL2, name="x"),
        "helpers.validate.function": S(validate.function, value=len, name="x",
                                       form="x(values) -> int"),
        "helpers.validate.seed_list": S(validate.seed_list, values=range(3), name="seeds"),
        "helpers.validate.probability_vector": S(validate.probability_vector, p=[0.5, 0.5],
                                                 name="p"),
        "helpers.validate.rng_from": S(validate.rng_from, seed=0, name="seed"),
        "helpers.validate.bounded_array": S(validate.bounded_array, values=REAL1, name="x"),
        "helpers.validate.point_sample": S(validate.point_sample, values=REAL2, name="x"),
        "helpers.validate.two_point_samples": S(validate.two_point_samples, x=REAL2, y=REAL2,
                                                names=("x", "y")),
        "helpers.validate.sample_1d": S(validate.sample_1d, values=REAL1, name="x"),
        "helpers.validate.nonnegative_1d": S(validate.nonnegative_1d, values=COUNTS, name="x"),
        "helpers.validate.counts_vector": S(validate.counts_vector, values=COUNTS, name="x"),
        "helpers.validate.same_length": S(validate.same_length, a=REAL1, b=REAL1,
                                          names=("x", "y")),
        "helpers.validate.log_base": S(validate.log_base, base=2.0),
        "helpers.validate.check_ddof": S(validate.check_ddof, ddof=1, n=5, name="ddof"),
        "helpers.validate.shown": S(validate.shown, value=[1, 2]),
        # checks' public helpers
        "helpers.checks.core.as_array": S(checks_core.as_array, value=[1.0, 2.0], what="f(x)",
                                          shape=(2,), finite=True),
        "helpers.checks.core.as_float": S(checks_core.as_float, value=1.5, what="f(x)"),
        "helpers.checks.core.as_mask": S(checks_core.as_mask, value=[True, False], what="f(x)",
                                         length=2),
        "helpers.checks.core.close": S(checks_core.close, got=1.0, expected=1.0),
        "helpers.checks.core.call": S(checks_core.call, fn=lambda: 1, time_limit=1.0),
        "helpers.checks.core.exercise": S(checks_core.exercise, exercise_id="99.9",
                                          title="t"),
        "helpers.checks.core.RecordingGenerator": S(checks_core.RecordingGenerator, seed=0),
        "helpers.checks.shared.draw": S(checks_shared.draw, mean=0.0, scale=1.0, n=8, seed=7),
        "helpers.checks.shared.share_beyond": S(checks_shared.share_beyond, samples=REAL1,
                                                lo=-1.0, hi=1.0),
        # governance
        G + "ledger.sha256": S(ledger.sha256, content="x"),
        G + "ledger.Ledger": Spec(lambda **kw: ledger.Ledger(**kw).close(),
                                  dict(path=folder / "l.sqlite", readonly=False)),
        G + "ledger.Ledger.from_jsonl": S(ledger.Ledger.from_jsonl, path=jsonl),
        G + "ledger.Ledger.add": Spec(lambda: _ledger().add, dict(record=_doc("x9")), make=True),
        G + "ledger.Ledger.add_many": Spec(lambda: _ledger().add_many,
                                           dict(records=[_doc("x8"), record], source="s"),
                                           make=True),
        G + "ledger.Ledger.query": S(_ledger().query, sql="SELECT id FROM records", params=()),
        G + "ledger.Ledger.get": S(_ledger().get, record_id="r1"),
        G + "ledger.Ledger.records": S(_ledger().records, ids=["r1"]),
        G + "ledger.Ledger.save": Spec(lambda: _ledger().save, dict(path=folder / "saved.db"),
                                       make=True),
        G + "ledger.Ledger.export_jsonl": S(_ledger().export_jsonl, path=folder / "out.jsonl"),
        G + "ledger.Ledger.import_jsonl": Spec(lambda: ledger.Ledger().import_jsonl,
                                               dict(path=jsonl), make=True),
        G + "policy.Monitor.alerts": S(parsed_policy.monitors[0].alerts, value=0.5),
        G + "policy.parse_policy": S(policy.parse_policy, text=POLICY_TEXT, source="p"),
        G + "policy.load_policy": S(policy.load_policy, path=policy_file),
        G + "policy.parse_manifest": Spec(lambda: (lambda **kw: policy.parse_manifest(
            **kw, ledger=_ledger())), dict(data={"name": "m", "records": ["r1"]}, source="m"),
            make=True),
        G + "policy.load_manifest": S(policy.load_manifest, path=manifest, ledger=_ledger()),
        G + "policy.check": S(policy.check, manifest=parsed_manifest, policy=parsed_policy),
        G + "policy.evaluate_monitors": S(policy.evaluate_monitors, policy=parsed_policy,
                                          releases={"r1": {"variance": 0.9}}),
        G + "economics.crawl_share": S(economics.crawl_share, months=np.arange(5.0)),
        G + "economics.training_share": S(economics.training_share, crawl=[0.1, 0.5],
                                          policy="reservoir", reservoir=0.2),
        G + "economics.release_table": S(economics.release_table, months=6),
        G + "economics.value_retained": S(economics.value_retained, real_share=[0.5, 1.0]),
        G + "economics.degradation": S(economics.degradation, real_share=[0.5, 1.0],
                                       value=10.0),
        G + "economics.total_cost": S(economics.total_cost, reservoir=[0.1, 0.2],
                                      crawl_synthetic=0.5, value=100.0, price=20.0),
        G + "economics.best_reservoir": S(economics.best_reservoir, crawl_synthetic=0.5,
                                          value=100.0, price=20.0),
        G + "report.policy_markdown": S(gov_report.policy_markdown, policy=parsed_policy,
                                        evidence={"min_real_fraction": "e"}),
        G + "report.risk_register_markdown": S(gov_report.risk_register_markdown, rows=rows),
        G + "report.safe_folder": S(gov_report.safe_folder, folder=folder / "gov"),
        G + "report.write_reports": S(gov_report.write_reports, policy_text="p",
                                      register_text="r", folder=folder / "gov"),
        G + "simulate.simulated_corpus": S(simulate.simulated_corpus, months=3, per_month=5,
                                           second_wave=2),
        G + "economics.release_costs": S(economics.release_costs,
                                         table=economics.release_table(3), reservoir=0.2,
                                         value=100.0, price=20.0, n=100),
        G + "policy.RuleDef": S(policy.RuleDef, field="limit", kind="fraction",
                                meaning="m", check=lambda manifest, rule, context: [],
                                bound="min"),
        G + "policy.RuleDef.broken_by": S(policy.RULES["min_real_fraction"].broken_by,
                                          observed=np.array([0.4, 0.7]), limit=0.6),
        G + "schemas.read_file": S(schemas.read_file, path=policy_file, what="policy",
                                   max_bytes=10_000),
        G + "schemas.regular_file": S(schemas.regular_file, path=policy_file, what="policy",
                                      label="--policy", max_bytes=10_000),
        G + "schemas.parse": S(schemas.parse, text='{"records": ["a"]}',
                               schema=schemas.MANIFEST, source="run.json"),
        G + "schemas.check": S(schemas.check, data={"records": ["a"]}, schema=schemas.MANIFEST,
                               source="run.json"),
        # the single writer and its folder rule
        "helpers.output.inside": S(output.inside, path=folder / "out" / "x",
                                   folder=folder / "out"),
        "helpers.output.check_folder": S(output.check_folder, folder=folder / "checked",
                                         files=["a.txt"], name="folder"),
        "helpers.arguments.printable": S(arguments.printable, text="caf\udcff"),
        "helpers.arguments.whole": Spec(lambda **kw: arguments.whole(**kw)("3"),
                                        dict(low=1, high=5)),
        "helpers.arguments.output_folder": S(arguments.output_folder, folder=folder / "args"),
        "helpers.output.write_files": S(output.write_files, folder=folder / "written",
                                        contents={"a.txt": "hello", "b.bin": b"x"}),
        "helpers.report.fill": S(report.fill, name="risk_register.md", names=["a", "b"],
                                 rows=[("x", "y")]),
        "helpers.report.check_replaceable": S(report.check_replaceable,
                                              folder=folder / "replaceable", overwrite=False),
        # policies' table access and command-line form
        "helpers.policies.resolve": S(policies.resolve, policy="reservoir", name="policy"),
        "helpers.policies.spec_of": S(policies.spec_of, policy="reservoir"),
        "helpers.policies.parse_choice": S(policies.parse_choice, policy="reservoir:0.2"),
        "helpers.policies.command_line_policies": S(policies.command_line_policies,
                                                    real_sampler=True),
        # the controls of lesson 04 as a table
        "helpers.mitigations.setting": S(mitigations.setting, n=10, generations=3, n_chains=4,
                                         real_fraction=0.2, tpr=0.9, fpr=0.1, k=2.0, seed=0),
        "helpers.mitigations.Setting": S(mitigations.Setting, n=10, generations=3, n_chains=4,
                                         real_fraction=0.2, tpr=0.9, fpr=0.1, k=2.0, seed=0),
        "helpers.mitigations.control_of": S(mitigations.control_of, control="accumulate"),
        "helpers.mitigations.Control": S(
            mitigations.Control, run=mitigations.CONTROL_TABLE["replace"].run,
            cost=mitigations.CONTROL_TABLE["replace"].cost, uses=frozenset({"k"})),
        # theory: fresh and fixed real data
        "helpers.theory.fresh_real_var": S(theory.fresh_real_var, t=3, n=10, rho=0.2),
        "helpers.theory.fresh_real_fixed_point": S(theory.fresh_real_fixed_point, n=10,
                                                   rho=0.2),
        "helpers.theory.fixed_reservoir_var": S(theory.fixed_reservoir_var, t=3, n=10,
                                                rho=0.2),
        # checks' public helpers (owner: checks)
        "helpers.checks.core.diagnose": S(
            checks_core.diagnose, got=1.0, expected=3.0,
            mistakes={"sum-not-mean": ("you returned the sum", 9.0)},
            same=lambda a, b: checks_core.close(a, b)),
        "helpers.checks.shared.parametric_sample": S(
            checks_shared.parametric_sample,
            draws=np.random.default_rng(2).normal(1.0, 2.0, (60, 10)), data=np.zeros(3),
            mean=1.0, sd=2.0, what="f", law=True),
        "helpers.checks.shared.require_parametric_draws": S(
            checks_shared.require_parametric_draws, recorded=_recorded(), what="f"),
        "helpers.checks.shared.same_stream": S(
            checks_shared.same_stream, recorded=_recorded(),
            reference=lambda r: r.normal(1.0, 2.0, 3)),
        # lesson 07: decoding, the character-level language model, its theory and view
        "helpers.decoding.truncate": S(decoding.truncate, probs=[0.5, 0.3, 0.2], temperature=0.7,
                                       top_k=2, top_p=0.9),
        "helpers.decoding.sample": S(decoding.sample, probs=[[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]],
                                     rng=0, temperature=0.7, top_k=2, top_p=0.9),
        "helpers.lm.load_char_corpus": S(lm.load_char_corpus, length=8, n_train=3, n_heldout=2),
        "helpers.lm.CharCorpus.decode": S(lm.CharCorpus.decode, row=[9, 6, 13, 13, 16]),
        "helpers.lm.CharMLP": S(lm.CharMLP, context=2, embed=4, hidden=4, steps=2,
                                learning_rate=0.05, l2=1e-5, temperature=0.7, top_k=5,
                                top_p=0.9, seed=0),
        "helpers.lm.CharMLP.fit": Spec(lambda: lm.CharMLP(steps=2, hidden=4).fit,
                                       {"X": LM_WINDOWS}, make=True),
        "helpers.lm.CharMLP.sample": S(LM_FITTED.sample, n=3, rng=0),
        "helpers.lm.CharMLP.predict_proba": S(LM_FITTED.predict_proba, X=LM_WINDOWS),
        "helpers.lm.CharMLP.perplexity": S(LM_FITTED.perplexity, X=LM_WINDOWS),
        "helpers.lm.text_measures": S(lm.text_measures, samples=LM_WINDOWS, real=LM_WINDOWS,
                                      rare_char=0.5, rare_word=2),
        "helpers.lm.loop_runs": S(lm.loop_runs, corpus=LM_CORPUS, generations=1, seeds=(0,),
                                  decodings={"T = 1": {}}, policies={"replace":
                                                                     {"policy": "replace"}},
                                  progress=None, steps=2, hidden=4),
        "helpers.lm.LoopRuns.at": S(lm_runs.at, measure="perplexity", decoding="top-p 0.9",
                                    policy="replace"),
        "helpers.theory.unigram_truncation": S(theory.unigram_truncation,
                                               p=[0.5, 0.3, 0.15, 0.05], m=100, temperature=0.7,
                                               top_k=3, top_p=0.8, rare=0.2),
        "helpers.explorers.decoding_explorer": S(explorers.decoding_explorer, runs=lm_runs),
        # capstone: the split, the spread, the healthy-retrain null, the write-up's labels
        "helpers.demonstrator.split_real": S(demonstrator.split_real, real=REAL2, share=0.3,
                                             seed=0),
        "helpers.demonstrator.spread": S(demonstrator.spread, x=REAL1),
        "helpers.detection.retrain_values": S(detection.retrain_values, model=FITTED, real=REAL1,
                                              measures=MEASURES, eval_size=10, n_draws=3,
                                              seed=0),
        "helpers.report.mislabelled": S(report.mislabelled, text="Replacement kept 0.011.",
                                        results={"policies": {"replace": {"end": 0.011},
                                                              "accumulate": {"end": 0.061}}}),
        "helpers.checks.m06.overclaim": S(checks_m06.overclaim,
                                          text="Accumulation prevents collapse.",
                                          results=checks_m06.WRITE_UP_RESULTS),
        "helpers.savehook.drop_python_version": S(
            savehook.drop_python_version,
            model={"type": "notebook", "content": {"metadata": {"language_info": {
                "name": "python", "version": "3.11"}}}}),
    }
    specs[G + "ledger.Ledger.add_many"].names = {"records": ("records", "line", "record")}
    specs[G + "ledger.Ledger"].names = {"readonly": ("readonly", "path")}
    # a file's content is named by the file it came from (the source), as the command shows it
    specs[G + "schemas.check"].names = {"data": ("data", "run.json")}
    specs[G + "schemas.parse"].names = {"text": ("text", "run.json")}
    # validate's helpers: the value is the caller's argument, named by the label; the label,
    # the bounds and the options are set by our own code, not by a user
    for name, spec in specs.items():
        if name.startswith("helpers.validate."):
            label = spec.kwargs.get("name", "x")
            spec.names = {arg: (label, arg, "x", "y") for arg in spec.kwargs}
            spec.fixed = {arg: "set by the calling code" for arg in (
                "name", "names", "minimum", "maximum", "strict_min", "options", "ndim",
                "min_len", "atol", "minimum_is", "form") if arg in spec.arguments()
                or arg in spec.kwargs}
    specs["helpers.validate.check_ddof"].fixed["n"] = "a sample size our own code computed"
    specs["helpers.monitoring.detection_table"].valid = {"runs": ("None",)}
    # checks: the learner's value is judged (a Hint naming the call); the author's arguments
    # are validated; an author's valid value that makes the learner's value wrong is a Hint
    for name in ("as_array", "as_float", "as_mask"):
        specs[f"helpers.checks.core.{name}"].learner = ("value",)
        specs[f"helpers.checks.core.{name}"].names = {"value": ("f(x)",)}
    specs["helpers.checks.core.as_mask"].hinted = {"length": ("0",)}
    specs["helpers.checks.core.diagnose"].learner = ("got",)
    specs["helpers.checks.core.diagnose"].names = {"got": ("you returned the sum",)}
    scales = ("0.5", "2**63", "10**12", "2**62", "np.int64-max")  # in [1e-100, 1e100]
    specs["helpers.checks.shared.parametric_sample"].hinted = {
        "mean": ("-1", "0", "1e-320", "5e-324", *scales), "sd": scales}
    for name, spec in specs.items():
        if name.startswith(HEAVY):
            spec.heavy = True
    return specs


# Callables whose valid calls draw or write figures or run pipelines: fuzzed with one value of
# each family (SAMPLE) and a longer time limit, to keep the suite's time modest.
HEAVY = ("helpers.plots.", "helpers.report.write_report", "helpers.diagrams.",
         "helpers.demonstrator.", "helpers.explorers.", "helpers.rendering.figure_png",
         "helpers.monitoring.detection_table", "helpers.governance.simulate.",
         "helpers.governance.report.write_reports", "helpers.models.DigitsGenerator",
         "helpers.verification.classification_loop", "helpers.mitigations.run_control",
         "helpers.lm.loop_runs")
SAMPLE = ("10**400", "1e-320", "nan", "True", "-1", "10**12", "None", "str", "empty-str",
          "object", "broken", "lying", "nested-list", "nested-dict", "ragged", "empty-array",
          "constant-2d", "collinear", "path:fifo", "path:dangling", "path:directory",
          "path:long")
# Seconds per call before it counts as a hang: far above what any call needs on a quiet
# machine (well under 1 s), so that a loaded one (seen: load average 16, a 3 s limit tripped
# once) does not turn a slow answer into a defect.
LIMIT, HEAVY_LIMIT = 10.0, 30.0


def defects_of(spec: Spec, hostile: dict[str, Any]) -> list[str]:
    """Every bad outcome of ``spec``'s callable with one argument replaced at a time."""
    found = []
    for arg in spec.arguments():
        names = spec.names.get(arg, (arg,))
        for label, value in hostile.items():
            if label in spec.valid.get(arg, ()) or (spec.heavy and label not in SAMPLE):
                continue
            function = spec.function()
            if arg in spec.learner or label in spec.hinted.get(arg, ()):
                function = _hint_is_an_answer(function, names if arg in spec.learner else None)
            outcome = judge(function, dict(spec.kwargs), arg, value, names=names,
                            limit=HEAVY_LIMIT if spec.heavy else LIMIT)
            plt.close("all")
            if outcome is not None:
                found.append(f"{arg}={label}: {outcome}")
    return found


def _hint_is_an_answer(function: Callable[..., Any], names: tuple[str, ...] | None
                       ) -> Callable[..., Any]:
    """``function`` for an argument that judges the learner: a Hint is its answer (returned),
    if it is specific (not "check-error") and, when ``names`` is given, names the call; with
    ``names`` (a learner's argument) a ValueError/TypeError is a defect (raised as one)."""

    def run(**kwargs: Any) -> Any:
        try:
            return function(**kwargs)
        except checks_core.Hint as hint:
            if hint.id == "check-error" or (names and not any(n in hint.message for n in names)):
                raise RuntimeError(f"unclear Hint {hint.id}: {hint.message[:80]!r}") from None
            return hint.id
        except (ValueError, TypeError) as error:
            if names is None:
                raise
            raise RuntimeError(f"{type(error).__name__} for the learner's value (a check "
                               f"gives it a Hint): {str(error)[:80]}") from None

    return run


# Public callables with no fuzz spec, each with the reason (reviewed).
RECORD = "a result record: made by the library, no validation of its own"
SOURCE = ("a Source implementation called by policies.training_set with sizes validated "
          "there (owner: engine; candidates for private names)")
EXEMPT: dict[str, str] = {
    **{f"helpers.{name}": RECORD for name in (
        "chains.GaussianChains", "chains.CategoricalChains", "chains.RegressionChains",
        "data.TextCorpus", "demonstrator.Measure", "demonstrator.Demo", "detection.Band",
        "environment.EnvironmentReport", "governance.ledger.Record", "governance.policy.Manifest",
        "governance.policy.Monitor", "governance.policy.MonitorResult",
        "governance.policy.Policy", "governance.policy.Rule", "governance.policy.Violation",
        "governance.report.RiskRow", "loop.Generation", "loop.History",
        "metrics.distance.PrecisionRecall", "metrics.distance.DensityCoverage",
        "mitigations.Cost", "models.ProtocolReport", "monitoring.Measure", "monitoring.Pipeline",
        "policies.PolicySpec", "policies.Plan", "verification.ClassificationRun",
        "course.CourseMap", "checks.core.CheckResult",
        "views.m00.SpreadSummary", "views.m01.GaussianCollapseSummary",
        "views.m01.TokenCollapseSummary", "views.m02.PolicySummary",
        "views.m03.DetectionSummary", "views.m04.MitigationSummary",
        "views.m04.VerificationSummary", "views.m05.GovernanceSummary",
        "views.m06.GenerationSummary", "checks.shared.GeneratorsMade", "lm.CharCorpus",
        "lm.TextMeasures", "lm.LoopRuns", "theory.UnigramTruncation",
        "views.m07.DecodingSummary")},
    "helpers.policies.Choice": "a result record made by policies.parse_choice (fuzzed); no "
                               "function takes a hand-built Choice",
    **{f"helpers.{cls}.{method}": SOURCE for cls in ("chains.GaussianSource", "loop.ArraySource")
       for method in ("synthetic", "real_sample", "fresh_real", "union", "keep", "subsample",
                      "size")},
    "helpers.loop.ArraySource.offer": SOURCE,
    "helpers.chains.GaussianSource": SOURCE,
    "helpers.loop.ArraySource": SOURCE,
    **{f"helpers.policies.Source.{m}": "a Protocol: declarations only" for m in (
        "synthetic", "real_sample", "fresh_real", "union", "keep", "subsample", "size")},
    "helpers.policies.Source": "a Protocol: declarations only",
    "helpers.models.GenerativeModel": "a Protocol: declarations only",
    "helpers.models.GenerativeModel.fit": "a Protocol: declarations only",
    "helpers.models.GenerativeModel.sample": "a Protocol: declarations only",
    "helpers.policies.training_set": SOURCE,
    "helpers.views.m00.spread_view": "fuzzed by tests/test_views_fuzz.py",
    "helpers.views.m01.collapse_view": "fuzzed by tests/test_views_fuzz.py",
    "helpers.views.m02.policy_view": "fuzzed by tests/test_views_fuzz.py",
    "helpers.views.m03.detection_view": "fuzzed by tests/test_views_fuzz.py",
    "helpers.views.m04.mitigation_view": "fuzzed by tests/test_views_fuzz.py",
    "helpers.views.m04.verification_view": "fuzzed by tests/test_views_fuzz.py",
    "helpers.views.m05.governance_view": "fuzzed by tests/test_views_fuzz.py",
    "helpers.views.m06.demo_view": "fuzzed by tests/test_views_fuzz.py",
    "helpers.views.m07.decoding_view": "fuzzed by tests/test_views_fuzz.py",
    "helpers.checks.core.Check": "built by the exercise decorator (fuzzed through exercise)",
    "helpers.checks.core.Check.passes": "fuzzed with hostile answers by "
                                        "tests/test_checks_never_break.py",
    "helpers.checks.core.Check.evaluate": "fuzzed with hostile answers by "
                                          "tests/test_checks_never_break.py",
    "helpers.checks.core.CheckResult.show": "prints a CheckResult; no arguments",
    "helpers.checks.core.registry": "no arguments",
    "helpers.checks.shared.require_rng_use": "takes a learner's function; fuzzed through the "
                                             "checks in tests/test_checks_never_break.py",
    "helpers.checks.shared.normal_request": "reads a RecordingGenerator; fuzzed through the "
                                            "checks in tests/test_checks_never_break.py",
    "helpers.governance.ledger.Ledger.close": "no arguments",
    "helpers.governance.ledger.Ledger.problems": "no arguments",
    "helpers.governance.policy.Monitor": RECORD,
    "helpers.demonstrator.main": "a command: fuzzed by tests/test_cli_fuzz.py",
    "helpers.governance.cli.main": "a command: fuzzed by tests/test_cli_fuzz.py",
    "helpers.arguments.Parser": "argparse.ArgumentParser's own constructor (the standard "
                                "library checks its arguments); commands: tests/test_cli_fuzz.py",
    "helpers.arguments.Parser.error": "argparse's error hook: exits with code 2 by design "
                                      "(every command's errors: tests/test_cli_fuzz.py)",
}
# the RecordingGenerator's methods are numpy.random.Generator's, recorded: numpy validates
EXEMPT.update({name: "numpy.random.Generator's own method, recorded (numpy validates)"
               for name in public_callables() if name.startswith(
                   "helpers.checks.core.RecordingGenerator.")})


def _no_arguments(obj: Any) -> bool:
    try:
        return not any(p.kind != p.VAR_KEYWORD for p in inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return False


def _is_check(obj: Any) -> bool:
    return isinstance(obj, checks_core.Check)


@pytest.fixture(scope="module")
def specs(folder, demo, lm_runs) -> dict[str, Spec]:
    return _specs(folder, demo, lm_runs)


def test_every_public_callable_has_a_fuzz_spec(specs):
    """A new public callable fails here until it has a spec (or a reviewed exemption)."""
    assert modules_without_all() == ["helpers", "helpers.views"]  # packages without own API
    found = public_callables()
    missing = sorted(name for name, obj in found.items()
                     if name not in specs and name not in EXEMPT
                     and not _no_arguments(obj) and not _is_check(obj))
    assert not missing, f"public callables without a fuzz spec: {missing}"
    stale = sorted((set(specs) | set(EXEMPT)) - set(found))
    assert not stale, f"specs or exemptions for names that are not public: {stale}"
    assert len(found) > 300  # the derivation found the whole API


def test_no_argument_callables_and_checks_are_covered_elsewhere():
    """Callables taking no argument have nothing to fuzz; checks are fuzzed by
    tests/test_checks_never_break.py over every registry entry."""
    found = public_callables()
    registered = set(map(id, checks_core.registry().values()))
    for name, obj in found.items():
        if _is_check(obj):
            assert id(obj) in registered, name


def _ids() -> list[str]:
    return sorted(n for n, o in public_callables().items()
                  if n not in EXEMPT and not _no_arguments(o) and not _is_check(o))


# Defects in files owned by other helpers, recorded for their owner (strict: must still fail).
# Known defects, as name -> 'owner: defect classes' (a strict xfail each). None left: every
# public callable passes (the last 52 entries were fixed on 2026-12-06).
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def hostile(folder) -> dict[str, Any]:
    return hostile_values(folder / "hostile")


@pytest.mark.parametrize("name", _ids())
def test_every_bad_argument_gets_a_clear_value_or_type_error(name, specs, hostile, folder,
                                                             tmp_path, monkeypatch, request):
    if name in KNOWN:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN[name]))
    monkeypatch.chdir(folder)  # '' and relative names land in the temporary folder
    # Fresh hostile paths for each callable: a writer fuzzed earlier may have created the
    # missing or "unwritable" file (root writes into a read-only folder), which a reader
    # fuzzed later would then find, depending on which tests ran before it on its worker.
    defects = defects_of(specs[name], hostile | hostile_paths(tmp_path / "paths"))
    assert not defects, f"{name}: {len(defects)} defects\n" + "\n".join(defects)


ALLOWED = (ValueError, TypeError)


@pytest.mark.parametrize(("call", "name"), [
    (lambda: data.zipf_tokens(5, vocab_size=0), "vocab_size"),
    (lambda: data.zipf_corpus(vocab_size=10**9, n_sentences=2, length=2), "vocab_size"),
    (lambda: chains.gaussian(10, 10**12, 4), "generations"),
    (lambda: chains.gaussian(10, 1000, 10**9), "chains"),
    (lambda: chains.gaussian_policy(10, 10, 10**8, policy="accumulate_subsample"), "chains"),
    (lambda: loop.run_loop(models.Gaussian(ddof=0), REAL1, generations=10**12), "generations"),
    (lambda: loop.run_loop(models.Gaussian(ddof=0), REAL1, generations=1, n_samples=10**12),
     "n_samples"),
    (lambda: detection.bootstrap_values(REAL1, np.mean, n_boot=10**12), "n_boot"),
    (lambda: detection.null_values(FITTED, MEASURES, 10, n_draws=10**12), "n_draws"),
    (lambda: detection.evaluate([object()], MEASURES, 10), "models"),
    (lambda: metrics.mmd2_rbf(REAL2, REAL2, bandwidth=5e-324), "bandwidth"),
    (lambda: metrics.vendi_score(REAL2, bandwidth=5e-324), "bandwidth"),
    (lambda: theory.gaussian_var(5, 10, sigma0=10**400), "sigma0"),
    (lambda: theory.expected_support([0.5, 0.5], 10**6, 3), "m"),
    (lambda: theory.expected_support([0.5, 0.5], 10, 10**9), "t"),
    (lambda: loop.run_loop(models.Gaussian(ddof=0), [0.0, np.nan], generations=1), "real"),
    (lambda: data.gaussian_sample(10**6, dim=10**6), "dim"),
    (lambda: models.Gaussian(ddof=0).fit(REAL1).sample(10**12, 0), "n"),
    # lesson 07 and the capstone's new helpers (defects this fuzz found)
    (lambda: demonstrator.split_real(REAL2, share=1.0), "share"),
    (lambda: demonstrator.split_real(np.zeros((2, 2, 2)), share=0.5), "real"),
    (lambda: demonstrator.spread([]), "x"),
    (lambda: detection.retrain_values(FITTED, np.zeros((4, 2, 2)), MEASURES), "real"),
    (lambda: detection.retrain_values(FITTED, np.full(5, 1e200), MEASURES, n_draws=1), "real"),
    (lambda: lm.loop_runs(LM_CORPUS, seeds=range(10**12)), "seeds"),
    (lambda: lm.loop_runs(LM_CORPUS, seeds=5), "seeds"),
    (lambda: lm.loop_runs(LM_CORPUS, decodings={"x": {"temp": 1.0}}), "decodings"),
    (lambda: lm.loop_runs(LM_CORPUS, policies="replace"), "policies"),
    (lambda: explorers.decoding_explorer(None), "runs"),
    (lambda: checks_m06.overclaim("Accumulation prevents collapse.", {}), "results"),
    (lambda: checks_m06.overclaim(None), "text"),
    (lambda: report.mislabelled("x", {"policies": 3}), "results"),
    (lambda: savehook.drop_python_version(None), "model"),
])
def test_refusals_name_the_callers_argument(call, name):
    with pytest.raises(ALLOWED, match=rf"\b{name}\b"):
        call()


# --- the defects the hidden fuzz named, one regression test each ------------------------------

def test_export_jsonl_refuses_a_file_descriptor_and_keeps_stdout_open(tmp_path):
    import os
    with _ledger() as led:
        for bad in (True, 1, 0):
            with pytest.raises(TypeError, match="path"):
                led.export_jsonl(bad)
        os.fstat(1)  # still open
        assert led.export_jsonl(tmp_path / "ok.jsonl") == 3


@pytest.mark.parametrize("kind", ["fifo", "folder", "link", "dangling", "unwritable"])
def test_ledger_paths_are_refused_before_anything_is_written(tmp_path, kind):
    import os
    target = tmp_path / "target.jsonl"
    target.write_text("x\n")
    path = tmp_path / kind
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "link":
        path.symlink_to(target)
    elif kind == "dangling":
        path.symlink_to(tmp_path / "nowhere")
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into any folder")
        (tmp_path / "ro").mkdir(mode=0o500)
        path = tmp_path / "ro" / "out.jsonl"
    with _ledger() as led:
        with pytest.raises(ledger.LedgerError, match="path"):
            led.export_jsonl(path)
        with pytest.raises(ledger.LedgerError, match="path"):
            led.save(path)
    if kind in ("fifo", "folder"):
        with pytest.raises(ledger.LedgerError, match="path"):
            ledger.Ledger.from_jsonl(path)
    assert target.read_text() == "x\n"  # a link's target is never written through


def test_import_errors_name_the_line_not_the_record_number(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(_doc("a")) + "\n\n" + json.dumps({"id": "b"}) + "\n")
    with pytest.raises(ledger.LedgerError, match=r"c\.jsonl, line 3\b"):
        ledger.Ledger.from_jsonl(path)


@pytest.mark.parametrize(("line", "message"), [
    ('{"a":' * 5000 + "1" + "}" * 5000, "nested too deeply"),
    (json.dumps(_doc("d", depth=10**30, source_kind="model_output", generator="g")),
     "'depth'"),
    (json.dumps(_doc("d", detector_score=10**400)), "'detector_score'"),
    (json.dumps(_doc("d")).replace('"d"', '"\\ud800"', 1), "not valid Unicode"),
])
def test_hostile_ledger_lines_are_ledger_errors(tmp_path, line, message):
    path = tmp_path / "h.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(ledger.LedgerError, match=message):
        ledger.Ledger.from_jsonl(path)


def test_a_derivation_cycle_is_found_among_thousands_of_links():
    rows = [_doc("r0")] + [_doc(f"r{i}", source_kind="model_output", depth=i, generator="g",
                                parents=[f"r{i - 1}"]) for i in range(1, 3000)]
    with ledger.Ledger() as led:
        assert led.add_many(rows) == 3000 and led.problems() == []
        rows = [_doc("c1", source_kind="model_output", depth=1, generator="g", parents=["c2"]),
                _doc("c2", source_kind="model_output", depth=1, generator="g", parents=["c1"]),
                _doc("c3", source_kind="model_output", depth=1, generator="g", parents=["c1"])]
        with pytest.raises(ledger.LedgerError, match="'c1' is derived from itself"):
            led.add_many(rows)  # c3 hangs off the cycle but is not on it


def test_a_runaway_query_is_interrupted(monkeypatch):
    monkeypatch.setattr(ledger, "QUERY_SECONDS", 0.2)
    with _ledger() as led:
        with pytest.raises(ledger.LedgerError, match="interrupted"):
            led.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                      "SELECT count(*) FROM c")
        assert led.query("SELECT count(*) FROM records") == [(3,)]


def test_check_refuses_an_empty_hand_built_manifest():
    empty = policy.Manifest(name="m", entries=(), records=())
    with pytest.raises(ValueError, match="manifest"):
        policy.check(empty, policy.parse_policy(POLICY_TEXT))


@pytest.mark.parametrize(("column", "named"), [
    (lambda x: np.full(len(x), 3.0), r"column 'c' of values is constant"),
    (lambda x: 2.0 * x[:, 0] - x[:, 1] + 1.0, r"column 'c' of values is a linear combination"),
])
def test_constant_or_collinear_columns_are_refused_by_name(tmp_path, column, named):
    x = np.random.default_rng(3).normal(size=(40, 2))
    values = np.column_stack([x, column(x)])
    with pytest.raises(ValueError, match=named):
        data.real_data_columns(values, ["a", "b", "c"])
    path = tmp_path / "mine.csv"
    path.write_text("a,b,c\n" + "\n".join(",".join(f"{v:.6f}" for v in row) for row in values))
    with pytest.raises(ValueError, match=named.replace("column 'c'", r"mine\.csv: column 'c'")):
        data.load_csv(path)
    assert data.real_data_columns(x, ["a", "b"]).shape == (40, 2)  # independent columns pass
