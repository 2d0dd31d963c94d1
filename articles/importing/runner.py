"""Run the pipeline over many files: stream them, parse in worker processes, store in batches.

Files are handled one chunk at a time; what is kept for the whole run is the file list, the
counts and failures, and the paths and content hashes seen (for vanished files and copies).
While the workers parse the next PARSING_AHEAD chunks, this process stores one, so the single
writer (SQLite allows one) overlaps the parsing.
"""

import importlib
import logging
import os
import time
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .. import search
from ..models import ImportRun
from ..strings import is_storable, printable
from . import limits, storing
from .errors import PostError
from .reading import content_hash, iter_post_files, read_bytes, relative_identity
from .sources import SKIPPED, Sources, stat_of
from .stops import DatabaseFile, ImportAborted, database_problem

VANISHED = "vanished"

BATCH_SIZE = 200
# Up to PARSING_AHEAD + 1 batches are in memory at once; 200 crawled files are about 4 MB.
MAX_BATCH_BYTES = 16 * 1024 * 1024
MAX_STORED_ERRORS = 1000
WORKER_DIED = "the process parsing it died (killed, out of memory, or crashed)"
# Chunks handed to the workers beyond the one being stored: enough for them to keep parsing
# while the writer writes a transaction's index entries and commits it (about half a second
# at 1,000 files); with 2 they ran dry there, and a cold import went 5-10% slower.
PARSING_AHEAD = 6
# SQLite's default page cache is 2 MB; the writer keeps re-reading the same index and FTS5
# segment pages while it merges, and 64 MB cut its time by about a sixth at 10,000 files.
IMPORT_CACHE_KIB = 65536
# Chunks are stored in savepoints of one transaction until it holds COMMIT_FILES files or is
# COMMIT_SECONDS old. Fewer, larger commits let the search index write fewer, larger segments
# and merge them less (see migration 0006): 200-file commits cost the 10,000-file benchmark
# 0.2 ms a file more. A killed run loses at most this transaction, never half an article.
COMMIT_FILES = 1000
COMMIT_SECONDS = 2.0

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    counts: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # "path: what was stripped or inferred"
    vanished: list = field(default_factory=list)  # identities of files gone since last time
    aborted: str = ""  # why the run stopped before its last file, if it did
    unrecorded: str = ""  # why its ImportRun could not be saved, if it could not
    run: ImportRun | None = None

    @property
    def total(self):
        return sum(self.counts.values())

    def summary(self):
        parts = [
            f"{self.counts[action]} {action}"
            for action in (
                storing.CREATED,
                storing.UPDATED,
                storing.UNCHANGED,
                storing.KEPT,
                storing.FAILED,
            )
        ]
        # Only when there are some: scripts read the five counts above.
        parts += [f"{self.counts[SKIPPED]} skipped"] if self.counts[SKIPPED] else []
        parts += [f"{len(self.vanished)} vanished"] if self.vanished else []
        return f"{self.total} files: " + ", ".join(parts)


def unstorable(rel_path):
    """Why a name that is not UTF-8 fails, with a guess at what it says: archives unpacked
    on a Chinese Windows machine name their files in GBK."""
    raw = rel_path.encode("utf-8", "surrogateescape")
    try:
        guess = f"; as GBK it reads '{printable(raw.decode('gb18030'))}'"
    except UnicodeDecodeError:
        guess = ""
    return f"file name is not valid UTF-8 and cannot be stored; rename the file{guess}"


def pipeline(module="pipeline"):
    """The parsing code (lxml, nh3, YAML, Markdown, OpenCC), imported on the first file that
    needs parsing: half of this process's start-up, which a re-run that finds nothing
    changed never needs."""
    return importlib.import_module(f"{__package__}.{module}")


def file_chunks(files, size=BATCH_SIZE, max_bytes=MAX_BATCH_BYTES):
    """Chunks of (root, path, stat, is a link) of at most `size` files and, unless one file is
    bigger on its own, `max_bytes` of file data: 200 files near the 5 MB limit would be a
    gigabyte. The stat goes along so triage need not take it again."""
    chunk, total = [], 0
    for root, path in files:
        file_stat, link = stat_of(path)
        size_of = file_stat[0] if file_stat else 0
        if chunk and (len(chunk) >= size or total + size_of > max_bytes):
            yield chunk
            chunk, total = [], 0
        chunk.append((root, path, file_stat, link))
        total += size_of
    if chunk:
        yield chunk


def enlarge_sqlite_cache():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")


def chunked(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass
class Parsing:
    """One chunk handed to the workers: what was asked, of which pool, and its results."""

    work: object
    tasks: list
    executor: ProcessPoolExecutor
    results: object


class Workers:
    """The parsing processes. One that dies (killed by the OOM killer or an operator, or a
    crash in lxml's or nh3's native code) left a multiprocessing.Pool waiting forever; here
    its pool is replaced and its chunk parsed again a file at a time, so a file that kills
    its worker every time fails alone and the run goes on. Not every time: on Python 3.11 a
    worker killed at an unlucky moment can still leave the executor hanging (it happened once
    in a test that killed a worker mid-import, so that test is not in the suite)."""

    def __init__(self, jobs, bounds):
        self.jobs, self.bounds = jobs, bounds
        self.executor = self.start()

    def start(self):
        return ProcessPoolExecutor(
            self.jobs,
            mp_context=pipeline().worker_context(),
            initializer=pipeline().worker_start,
            initargs=(self.bounds, os.getpid()),
        )

    def submit(self, work, tasks):
        try:
            results = self.executor.map(work, tasks, chunksize=8)
        except BrokenProcessPool:  # a worker died while idle
            self.replace(self.executor)
            results = self.executor.map(work, tasks, chunksize=8)
        return Parsing(work, tasks, self.executor, results)

    def results(self, parsing):
        try:
            return list(parsing.results)
        except BrokenProcessPool:
            self.replace(parsing.executor)
        results = []
        for task in parsing.tasks:
            try:
                results.append(self.executor.submit(parsing.work, task).result())
            except BrokenProcessPool:
                self.replace(self.executor)
                results.append(pipeline().Failure(task[0], WORKER_DIED))
        return results

    def replace(self, broken):
        if self.executor is broken:
            broken.shutdown(wait=False, cancel_futures=True)
            self.executor = self.start()

    def close(self):
        self.executor.shutdown()


class Importer:
    """One run. `report(outcome)` is called once per file, in order, as results arrive."""

    def __init__(
        self,
        *,
        zone_name,
        jobs=1,
        force=False,
        checksum=False,
        dry_run=False,
        report=None,
        counted=None,
        command="import_articles",
        arguments="",
        reprocess=False,
        prune=False,
        engine="",
    ):
        self.zone_name = zone_name
        self.engine = engine  # hexo, jekyll, hugo or zola: overrides what the site says
        self.sites = {}  # folder -> Site, found once per folder
        self.jobs = max(1, jobs)
        self.force = force
        self.checksum = checksum  # read and hash every file, whatever its stat says
        self.file_stats = {}  # rel_path -> (size, mtime_ns) of files sent to be parsed
        self.dry_run = dry_run
        self.reprocess = reprocess
        self.report = report or (lambda outcome: None)
        self.counted = counted or (lambda total: None)  # told how many files, before the first
        self.result = ImportResult()
        self.command, self.arguments = command, printable(arguments)
        self.limits = limits.Limits.from_settings(settings)
        self.database_file = None
        self.sources = None
        self.prune = prune
        # article id -> (published_at, search document) stored but not yet in the index
        self.unindexed = {}

    def run(self, paths):
        self.sources = Sources(paths)
        # Listed first, for the count: the walk is the same one, and at 100,000 files the
        # list is about 30 MB (2.8 MB measured at 10,000 crawled files).
        files = list(iter_post_files(paths))
        self.counted(len(files))
        return self.run_tasks("process_post", (self.triage(chunk) for chunk in file_chunks(files)))

    def run_stored(self, article_ids):
        """Re-run parse/clean/sanitize over the raw text kept with these articles."""
        return self.run_tasks(
            "process_stored_task",
            (
                [
                    (path, text, digest, self.zone_name, context)
                    for path, text, digest, context in chunk
                ]
                for chunk in chunked(storing.raw_sources(article_ids), BATCH_SIZE)
            ),
        )

    def run_tasks(self, work, task_chunks):
        limits.use(self.limits)  # for what this process parses and reads itself
        parsed = None
        try:
            self.start_record()
            self.database_file = DatabaseFile.of(connection)
            enlarge_sqlite_cache()
            parsed = self.parsed(work, task_chunks)
            while self.store_group(parsed):
                pass
            if self.sources and not self.reprocess:
                self.find_vanished()
        except (DatabaseError, ImportAborted) as error:
            # A write lock held past the busy timeout, a lost server, a deleted database file:
            # no later file can be stored either, so the run stops, and says why.
            reason = str(error) if isinstance(error, ImportAborted) else database_problem(error)
            self.result.aborted = f"stopped after {self.result.total} files: {reason}"
            raise ImportAborted(self.result.aborted, self.result) from error
        except BaseException as error:
            # A bug or Ctrl-C: the traceback is the report, but the ImportRun must not say
            # the run finished as if every file after this one had been looked at.
            what = "interrupted" if isinstance(error, KeyboardInterrupt) else repr(error)[:500]
            self.result.aborted = f"stopped after {self.result.total} files: {what}"
            raise
        finally:
            if parsed is not None:
                parsed.close()  # stops the workers
            self.finish_record()
        return self.result

    def parsed(self, work, task_chunks):
        """Each chunk's results in order, while the workers parse the next chunks."""
        workers, pending = None, deque()
        try:
            for tasks in task_chunks:
                if tasks and isinstance(work, str):  # the pipeline's entry point, by name
                    work = getattr(pipeline(), work)
                if workers is None and tasks and self.jobs > 1:
                    # Started on the first file that needs parsing: a re-run where nothing
                    # changed never pays for starting the workers.
                    workers = Workers(self.jobs, self.limits)
                pending.append(workers.submit(work, tasks) if workers else (work, tasks))
                if len(pending) > PARSING_AHEAD:
                    yield self.results_of(pending.popleft(), workers)
            while pending:
                yield self.results_of(pending.popleft(), workers)
        finally:
            if workers:
                workers.close()

    def store_group(self, parsed):
        """Store chunks in one transaction until it holds COMMIT_FILES files or is
        COMMIT_SECONDS old; their outcomes are reported once it has committed.

        Returns False when there was nothing left to store.
        """
        batches, outcomes, started = [], [], time.monotonic()
        stored = False
        try:
            with transaction.atomic():
                for results in parsed:
                    batches.append(self.articles_of(results))
                    outcomes.extend(self.store(batches[-1]))
                    if (
                        len(outcomes) >= COMMIT_FILES
                        or time.monotonic() - started >= COMMIT_SECONDS
                    ):
                        break
                stored = True
                self.write_index()
                if self.database_file:
                    self.database_file.check()  # before the commit: it would be lost
        except (DatabaseError, ValueError):
            self.unindexed.clear()
            if not stored:
                raise
            # The index or the commit failed (a deferred constraint, a full disk) and took the
            # whole group with it: store each file again in its own transaction, so only its
            # culprit fails.
            outcomes = [
                outcome for items in batches for item in items for outcome in self.alone(item)
            ]
        # All counted before any is reported: Ctrl-C while the outcomes are printed must not
        # leave the run's record short of what this commit stored.
        for outcome in outcomes:
            self.tally(outcome)
        for outcome in outcomes:
            self.report(outcome)
        return bool(batches)

    def triage(self, chunk):
        """Only new or changed files go on to be parsed.

        A file whose size and mtime still match what was stored is unchanged without being
        read (rsync's quick check); otherwise it is read and its content hash decides. A new
        file is read by the worker that parses it: this process, the single writer, never
        needs its bytes.
        """
        # The stat was taken before the read: a file that changes in between looks changed
        # next time.
        files = []
        for root, path, file_stat, link in chunk:
            rel_path = relative_identity(root, path)
            if not is_storable(rel_path):
                self.record(storing.Outcome(rel_path, storing.FAILED, error=unstorable(rel_path)))
                continue
            refused = self.sources.refusal(root, rel_path, path, file_stat, link)
            if refused:
                action, reason = refused
                error, note = (reason, "") if action == storing.FAILED else ("", reason)
                self.record(storing.Outcome(rel_path, action, error=error, note=note))
                continue
            files.append((rel_path, path, file_stat, self.sources.root_of(root)))
        known = storing.known_identities([rel for rel, _, _, _ in files])
        tasks, touched, rooted = [], {}, {}
        for rel_path, path, file_stat, real_root in files:
            prior = known.get(rel_path) if not self.force else None
            if prior:
                self.sources.duplicate_of(rel_path, prior.content_hash)
                if real_root and prior.root != real_root:
                    rooted[prior.pk] = real_root
            if prior and not self.checksum and file_stat == (prior.size, prior.mtime_ns):
                self.record(storing.Outcome(rel_path, storing.UNCHANGED))
                continue
            if prior:
                try:
                    data = read_bytes(path)
                except PostError as error:
                    self.record(storing.Outcome(rel_path, storing.FAILED, error=str(error)))
                    continue
                if prior.content_hash == content_hash(data):
                    self.record(storing.Outcome(rel_path, storing.UNCHANGED))
                    if file_stat and file_stat != (prior.size, prior.mtime_ns):
                        touched[prior.pk] = file_stat
                    continue
            self.file_stats[rel_path] = (file_stat, real_root)
            context = self.context_of(path, rel_path, file_stat)
            tasks.append((rel_path, data if prior else path, self.zone_name, context))
        if touched and not self.dry_run:
            storing.remember_stats(touched)
        if rooted and not self.dry_run:
            storing.remember_roots(rooted)
        return tasks

    def context_of(self, path, rel_path, file_stat):
        """The file's site (the nearest configuration above it) and its time."""
        folder = os.path.dirname(os.path.abspath(path))
        site = self.sites.get(folder)
        if site is None:
            site = self.sites[folder] = pipeline("engines").find_site(folder, self.engine)
        site_path = rel_path
        if site.root:
            site_path = os.path.relpath(os.path.abspath(path), site.root).replace(os.sep, "/")
        return pipeline("engines").FileContext(site, site_path, file_stat[1] if file_stat else None)

    def results_of(self, parsing, workers):
        if isinstance(parsing, tuple):  # no workers: parse here, now
            work, tasks = parsing
            return [work(task) for task in tasks]
        return workers.results(parsing)

    def articles_of(self, results):
        """The parsed articles of a chunk, with the stat of their files; parse failures are
        reported here and now."""
        items, failure = [], pipeline().Failure
        for result in results:
            file_stat, real_root = self.file_stats.pop(result.rel_path, (None, ""))
            if isinstance(result, failure):
                self.record(storing.Outcome(result.rel_path, storing.FAILED, error=str(result)))
                continue
            first = self.sources and self.sources.duplicate_of(result.rel_path, result.content_hash)
            if first:
                note = f"the same bytes as {printable(first)}; imported once, as that file"
                self.record(storing.Outcome(result.rel_path, SKIPPED, note=note))
                continue
            result.source_stat, result.source_root = file_stat, real_root
            items.append(result)
        return items

    def store(self, items):
        """Store articles inside the caller's transaction; returns their outcomes."""
        if not items:
            return []
        if self.dry_run:
            outcomes = storing.plan_batch(items, force=self.force, reprocess=self.reprocess)
        else:
            outcomes = storing.store_batch(items, force=self.force, reprocess=self.reprocess)
            for item, outcome in zip(items, outcomes, strict=True):
                if outcome.action in (storing.CREATED, storing.UPDATED):
                    self.unindexed[outcome.article_id] = (item.published_at, item.search_document)
        notes = {item.rel_path: item.notes for item in items}
        for item in items:
            if item.encoding == "gb18030":
                item.notes.insert(0, "not UTF-8, decoded as GB18030")
        for outcome in outcomes:
            outcome.note = "; ".join(notes.get(outcome.rel_path) or ())
        return outcomes

    def write_index(self):
        """The index entries of what the transaction stored, written in it before it commits:
        an article is never stored without its entry.

        Once per transaction, not per batch: FTS5 writes out the entries it gathers in memory
        at every savepoint's release, and a segment per commit is fewer, larger segments to
        write and merge. The workers tokenized the text already; only the insert is left.
        """
        search.write_documents(self.unindexed)
        self.unindexed.clear()

    def alone(self, item):
        """Store one file in its own transaction, index included: its failure is its own."""
        try:
            with transaction.atomic():
                outcomes = self.store([item])
                self.write_index()
        except (DatabaseError, ValueError) as error:
            self.unindexed.clear()
            return [storing.refused(item.rel_path, error)]
        return outcomes

    def record(self, outcome):
        self.tally(outcome)
        self.report(outcome)

    def tally(self, outcome):
        self.result.counts[outcome.action] += 1
        shown = printable(outcome.rel_path)
        if outcome.note and outcome.action != storing.FAILED:
            self.result.warnings.append(f"{shown}: {outcome.note}")
        if outcome.action == storing.FAILED:
            # 'PATH: reason' or, from a worker, already 'PATH:LINE: reason'.
            outcome.error = printable(
                outcome.error.removeprefix(outcome.rel_path).removeprefix(": ")
            )
            outcome.error = f"{shown}{'' if outcome.error[:1] == ':' else ': '}{outcome.error}"
            self.result.failures.append(outcome.error)

    def find_vanished(self):
        """Articles imported from a directory root of this run whose file is gone: reported,
        and with --prune unpublished (never deleted: an editor may want them back)."""
        gone = storing.vanished(self.sources.seen)
        for rel_path, _ in gone:
            self.result.vanished.append(rel_path)
            still = "unpublished (--prune)" if self.prune and not self.dry_run else "still public"
            note = f"source file gone since the last import; {still}"
            self.result.warnings.append(f"{printable(rel_path)}: {note}")
            self.report(storing.Outcome(rel_path, VANISHED, note=note))
        if gone and self.prune and not self.dry_run:
            storing.unpublish([pk for _, pk in gone])

    def start_record(self):
        if not self.dry_run:
            self.result.run = ImportRun.objects.create(
                command=self.command, arguments=self.arguments, dry_run=self.dry_run
            )

    def finish_record(self):
        run = self.result.run
        if run is None:
            return
        for action in ("created", "updated", "unchanged", "kept", "failed"):
            setattr(run, action, self.result.counts[action])
        run.errors = self.result.failures[:MAX_STORED_ERRORS]
        run.warnings = self.result.warnings[:MAX_STORED_ERRORS]
        run.finished_at = timezone.now()
        run.aborted = self.result.aborted
        run.vanished = len(self.result.vanished)
        if self.database_file and self.database_file.gone():
            self.result.unrecorded = "the database file is gone"
            return
        try:
            run.save()
        except DatabaseError as error:  # the lock is still held, the server still down
            self.result.unrecorded = database_problem(error)
            return
        logger.info(
            "%s run %s finished: %s",
            self.command,
            run.pk,
            self.result.summary(),
        )


def reprocess_articles(article_ids=None, **options):
    """Rebuild articles from their stored raw text (all of them when ids is None)."""
    options.setdefault("command", "reprocess_articles")
    return Importer(reprocess=True, **options).run_stored(article_ids)


def import_paths(paths, **options):
    """Import files and directories; see Importer for the options. Returns an ImportResult."""
    return Importer(**options).run(paths)
