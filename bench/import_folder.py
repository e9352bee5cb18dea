"""Import one folder of articles as the command does, in one batch however many files,
and print how long each stage took (JSON). Run by ``bench/run.py`` in a process of its own,
with the bench's environment, so that its peak memory is the import's.

    python bench/import_folder.py FOLDER OUTLET               # import into the database
    python bench/import_folder.py FOLDER OUTLET FIXTURE.json  # write them as a fixture

The command itself refuses a batch of more than ``batches.MAX_BATCH_FILES`` files (a day's
sources, not an archive); the benchmark lifts that limit to time ten thousand in one go.
"""

import json
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)


def main(folder, outlet, fixture=None):
    # Django is set up here, not on import: the import's worker processes start by
    # importing this script again (multiprocessing's spawn), and need none of it.
    began = time.perf_counter()
    import django

    django.setup()

    from stories.services import articles
    from stories.text import batches

    stages = {"setup": time.perf_counter() - began}
    clock = time.perf_counter()
    count = sum(1 for _ in Path(folder).iterdir())
    limits = batches.Limits(batch_files=max(count, batches.MAX_BATCH_FILES))
    batch = batches.read_batch([folder], limits=limits)
    assert not batch.refused, batch.refused[:3]
    now = time.perf_counter()
    stages["reading"], clock = now - clock, now
    if fixture:  # the rows loaddata is given: the command's own fixture, same limit lifted
        from stories.management.commands.import_articles import Command

        Command().write_fixture(Path(fixture), batch.articles, outlet)
        return
    current = ["checking"]

    def progress(stage, done, total):
        nonlocal clock
        if stage != current[0]:
            now = time.perf_counter()
            stages[current[0]], clock = now - clock, now
            current[0] = stage

    summary = articles.import_batch(batch, outlet, progress=progress)
    stages[current[0]] = time.perf_counter() - clock
    assert len(summary.imported) == count, (len(summary.imported), count)
    print(json.dumps(stages))


if __name__ == "__main__":
    main(*sys.argv[1:])
