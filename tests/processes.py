"""What the tests ask of processes they started: through /proc, so Linux only (as CI)."""

from pathlib import Path


def children_of(pid):
    """The pids of the processes ``pid`` started that are still running."""
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return set()
    return {int(child) for child in listed.split()}


def is_running(pid):
    """Whether ``pid`` runs: a zombie is dead too, waiting only to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(") ")[2][0]
    except FileNotFoundError:
        return False
    return state != "Z"
