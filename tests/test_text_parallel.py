"""``stories.text.parallel.TextPass``: a pure pass over many texts in worker processes gives
what it gives in this process, in order, and leaves no worker behind (#11)."""

import functools
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from stories.text import names, parallel

from .processes import is_running


def _shout(text):
    return text.upper()


def _pid(_text):
    time.sleep(0.001)
    return os.getpid()


def _refuse(text):
    if text == "t137":
        raise ValueError(f"cannot read {text}")
    return text


def _dies_in_a_worker(parent, text):
    """``text``, except that a worker (not the parent) is killed at "t137", as the kernel
    kills a process out of memory."""
    if text == "t137" and os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return text


def _slow(text):
    time.sleep(0.05)
    return os.getpid()


TEXTS = [f"t{n}" for n in range(parallel.MIN_TEXTS + 50)]
ROOT = Path(__file__).resolve().parent.parent


def test_answers_come_back_in_order_from_other_processes():
    with parallel.TextPass(_shout, TEXTS, processes=2) as answers:
        assert answers.parallel
        assert list(answers) == [text.upper() for text in TEXTS]
    with parallel.TextPass(_pid, TEXTS, processes=2) as answers:
        pids = set(answers)
    assert os.getpid() not in pids and len(pids) == 2


def test_a_few_texts_or_one_process_stay_in_this_process():
    for texts, processes in [(TEXTS[: parallel.MIN_TEXTS - 1], 2), (TEXTS, 1)]:
        with parallel.TextPass(_pid, texts, processes=processes) as answers:
            assert not answers.parallel
            assert set(answers) == {os.getpid()}


def test_a_failing_text_fails_the_pass_here():
    with (
        pytest.raises(ValueError, match="cannot read t137"),
        parallel.TextPass(_refuse, TEXTS, processes=2) as answers,
    ):
        list(answers)


def test_leaving_the_block_early_stops_every_worker():
    with parallel.TextPass(_slow, TEXTS, processes=2) as answers:
        first = next(iter(answers))
        workers = list(answers._pool._processes)
    assert first in workers
    assert not any(is_running(pid) for pid in workers)


def test_the_pass_is_only_iterated_inside_its_block():
    text_pass = parallel.TextPass(_shout, TEXTS)
    with pytest.raises(RuntimeError):
        iter(text_pass)


def test_the_desk_s_names_travel_to_a_worker_whole():
    desk = names.DeskNames(
        (names.KnownPerson(7, ("Ada Quist", "Mayor Quist")),), ("Bram Ebb", "North  Pier")
    )
    body = "Ada Quist met Tom Reyes at North Pier. Bram Ebb, which runs the ferry, said no."
    copy = pickle.loads(pickle.dumps(desk))  # noqa: S301 (bytes made on the line itself)
    assert copy == desk
    assert copy.propose(body) == desk.propose(body)
    proposed = {found.name: found.key for found in desk.propose(body)}
    assert proposed == {"Ada Quist": 7, "Tom Reyes": None}
    with parallel.TextPass(desk.propose, [body] * parallel.MIN_TEXTS, processes=2) as answers:
        assert all(answer == desk.propose(body) for answer in answers)


def test_where_no_worker_can_start_the_pass_runs_here(monkeypatch, caplog):
    def no_processes(processes, function):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(parallel, "_start_pool", no_processes)
    with parallel.TextPass(_pid, TEXTS, processes=2) as answers:
        assert not answers.parallel
        assert set(answers) == {os.getpid()}
    assert "workers could not start" in caplog.text


def test_a_worker_killed_midway_leaves_the_rest_to_this_process(caplog):
    dies = functools.partial(_dies_in_a_worker, os.getpid())
    with parallel.TextPass(dies, TEXTS, processes=2) as answers:
        assert list(answers) == TEXTS
        assert not answers.parallel
    assert "workers stopped" in caplog.text


def test_a_main_script_that_imports_again_in_its_workers_does_not_hang(tmp_path):
    """A script that starts a pass on import, not under ``if __name__ == "__main__"``: each
    spawned worker runs it again and fails, and the pass is done here instead of waiting."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(ROOT)!r})
            from stories.text import parallel
            texts = [f"t{{n}}" for n in range(parallel.MIN_TEXTS + 50)]
            with parallel.TextPass(str.upper, texts, processes=2) as answers:
                print(sum(1 for a, t in zip(answers, texts) if a == t.upper()))
            """
        )
    )
    finished = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.split()[-1] == str(len(TEXTS))
    assert "goes on in one process" in finished.stderr
