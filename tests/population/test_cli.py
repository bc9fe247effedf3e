"""`joinedup population refresh`: one clear line on an empty database, a summary
when it works."""

from __future__ import annotations

import datetime as dt

from joinedup.cli import main
from joinedup.population.models import Refresh
from joinedup.synth.generator import area_generate
from joinedup.synth.load import area_load


def test_refresh_of_an_empty_database_exits_2_with_one_line(
    db, capsys, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    assert main(["population", "refresh"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "joinedup population: there are no people in the database: load or ingest "
        "data first (nothing was written)"
    )
    assert not Refresh.objects.exists()


def test_refresh_prints_what_it_computed(db, capsys, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    area_load(area=area_generate(people=700, seed=5, end=dt.date(2026, 11, 1)))
    assert main(["population", "refresh"]) == 0
    out = capsys.readouterr().out
    assert "Population refresh" in out and "700 people" in out and "AUC" in out
    assert Refresh.objects.get(is_current=True).people == 700


def test_the_demo_computes_the_figures_once(db, settings, tmp_path):
    from joinedup.synth.demo import demo_population_refresh

    settings.DATA_DIR = tmp_path
    assert demo_population_refresh().startswith("Population figures not computed")
    area_load(area=area_generate(people=700, seed=5, end=dt.date(2026, 11, 1)))
    assert demo_population_refresh().startswith("Population figures computed")
    assert demo_population_refresh() == "Population figures already computed."
    assert Refresh.objects.filter(is_current=True).count() == 1
