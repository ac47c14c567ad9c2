"""One module per study, each defining ``STUDY`` (a :class:`spinsweep.workflow.study.Study`) and its stages.

Adding a study is adding a module here, its schema ``config/schema/<name>.schema.yaml``, its rule file
``workflow/rules/<name>.smk`` and its captions; see :mod:`spinsweep.workflow.study`.
"""
