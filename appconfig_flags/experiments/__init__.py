"""Experiment results at hand: the Agent's treatment assignment logs, read and counted (:mod:`.assignments`).

``appconfig-flags experiments counts PATH...`` prints the entities per treatment of each
run. AppConfig does no analysis of results ("AppConfig experimentation", AWS AppConfig User Guide):
the counts say who got what; outcomes come from your own metrics.
"""
