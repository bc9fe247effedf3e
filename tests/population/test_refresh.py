"""The refresh end to end on a small synthetic area: what it writes, and that a
refresh that cannot finish writes nothing and leaves the previous figures."""

from __future__ import annotations

import datetime as dt

import pytest

from joinedup.population import services
from joinedup.population.engine import run
from joinedup.population.engine.run import EngineError
from joinedup.population.models import (
    Figure,
    PersonRisk,
    Refresh,
    RefreshStatus,
    RiskModel,
)
from joinedup.population.services import RefreshError, population_refresh
from joinedup.synth.generator import area_generate
from joinedup.synth.load import area_load


@pytest.fixture
def area(db):
    area_load(area=area_generate(people=900, seed=11, end=dt.date(2026, 11, 1)))


def test_refresh_on_an_empty_database_writes_nothing(db, tmp_path):
    with pytest.raises(RefreshError, match="no people in the database"):
        population_refresh(work_dir=tmp_path)
    assert not Refresh.objects.exists()


def test_refresh_scores_everyone_and_keeps_one_current_refresh(area, tmp_path):
    stages = []
    first = population_refresh(
        work_dir=tmp_path, progress=lambda s, d, t: stages.append(s)
    )
    assert first.status == RefreshStatus.COMPLETE and first.is_current
    assert dt.date(2026, 10, 20) <= first.history_end <= dt.date(2026, 10, 31)
    assert any(s.startswith("Snapshot") for s in stages)
    assert any(s.startswith("Computing: risk model") for s in stages)
    risks = PersonRisk.objects.filter(refresh=first)
    assert risks.count() == first.people  # every living person, one segment each
    levels = {lvl: risks.filter(level=lvl).count() for lvl in (1, 2, 3)}
    assert levels[3] == pytest.approx(0.03 * risks.count(), abs=2)
    assert levels[1] > levels[2] > levels[3]
    top = risks.order_by("rank").first()
    assert top.level == 3 and top.factors and top.risk > 0.2
    assert all(isinstance(f, str) and isinstance(w, float) for f, w in top.factors)
    assert top.deficits and all(isinstance(d, str) for d in top.deficits)
    assert risks.filter(practice__isnull=False).exists()
    model = RiskModel.objects.get(refresh=first)
    assert 0.6 < model.auc <= 1.0
    assert len(model.calibration) == 10
    assert model.train_outcomes >= run.MIN_TRAIN_OUTCOMES
    assert Figure.objects.filter(
        refresh=first, measure="emergency_admissions", dimension="age_band"
    ).exists()
    # the snapshot is deleted afterwards
    assert list(tmp_path.iterdir()) == []

    second = population_refresh(work_dir=tmp_path)
    assert Refresh.objects.get(is_current=True) == second
    assert not PersonRisk.objects.filter(refresh=first).exists()
    assert second.risk_model.version != model.version


def test_a_failed_refresh_keeps_the_previous_figures(area, tmp_path, monkeypatch):
    first = population_refresh(work_dir=tmp_path)
    n = PersonRisk.objects.filter(refresh=first).count()

    def broken(*args, **kwargs):
        raise EngineError("too few emergency admissions to train the model")

    monkeypatch.setattr(services, "refresh_compute", broken)
    with pytest.raises(RefreshError, match="previous figures are still shown"):
        population_refresh(work_dir=tmp_path)
    assert Refresh.objects.get(is_current=True) == first
    assert PersonRisk.objects.filter(refresh=first).count() == n
    failed = Refresh.objects.exclude(pk=first.pk).get()
    assert failed.status == RefreshStatus.FAILED and "too few" in failed.message


def test_a_refresh_failing_while_writing_leaves_nothing_half_written(
    area, tmp_path, monkeypatch
):
    first = population_refresh(work_dir=tmp_path)
    real = services.rows_insert

    def fail_on_figures(model, columns, rows):
        if model is Figure:
            raise OSError("disk full")
        return real(model, columns, rows)

    monkeypatch.setattr(services, "rows_insert", fail_on_figures)
    with pytest.raises(RefreshError):
        population_refresh(work_dir=tmp_path)
    failed = Refresh.objects.exclude(pk=first.pk).get()
    assert failed.status == RefreshStatus.FAILED
    assert not PersonRisk.objects.filter(refresh=failed).exists()
    assert not RiskModel.objects.filter(refresh=failed).exists()
    assert Refresh.objects.get(is_current=True) == first


def test_too_few_admissions_to_train_is_a_clear_refusal(db, tmp_path):
    area_load(area=area_generate(people=40, seed=3, end=dt.date(2026, 11, 1)))
    with pytest.raises(RefreshError, match="too few emergency admissions"):
        population_refresh(work_dir=tmp_path)
    assert not Refresh.objects.filter(is_current=True).exists()
    assert not PersonRisk.objects.exists() and not Figure.objects.exists()
