"""Background jobs (后台任务): a database table claimed by ``jiuzhu worker`` processes.

Why an own table and not django-tasks: django-tasks 0.12 moved its database backend out into
django-tasks-db (both pre-1.0, "breaking changes may be released at any time"), and the Tasks API
(DEP 14) has no idempotency keys, no progress, no heartbeat or recovery of a task whose worker died
and no notion of who may see a task — everything this project needs. The table below is small
(one model, claiming in ~20 lines) and does exactly that, on SQLite and PostgreSQL alike.

``jobs`` is a low-level app: it imports accounts/regions/audit only. Apps register their job kinds
(``registry.register_job_kind``) and schedules (``schedule.register_schedule``) in ``AppConfig.ready``.
"""
