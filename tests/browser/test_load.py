"""A small load test in the suite: people draw, slide and switch pages while another one trains.
(bench/bench_load.py runs the same driver at 8 + 1 sessions and reports latencies.)"""
from bench.load import run_load


def test_sessions_at_once_with_training_have_no_errors_and_keep_their_models(app_url):
    report = run_load(app_url, sessions=3, seconds=40, epochs=1, digits=2000)
    assert report.errors == []
    assert len(report.active_before) == 3 and len(report.active_after) == 3
    assert len(report.draws_ms) >= 3 and len(report.slides_ms) >= 3  # every session did real work
    assert report.models_changed() == []  # another session's training changed nobody's model
    assert report.trained and report.trainer_after != report.trainer_before  # but the trainer's, yes
