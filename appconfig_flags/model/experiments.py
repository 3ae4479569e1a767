"""Experiments: AppConfig experimentation declared next to the flag it tests, validated with the profile.

An :class:`Experiment` names a flag of its profile, the environment it runs in, an audience rule
(the variant rule language), a control and one to five treatments, each a value of the flag that is
checked against the flag's attributes like any other value. An :class:`ExperimentRun` is its run:
the share of the audience exposed, and entities pinned to a treatment. Limits, from the public
pages "AWS::AppConfig::ExperimentDefinition" and "AWS::AppConfig::ExperimentRun" (CloudFormation
User Guide) and the AppConfig API reference (CreateExperimentDefinition, StartExperimentRun): each
constant below cites its own.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import rules
from .attributes import AttributeValue, value_to_json
from .flag import Flag
from .problems import Problem
from .targeting.rule import Rule

if TYPE_CHECKING:
    from .targeting.context import ContextDeclaration

#: ExperimentDefinition ``Name``: ``^(?!AWS\.).{1,64}$`` (``.`` takes no line feed). Compiled on first use.
EXPERIMENT_NAME = r"(?!AWS\.)[^\n\r]{1,64}"
#: ExperimentDefinition ``Treatments``: 1 to 5 (besides the ``Control``).
TREATMENTS_MIN, TREATMENTS_MAX = 1, 5
#: Treatment ``Key``: ``^[a-zA-Z0-9]{1,8}``, held to the whole key [I] (it is written ``__key__`` in answers).
TREATMENT_KEY = r"[a-zA-Z0-9]{1,8}"
#: ExperimentDefinition ``AudienceRule``: 1 to 16384 characters, the variant rule language.
AUDIENCE_RULE_MAX = 16384
#: ``Hypothesis``, ``LaunchCriteria``, ``AudienceDescription``, Treatment and run ``Description``: at most 1024.
TEXT_MAX = 1024
#: ExperimentRun ``ExposurePercentage``: 0 to 100.
EXPOSURE_MIN, EXPOSURE_MAX = 0, 100
#: ``TreatmentOverrides.Inline``: at most 32 entries (API reference, TreatmentOverrideMap).
OVERRIDES_MAX = 32
#: ``EntityId`` (an override's key): 1 to 2048 characters.
ENTITY_ID_MAX = 2048
#: The control's key when it is not given [I]: answers name it ``__c__``, assignment logs ``c``.
CONTROL_KEY = "c"


@dataclass(frozen=True, slots=True, kw_only=True)
class Treatment:
    """One arm of an experiment: the flag's value (``enabled``, ``values``) for the entities assigned to it.

    ``weight``: its relative share of the exposed audience (a number >= 0; whether weights must sum to
    100 is not documented, so they are relative). ``key``: ``[a-zA-Z0-9]{1,8}``; Default: ``c`` for
    the control, ``t1``, ``t2``... by position for the treatments. ``description``: at most 1024 characters.
    """

    enabled: bool
    weight: float
    values: Mapping[str, AttributeValue] = field(default_factory=dict)
    key: str | None = None
    description: str | None = None

    def value_json(self) -> dict[str, Any]:
        """The flag value this treatment serves, as a document's ``values`` entry holds one."""
        return {"enabled": self.enabled, **{k: value_to_json(v) for k, v in self.values.items()}}


@dataclass(frozen=True, slots=True, kw_only=True)
class ExperimentRun:
    """A run of an experiment: ``exposure`` percent (0 to 100) of the audience enters it.

    ``overrides`` pins entities to a treatment key (``{"user-1": "t1"}``; at most 32). Raising
    ``exposure`` later updates the run; lowering it is refused by AppConfig (UpdateExperimentRun), and
    ``appconfig-flags diff`` reports it as an error. ``description``: Default: none.
    """

    exposure: float
    overrides: Mapping[str, str] = field(default_factory=dict)
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Experiment:
    """An AppConfig experiment on ``flag`` in ``environment``: who may enter (``audience``) and what they get.

    ``flag``: a :class:`Flag` of the profile (or its key); the profile must give it a value in
    ``environment``, where it is deployed before the experiment starts. ``audience``: a
    :class:`Rule` or rule text, checked like a variant rule against the profile's ``context``.
    ``control``: the value entities get when not treated; ``treatments``: 1 to 5 other values.
    ``hypothesis``, ``launch_criteria``, ``audience_description``: at most 1024 characters each;
    Default: none. ``run``: Default: none (the definition only; no entity is exposed).
    """

    name: str
    flag: Flag | str
    environment: str
    audience: Rule | str
    control: Treatment
    treatments: tuple[Treatment, ...]
    hypothesis: str | None = None
    launch_criteria: str | None = None
    audience_description: str | None = None
    run: ExperimentRun | None = None

    @property
    def flag_key(self) -> str:
        """The key of the flag under test."""
        return self.flag.key if isinstance(self.flag, Flag) else self.flag

    @property
    def audience_text(self) -> str:
        """The audience rule as AppConfig receives it (a :class:`Rule`'s canonical text)."""
        return str(self.audience) if isinstance(self.audience, Rule) else self.audience

    def control_key(self) -> str:
        """The control's key (Default: ``c``)."""
        return self.control.key if self.control.key is not None else CONTROL_KEY

    def treatment_keys(self) -> tuple[str, ...]:
        """Each treatment's key, in order (Default: ``t1``, ``t2``...)."""
        return tuple(t.key if t.key is not None else f"t{index + 1}" for index, t in enumerate(self.treatments))

    def arms(self) -> tuple[tuple[str, Treatment], ...]:
        """(key, treatment) for the control, then each treatment."""
        return ((self.control_key(), self.control), *zip(self.treatment_keys(), self.treatments))

    def to_json(self) -> dict[str, Any]:
        """The experiment as JSON data (what ``appconfig-flags diff`` compares)."""
        out: dict[str, Any] = {
            "name": self.name, "flag": self.flag_key, "environment": self.environment,
            "audience": self.audience_text,
            "arms": {key: {"weight": t.weight, **t.value_json(),
                           **({"description": t.description} if t.description is not None else {})}
                     for key, t in self.arms()},
        }
        for name in ("hypothesis", "launch_criteria", "audience_description"):
            if (text := getattr(self, name)) is not None:
                out[name] = text
        if self.run is not None:
            out["run"] = {"exposure": self.run.exposure, "overrides": dict(self.run.overrides),
                          **({"description": self.run.description} if self.run.description is not None else {})}
        return out


# -- checks ----------------------------------------------------------------------------------------
def experiment_problems(experiments: Any, *, profile: str, flags: Mapping[str, Flag], environments: tuple[str, ...] | None,
                        context: ContextDeclaration | None, strict: bool) -> tuple[list[Problem], list[Problem]]:
    """Every problem (and rule warning) of a profile's ``experiments``; paths ``Profile@Env/experiments/<name>/...``.

    ``flags``: the profile's flags by key; ``environments``: its declared environment names (``None``: any).
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if type(experiments) not in (tuple, list):
        return [Problem(f"{profile}/experiments", "field-type", "experiments is a tuple or list of Experiment objects",
                        experiments)], []
    names: set[str] = set()
    for index, experiment in enumerate(experiments):
        if not isinstance(experiment, Experiment):
            problems.append(Problem(f"{profile}/experiments[{index}]", "object-type", "experiments holds Experiment objects",
                                    experiment))
            continue
        check = _ExperimentCheck(experiment, profile=profile, index=index)
        check.fields()
        if check.problems:  # types first: nothing below reads a field of the wrong type
            problems += check.problems
            continue
        if experiment.name in names:
            check.bad("", "experiment-name", "two experiments of the profile share this name", experiment.name)
        names.add(experiment.name)
        check.name()
        check.target(flags, environments)
        check.audience(context, warnings)
        check.arms(flags.get(experiment.flag_key), strict=strict)
        check.run()
        problems += check.problems
    return problems, warnings


class _ExperimentCheck:
    __slots__ = ("experiment", "path", "problems")

    def __init__(self, experiment: Experiment, *, profile: str, index: int) -> None:
        self.experiment = experiment
        name = experiment.name if isinstance(experiment.name, str) else f"[{index}]"
        environment = experiment.environment if isinstance(experiment.environment, str) else "?"
        self.path = f"{profile}@{environment}/experiments/{name}"
        self.problems: list[Problem] = []

    def bad(self, where: str, rule: str, message: str, value: Any) -> None:
        self.problems.append(Problem(f"{self.path}/{where}".rstrip("/"), rule, message, value))

    # -- Python types ---------------------------------------------------------------------------
    def fields(self) -> None:
        e = self.experiment
        for name in ("name", "environment"):
            if not isinstance(getattr(e, name), str):
                self.bad(name, "field-type", f"{name} is a string", getattr(e, name))
        if not isinstance(e.flag, (Flag, str)) or not isinstance(e.flag_key, str):
            self.bad("flag", "field-type", "flag is a Flag or a flag key", e.flag)
        if not isinstance(e.audience, (Rule, str)):
            self.bad("audience", "field-type", "audience is a Rule or rule text", e.audience)
        for name in ("hypothesis", "launch_criteria", "audience_description"):
            if getattr(e, name) is not None and not isinstance(getattr(e, name), str):
                self.bad(name, "field-type", f"{name} is a string or None", getattr(e, name))
        if not isinstance(e.control, Treatment):
            self.bad("control", "object-type", "control is a Treatment", e.control)
        if type(e.treatments) not in (tuple, list):
            self.bad("treatments", "field-type", "treatments is a tuple or list of Treatment objects", e.treatments)
        else:
            for index, treatment in enumerate(e.treatments):
                if not isinstance(treatment, Treatment):
                    self.bad(f"treatments[{index}]", "object-type", "treatments holds Treatment objects", treatment)
        for where, treatment in self._treatments():
            self._treatment_fields(where, treatment)
        run = e.run
        if run is not None and not isinstance(run, ExperimentRun):
            self.bad("run", "object-type", "run is an ExperimentRun or None", run)
        elif run is not None:
            if not rules.is_number(run.exposure):
                self.bad("run/exposure", "field-type", "exposure is a number of percent (not a bool)", run.exposure)
            if not isinstance(run.overrides, Mapping) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in run.overrides.items()):
                self.bad("run/overrides", "field-type", "overrides maps entity ids to treatment keys (strings)",
                         run.overrides)
            if run.description is not None and not isinstance(run.description, str):
                self.bad("run/description", "field-type", "description is a string or None", run.description)

    def _treatments(self) -> Iterator[tuple[str, Treatment]]:
        e = self.experiment
        if isinstance(e.control, Treatment):
            yield "control", e.control
        if type(e.treatments) in (tuple, list):
            yield from ((f"treatments[{i}]", t) for i, t in enumerate(e.treatments) if isinstance(t, Treatment))

    def _treatment_fields(self, where: str, t: Treatment) -> None:
        if t.enabled is not True and t.enabled is not False:
            self.bad(f"{where}/enabled", "field-type", "enabled is True or False", t.enabled)
        if not rules.is_number(t.weight):
            self.bad(f"{where}/weight", "field-type", "weight is a number (not a bool)", t.weight)
        if not isinstance(t.values, Mapping) or not all(isinstance(k, str) for k in t.values):
            self.bad(f"{where}/values", "field-type", "values maps attribute keys to values", t.values)
        for name in ("key", "description"):
            if getattr(t, name) is not None and not isinstance(getattr(t, name), str):
                self.bad(f"{where}/{name}", "field-type", f"{name} is a string or None", getattr(t, name))

    # -- AppConfig's limits ---------------------------------------------------------------------
    def name(self) -> None:
        name = self.experiment.name
        if not re.fullmatch(EXPERIMENT_NAME, name):
            self.bad("", "experiment-name", "an experiment name has 1 to 64 characters, no line feed, and does not "
                     "start with 'AWS.'", name)

    def target(self, flags: Mapping[str, Flag], environments: tuple[str, ...] | None) -> None:
        e = self.experiment
        flag = flags.get(e.flag_key)
        if flag is None:
            self.bad("flag", "experiment-flag", f"the experiment's flag is a flag of this profile (it has {sorted(flags)})",
                     e.flag_key)
        elif isinstance(e.flag, Flag) and e.flag is not flag and e.flag != flag:
            self.bad("flag", "experiment-flag", "the flag object is not the profile's flag of this key", e.flag_key)
        elif len(e.flag_key) < 2:
            # CreateExperimentDefinition's FlagKey is ^[a-z][a-zA-Z0-9_-]{1,64}: two characters at least.
            self.bad("flag", "experiment-flag", "an experiment's flag key has at least 2 characters", e.flag_key)
        elif not flag.has_value:
            self.bad("flag", "experiment-flag", "the flag has no value to deploy, so it is not deployed to the "
                     "environment", e.flag_key)
        if environments is not None and e.environment not in environments:
            self.bad("environment", "unknown-environment", f"the environments are {sorted(environments)}", e.environment)

    def audience(self, context: ContextDeclaration | None, warnings: list[Problem]) -> None:
        text = self.experiment.audience_text
        if not 1 <= len(text) <= AUDIENCE_RULE_MAX:
            self.bad("audience", "experiment-audience", f"an audience rule has 1 to {AUDIENCE_RULE_MAX} characters",
                     text if len(text) <= 80 else f"{len(text)} characters")
            return
        from .targeting.rule import check_rule

        checked = check_rule(text, path=f"{self.path}/audience", context=context)
        self.problems += checked.problems
        warnings += checked.warnings

    def arms(self, flag: Flag | None, *, strict: bool) -> None:
        e = self.experiment
        count = len(e.treatments)
        if not TREATMENTS_MIN <= count <= TREATMENTS_MAX:
            self.bad("treatments", "experiment-treatments",
                     f"an experiment has {TREATMENTS_MIN} to {TREATMENTS_MAX} treatments besides the control", count)
        seen: set[str] = set()
        total = 0.0
        for (where, treatment), (key, _) in zip(self._treatments(), e.arms()):
            if not re.fullmatch(TREATMENT_KEY, key):
                self.bad(f"{where}/key", "treatment-key", "a treatment key is 1 to 8 ASCII letters or digits", key)
            elif key in seen:
                self.bad(f"{where}/key", "treatment-key", "two treatments of the experiment share this key", key)
            seen.add(key)
            if treatment.weight < 0:
                self.bad(f"{where}/weight", "treatment-weight", "a weight is 0 or more", treatment.weight)
            total += max(0.0, treatment.weight)
            if treatment.description is not None and len(treatment.description) > TEXT_MAX:
                self.bad(f"{where}/description", "experiment-text", f"a description has at most {TEXT_MAX} characters",
                         len(treatment.description))
            if flag is not None:
                self._value(where, treatment, flag, strict=strict)
        if total == 0 and count:
            self.bad("treatments", "treatment-weight", "the weights add up to 0: no entity could be assigned", 0)
        for name in ("hypothesis", "launch_criteria", "audience_description"):
            text = getattr(e, name)
            if text is not None and len(text) > TEXT_MAX:
                self.bad(name, "experiment-text", f"{name} has at most {TEXT_MAX} characters", len(text))

    def _value(self, where: str, treatment: Treatment, flag: Flag, *, strict: bool) -> None:
        """The treatment's value against the flag's attributes: the rules of any value in a document (schema.py)."""
        from .schema import check_definitions, check_values

        definition = {flag.key: flag.definition_json()}
        known, _, _ = check_definitions(definition, path=self.path)
        try:
            value = treatment.value_json()
        except (TypeError, ValueError) as exc:
            self.bad(f"{where}/values", "attribute-value", str(exc), dict(treatment.values))
            return
        found, _ = check_values({where: value}, {where: definition[flag.key]}, {where: known[flag.key]}, path=self.path,
                                partial=True)
        self.problems += found
        if strict:
            declared = {a.key for a in flag.attributes}
            for key in treatment.values:
                if key not in declared:
                    self.bad(f"{where}/{key}", "undeclared-attribute", f"the flag declares only {sorted(declared)}", key)

    def run(self) -> None:
        run = self.experiment.run
        if run is None:
            return
        if not EXPOSURE_MIN <= run.exposure <= EXPOSURE_MAX:
            self.bad("run/exposure", "experiment-exposure",
                     f"exposure is a percentage from {EXPOSURE_MIN} to {EXPOSURE_MAX}", run.exposure)
        if run.description is not None and len(run.description) > TEXT_MAX:
            self.bad("run/description", "experiment-text", f"a description has at most {TEXT_MAX} characters",
                     len(run.description))
        if len(run.overrides) > OVERRIDES_MAX:
            self.bad("run/overrides", "experiment-overrides", f"at most {OVERRIDES_MAX} entities are overridden",
                     len(run.overrides))
        keys = {key for key, _ in self.experiment.arms()}
        for entity, key in run.overrides.items():
            if not 1 <= len(entity) <= ENTITY_ID_MAX:
                self.bad("run/overrides", "experiment-overrides", f"an entity id has 1 to {ENTITY_ID_MAX} characters",
                         entity if len(entity) <= 80 else f"{len(entity)} characters")
            if key not in keys:
                self.bad(f"run/overrides/{entity}", "experiment-overrides",
                         f"an override names a treatment key of the experiment ({sorted(keys)})", key)
