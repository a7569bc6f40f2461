"""Programs (dibao, tekun) on the case engine: the steps, guards and documents that read or change
enrollments, registered with ``jiuzhu.apps.cases.registry`` in ``ProgramsConfig.ready`` so that the
engine (``jiuzhu.apps.cases``) sits below ``enrollment`` and the apps stay acyclic."""
