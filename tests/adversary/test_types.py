"""Adversary types: the point type is today's target bit for bit, a degenerate prior is the point type, the
exact mixture agrees with Monte Carlo runs that draw a type each, runs keep their type whatever the
chunking, and the record's posterior says which numbers it does not identify."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import brinkmanship as bk
from brinkmanship._api.typed import exact_mixture, posterior_types, resolve_types
from brinkmanship._api.verbs import DEFAULT_CHUNK
from brinkmanship.adversary.exact import exact_outcomes, exact_result
from brinkmanship.adversary.types import Types, _ppf, point_types, prior_types
from brinkmanship.cli import app
from brinkmanship.engine import simulate
from brinkmanship.engine.decision import Adversary
from brinkmanship.errors import InputError
from brinkmanship.spec import load_scenario, load_strategy

RATIONAL = Adversary("rational")


@pytest.fixture(scope="module")
def sc():
    return load_scenario("korea-2017")


def _degenerate(sc):
    """The scenario with every adversary range collapsed onto its declared value."""
    block = sc.adversary
    collapsed = {k: getattr(block, k).model_copy(update={"range": (getattr(block, k).value,) * 2})
                 for k in type(block).model_fields}
    return sc.model_copy(update={"adversary": block.model_copy(update=collapsed)})


def test_point_types_are_todays_results_bit_for_bit(sc):
    st = [load_strategy(n, sc) for n in ("let-deterrence-fail", "limited-strike")]
    typed = bk.compare(sc, st, runs=3000, seed=3, exact=True, types="point", progress=False).to_json()
    kernels = typed.pop("kernel")  # which simulator ran: the rational planner runs in the fused kernel
    assert set(kernels.values()) == {"fused"}
    import brinkmanship.adversary  # noqa: F401
    from brinkmanship.audit import prohibited_count
    from brinkmanship.engine import compare as summarise

    today = [simulate(sc, s, runs=3000, seed=3, adversary="rational", chunk_size=DEFAULT_CHUNK)
             for s in st]
    exact = {s.name: exact_result(sc, s, "rational") for s in st}
    want = summarise(today, {s.name: prohibited_count(s) for s in st},
                     {k: r.as_dict() for k, r in exact.items()}, sc.aims,
                     {k: r.unproven_dict() for k, r in exact.items()})
    assert json.dumps(typed, sort_keys=True) == json.dumps(want, sort_keys=True)
    assert "types" not in typed and "what_decides" not in typed["strategies"][0]


def test_degenerate_prior_is_the_point_type(sc):
    deg = _degenerate(sc)
    types = prior_types(deg, 8)
    assert types.kind == "prior" and types.count == 8
    for name, v in types.values.items():
        assert np.all(v == getattr(deg.adversary, name.split(".")[1]).value), name
    st = load_strategy("let-deterrence-fail", deg)
    per_type = exact_mixture(deg, st, RATIONAL, types, 0)
    point = np.array(list(exact_outcomes(deg, st, RATIONAL).values()))
    np.testing.assert_allclose(per_type, np.broadcast_to(point, per_type.shape), rtol=0, atol=1e-12)
    mixed = bk.run(deg, st, runs=2000, seed=5, types=types, progress=False).results[0]
    alone = bk.run(deg, st, runs=2000, seed=5, types="point", progress=False).results[0]
    for key in ("outcome", "warheads", "deaths", "month_resolved"):
        np.testing.assert_array_equal(mixed.outcomes[key], alone.outcomes[key], err_msg=key)


@pytest.mark.parametrize("weighted", [False, True])
def test_exact_mixture_matches_a_type_per_run(sc, weighted):
    types = prior_types(sc, 16)  # maximum-pressure: a few of 16 types end otherwise than the rest
    if weighted:  # unequal weights, as a posterior has: runs must draw types by weight
        types = types.reweighted(np.linspace(0.0, 2.0, 16), {}, {})
    st = load_strategy("maximum-pressure", sc)
    runs = 20_000
    per_type = exact_mixture(sc, st, RATIONAL, types, 0)
    exact, _ = types.mixture(per_type)
    sampled = bk.run(sc, st, runs=runs, seed=11, types=types, progress=False).results[0].outcome_shares()
    se = np.sqrt(np.maximum(exact * (1 - exact), 1.0 / runs) / runs)
    assert np.all(np.abs(sampled - exact) <= 5 * se), (sampled, exact)
    assert np.ptp(per_type, axis=0).max() > 0.01  # the types do move the outcome


def test_runs_keep_their_type_whatever_the_chunking(sc):
    types = prior_types(sc, 8)
    assert np.array_equal(types.draw(9, 5000)[:3000], types.draw(9, 3000))
    args = dict(runs=3000, seed=9, types=types, progress=False)
    one = bk.compare(sc, ["maximum-pressure", "limited-strike"], chunk_size=3000, **args)
    many = bk.compare(sc, ["maximum-pressure", "limited-strike"], chunk_size=700, **args)
    assert json.dumps(one.to_json(), sort_keys=True) == json.dumps(many.to_json(), sort_keys=True)
    for a, b in zip(one.results, many.results, strict=True):
        np.testing.assert_array_equal(a.outcomes["outcome"], b.outcomes["outcome"])


def test_type_of_each_run_is_found_even_with_repeated_types(sc):
    types = prior_types(sc, 4)
    values = {k: np.concatenate([v, v[:1]]) for k, v in types.values.items()}  # a fifth type repeats the first
    twice = Types("prior", values, np.full(5, 0.2))
    idx = np.array([4, 0, 3, 2, 1, 4])
    from brinkmanship.engine.compiled import compile_model

    c = compile_model(sc, load_strategy("engagement", sc), twice.per_run(idx))
    found = twice.index_of(c)
    assert np.array_equal(twice.matrix()[found], twice.matrix()[idx])
    bad = compile_model(sc, load_strategy("engagement", sc), {**twice.per_run(idx),
                                                             "adversary.discount": np.full(6, 0.5)})
    with pytest.raises(ValueError, match="not one of the types"):
        twice.index_of(bad)


def test_declared_distributions(sc):
    u = (np.arange(20_000) + 0.5) / 20_000
    tri = _ppf(u, 0.0, 10.0, 2.0, "triangular")
    assert tri.mean() == pytest.approx(4.0, abs=1e-3)  # (low + mode + high) / 3
    assert np.all(np.diff(tri) >= 0) and tri[0] >= 0 and tri[-1] <= 10
    normal = _ppf(u, 0.0, 8.0, 4.0, "normal")
    assert normal.mean() == pytest.approx(4.0, abs=1e-6) and normal.min() >= 0 and normal.max() <= 8
    assert np.std(normal) < np.std(_ppf(u, 0.0, 8.0, 4.0, "uniform"))
    assert np.array_equal(_ppf(u, 3.0, 3.0, 3.0, "triangular"), np.full(u.size, 3.0))


def test_a_dist_needs_a_range_and_a_known_name(tmp_path):
    from brinkmanship.spec.loader import scenario_dir

    text = (scenario_dir() / "korea-2017.yaml").read_text()
    good = "discount: {value: 0.97, range: [0.9, 0.995], assumption: true, note: \"monthly discount factor\"}"
    assert good in text
    for bad, words in ((good.replace("assumption: true,", "assumption: true, dist: lognormal,"), "dist"),
                       ("discount: {value: 0.97, source: soesanto2017, dist: triangular}", "range")):
        path = tmp_path / "bad.yaml"
        path.write_text(text.replace(good, bad))
        result = CliRunner().invoke(app, ["compare", str(path), "--runs", "10"])
        assert result.exit_code == 2 and words in result.output and "adversary.discount" in result.output.replace(
            "adversary -> discount", "adversary.discount"), result.output
    tri = tmp_path / "tri.yaml"
    tri.write_text(text.replace(good, good.replace("assumption: true,", "assumption: true, dist: triangular,")))
    sc = load_scenario(tri)
    assert sc.adversary.discount.dist == "triangular"
    v = prior_types(sc, 64).values["adversary.discount"]
    assert abs(np.mean(v) - (0.9 + 0.97 + 0.995) / 3) < abs(np.mean(v) - (0.9 + 0.995) / 2)


def test_types_option_is_checked(sc):
    with pytest.raises(InputError, match="planner target"):
        resolve_types(sc, Adversary("base-rate"), "prior")
    with pytest.raises(InputError, match="--types"):
        resolve_types(sc, RATIONAL, "psychic")
    with pytest.raises(InputError, match="--type-count"):
        resolve_types(sc, RATIONAL, "prior", 0)
    assert resolve_types(sc, Adversary("base-rate"), None).is_point
    assert resolve_types(sc, RATIONAL, None).kind == "prior"


def test_posterior_weights_ignore_what_the_record_does_not_identify(sc, monkeypatch):
    prior = prior_types(sc, 64)
    disc = prior.values["adversary.discount"]
    noise = np.random.default_rng(1).normal(0.0, 0.3, prior.count)  # what the other numbers do, unsystematically
    monkeypatch.setattr("brinkmanship.history.strategic.type_log_likelihoods",
                        lambda _sc, values: -40.0 * (values["adversary.discount"] - 0.9) + noise)
    post = posterior_types(sc, prior)
    assert post.settings["identified"] == ["discount"]
    assert "not identified" in post.notes["adversary.regime_survival"]
    assert post.notes["adversary.discount"].startswith("identified")
    logw = np.log(post.weights)  # a function of the discount alone (a cubic), falling with it
    cubic = np.polynomial.Polynomial.fit(disc, logw, 3)
    np.testing.assert_allclose(cubic(disc), logw, atol=1e-8)
    assert np.all(np.diff(logw[np.argsort(disc)]) < 0)
    for name, v in prior.values.items():
        if name != "adversary.discount":  # its posterior is its prior: the weights do not depend on it
            width = v.max() - v.min()
            assert abs(post.mixture(v)[0] - prior.mixture(v)[0]) < 0.1 * width, name


@pytest.mark.slow
def test_posterior_from_the_record_says_what_it_does_not_identify():
    out = CliRunner().invoke(app, ["compare", "korea-2017", "--types", "posterior", "--type-count", "16",
                                   "--strategies", "engagement", "--runs", "500", "--json"])
    assert out.exit_code == 0, out.output
    t = json.loads(out.stdout)["types"]
    assert t["kind"] == "posterior" and t["count"] == 16 and t["effective_count"] <= 16
    notes = {k: v["record"] for k, v in t["numbers"].items()}
    assert set(notes) >= {"discount", "regime_survival", "deal_security"}
    assert any("not identified by the record" in v and "posterior is its prior" in v for v in notes.values())
    table = CliRunner().invoke(app, ["compare", "korea-2017", "--types", "posterior", "--type-count", "16",
                                     "--strategies", "engagement", "--runs", "500"])
    assert "Not identified by the 2016-2017 record" in table.output


def test_compare_leads_with_the_mixture_and_what_decides():
    out = CliRunner().invoke(app, ["compare", "korea-2017", "--exact", "--type-count", "8", "--runs", "500"])
    assert out.exit_code == 0, out.output
    assert "8 prior types" in out.output and "What decides" in out.output
    data = json.loads(CliRunner().invoke(app, ["compare", "korea-2017", "--exact", "--type-count", "8", "--runs",
                                               "500", "--json"]).stdout)
    halves = [o["hi"] - o["lo"] for s in data["strategies"] for o in [*s["outcomes"].values(), *s["aims"].values()]]
    assert max(halves) > 0.01  # intervals that are not all zero (8 types may all end alike, yet not all reach
    # it with delivery unproven: the aims then differ by type)
    for s in data["strategies"]:
        assert sum(o["p"] for o in s["outcomes"].values()) == pytest.approx(1.0, abs=1e-9)
        assert all(o["lo"] <= o["p"] <= o["hi"] for o in s["outcomes"].values())
        assert "type_se" in s["outcomes"]["denuclearisation"] and isinstance(s["what_decides"], list)


def test_point_type_set_is_one_type(sc):
    p = point_types(sc)
    assert p.is_point and p.count == 1 and p.draw(0, 5).tolist() == [0] * 5


def test_the_exact_mixture_reuses_the_simulated_types_solution(sc):
    from brinkmanship._api.verbs import _typed_model

    types = prior_types(sc, 8)
    st = load_strategy("limited-strike", sc)
    model = _typed_model(RATIONAL, types)
    reused = exact_mixture(sc, st, RATIONAL, types, 0, model)
    np.testing.assert_allclose(reused, exact_mixture(sc, st, RATIONAL, types, 0), rtol=0, atol=1e-12)
    assert len(model._solutions) == 1  # solved once, for the runs and the mixture alike
