"""Experiment results: from the Agent's assignment logs and your outcome events to a decision.

AppConfig runs experiments but does not analyse them ("AppConfig experimentation", AWS AppConfig
User Guide): this package joins its assignment logs with outcomes and tests each treatment against
the control. One idea per module:

* :mod:`.sql`: the statements, in DuckDB's and Athena's dialects;
* :mod:`.local`: DuckDB over local files; :mod:`.athena`: Amazon Athena over S3;
* :mod:`.collect`: the same questions asked of either engine;
* :mod:`.definition`: the experiment's arms and weights, from the catalogue or ``--weights``;
* :mod:`.stats`: Welch's t-test, Holm, the sample-ratio check (SciPy, statsmodels);
* :mod:`.text`, :mod:`.html`: the terminal table and the standalone HTML page.

Nothing here is imported by the rest of ``appconfig_flags``: the command
(:mod:`appconfig_flags.experiments.results_command`) loads it, and DuckDB, SciPy and statsmodels
come with ``pip install 'appconfig-flags[experiments]'``.
"""
