"""What the commands show on a terminal: a progress bar for long runs, and aligned tables.

Both write through a command's ``self.stdout`` (Django's ``OutputWrapper``). A hand-made
bar rather than tqdm: it is a dozen lines, needs no dependency, and writes through the same
wrapper the rest of the output does, so tests capture it like any output.
"""

from django.utils.text import Truncator

__all__ = ["ProgressBar", "cut", "cut_left", "table"]


class ProgressBar:
    """``bar(stage, done, total)`` redraws one line with ``\\r``; ``close()`` clears it.

    Only on a terminal (a file or a pipe gets no bar, so logs stay clean), and only for runs
    of at least ``min_total`` steps: a short run is over before a bar could be read. The line
    is redrawn when the stage or the percentage changes, not on every step.
    """

    WIDTH = 30

    def __init__(self, stream, *, min_total=20):
        self.stream = stream
        self.min_total = min_total
        self.enabled = stream.isatty()
        self.shown = None
        self.length = 0

    def __call__(self, stage, done, total):
        if not self.enabled or total < self.min_total:
            return
        shown = (stage, 100 * done // total)
        if shown == self.shown:
            return
        self.shown = shown
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        line = f"{stage.capitalize():<11} [{bar}] {done}/{total}"
        self.stream.write("\r" + line.ljust(self.length), ending="")
        self.stream.flush()
        self.length = len(line)

    def close(self):
        """Clear the bar, so what is written next starts on a clean line."""
        if self.length:
            self.stream.write("\r" + " " * self.length + "\r", ending="")
            self.stream.flush()
            self.length = 0
            self.shown = None


def table(headers, rows):
    """Lines of text with each column as wide as its widest cell, under a rule."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells):
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(headers), line("-" * width for width in widths), *(line(row) for row in rows)]


def cut(text, width):
    """``text`` cut to ``width`` characters at its end, with an ellipsis."""
    return Truncator(text).chars(width)


def cut_left(text, width):
    """``text`` cut to ``width`` characters at its start: a path keeps its file's name."""
    return text if len(text) <= width else "…" + text[len(text) - width + 1 :]
