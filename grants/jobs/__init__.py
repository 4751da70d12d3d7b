"""Background jobs: files too big to make inside a web request, made by a worker process.

- grants.models.jobs: the job row (who asked, what, state, progress, the file, why it failed).
- queue.py: the queue (Huey) that carries a job's id to a worker: a SQLite file beside the
  database under `make run`, Redis in production (`JOB_QUEUE_URL`), run at once in tests.
- kinds.py: what each kind of job makes and who may see it (areas register theirs).
- services.py: asking for a job (deduplicated, limited per person), claiming, progress and
  heartbeat, finishing, failing, retrying, requeueing the stalled, removing expired files.
- worker.py: `grantflow worker`, the process that runs them.
"""
