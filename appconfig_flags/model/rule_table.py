"""Every rule the model checks, by id, with its source tag (``docs/flag-model.md``) and what it asks.

Re-exported as ``rules.RULES`` and ``rules.Rule``; the limits and grammars themselves are in :mod:`.rules`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """One check: its id (``Problem.rule``), its source tag, and what it asks, in a line."""

    id: str
    source: str
    summary: str
    #: True when a breach is a warning: AppConfig may take the document ([?] in docs/flag-model.md).
    warning: bool = False


_PROBLEMS = (
    Rule("json", "S1", "the content is JSON text (no NaN or Infinity)"),
    Rule("duplicate-key", "S2, S4 [I]", "a key appears once in its JSON object; flags and attributes have unique keys"),
    Rule("content-size", "S10, S11", "the rendered document fits the hosted configuration quota (2,048 KB by default)"),
    Rule("json-type", "S1", "each member has the JSON type the schema gives it (object, array, string, boolean)"),
    Rule("unknown-key", "S1", "objects hold only the keys the schema lists (additionalProperties: false)"),
    Rule("version", "S1", 'the document has "version": "1" (a string)'),
    Rule("flag-key", "S1", "a flag key matches ^[a-z][a-zA-Z0-9_-]{0,63}$ (ASCII only)"),
    Rule("attribute-key", "S1, S2", "an attribute key matches the key pattern and is not 'enabled'"),
    Rule("name", "S1", "a flag or variant name has 1 to 64 characters and no line feed"),
    Rule("description", "S1", "a description has at most 1024 characters"),
    Rule("deprecation", "S1", '_deprecation holds status "planned" and a date written YYYY-MM-DD ([I] format: date)'),
    Rule("attributes-max", "S1 ([I] for basic values)", "at most 25 attributes per flag, per flag value and per variant"),
    Rule("constraint-type", "S1", "constraints have type string, number, boolean or array; array elements string or number"),
    Rule("pattern-and-enum", "S1", "string constraints have a pattern or an enum, not both"),
    Rule("pattern", "S1, [I]", "a pattern has at most 1024 characters and is a regular expression that compiles"),
    Rule("enum", "S1, [I] for the count", "enum entries are strings of at most 1024 characters or integers; at most 100"),
    Rule("bound", "S1", "minimum and maximum are integers"),
    Rule("attribute-value", "S1", "a value is a string (<= 1024), number, boolean, or array of all strings or all numbers"),
    Rule("value-type", "S3, S4 [I]", "a value has its attribute's type (array elements their elements' type)"),
    Rule("value-pattern", "S3, S4 [I]", "a string value matches its pattern (a search, as in JSON Schema)"),
    Rule("value-enum", "S3, S4 [I]", "a string value is one of its enum (an integer entry matches its decimal text)"),
    Rule("value-range", "S3, S4 [I]", "a number value lies within minimum..maximum, inclusive"),
    Rule("required", "S3, S4 [I]", "an enabled flag or variant gives a value to each required attribute"),
    Rule("enabled", "S1", "enabled is true or false (not the string \"true\"); a variant must have it"),
    Rule("variants-max", "S1 [I]", "a flag has at most 32 variants"),
    Rule("variant-name", "S1, [I] unique", "a variant has a name, unique within its flag"),
    Rule("variant-rule", "S1", "a rule is a string of at most 16384 characters"),
    Rule("default-variant", "S5", "the default variant (the one without a rule) is last; the last variant has no rule"),
    # Checks of flag objects only (profile.py): slips a document cannot show.
    Rule("profile-name", "S14", "a configuration profile name has 1 to 128 characters"),
    Rule("object-type", "model", "a profile holds Flag objects; flags hold Attribute, Variant and FlagValue objects"),
    Rule("undeclared-attribute", "model", "flag objects give values only to the attributes the flag declares"),
    Rule("unknown-environment", "model", "flag objects override only the profile's declared environments"),
    # Types of flag objects, checked before anything reads them (objects.py); documents (dates.py, document.py).
    Rule("field-type", "model", "each field of a flag object holds its declared Python type (str, bool, int, "
         "a tuple or list, a mapping with string keys); a bool is not a number"),
    Rule("bare-string", "model", "a tuple or list is meant, not one string (enum=(\"USD\") is a string: write (\"USD\",))"),
    Rule("unordered", "model", "a tuple or list is meant, not a set: a set's order, and so the output, changes between runs"),
    Rule("nesting-depth", "model", "a document nests at most 32 levels of objects and arrays"),
    Rule("date-format", "model", "Attribute.date takes the format YYYY-MM-DD, MM/DD/YYYY, DD/MM/YYYY or DD.MM.YYYY"),
    Rule("value-date", "model", "a date attribute's value is a calendar date (not 02/31/2026)"),
    # Variant rules (targeting/checker.py): R1 = "Defining rules for multi-variant feature flags".
    Rule("syntax", "R1 [I] Ion", "a variant rule is exactly one Ion s-expression (balanced, quoted, Ion timestamps)"),
    Rule("unknown-operator", "R1", "a rule's operators are eq, gt, gte, lt, lte, begins_with, ends_with, contains, "
         "in, matches, exists, split, and, or, not"),
    Rule("arity", "R1, Policy", "comparisons take 2 operands, not 1, and/or at least 1"),
    Rule("type", "R1, Policy", "a context value first and a constant of the operator's type second; logical "
         "operands are expressions; split, matches and exists take their documented kinds"),
    Rule("annotation", "R1", "split (pct::, by::, seed::), matches (in::, pattern::) and exists (key::) take "
         "their names once each; other operands take none"),
    Rule("range", "R1, Policy", "pct:: is from 0 to 100; integers are 64-bit; numbers are finite"),
    Rule("regex", "R1, Policy", "a matches pattern compiles (Python's re)"),
    Rule("context-key", "model", "a profile's context declaration maps keys [A-Za-z_][A-Za-z0-9_]* to types; "
         "rules name only declared keys"),
    # Experiments (experiments.py): X1/X2 = CloudFormation ExperimentDefinition/ExperimentRun, X3 = the API reference.
    Rule("experiment-name", "X1, X3", "an experiment name matches ^(?!AWS\\.).{1,64}$ and is unique in its profile"),
    Rule("experiment-flag", "X1, X3, X4", "an experiment's flag is a flag of its profile with a value to deploy "
         "(a key of at least 2 characters)"),
    Rule("experiment-audience", "X1, X6", "an audience rule has 1 to 16384 characters (and is checked as a variant rule)"),
    Rule("experiment-treatments", "X1, X3", "an experiment has 1 to 5 treatments besides its control"),
    Rule("treatment-key", "X1 [I] whole key", "a treatment key is 1 to 8 ASCII letters or digits, unique in its experiment"),
    Rule("treatment-weight", "X3, [I] total", "a treatment's weight is 0 or more; the weights do not all add up to 0"),
    Rule("experiment-text", "X1, X2", "a hypothesis, launch criteria, audience or treatment description has at most 1024 characters"),
    Rule("experiment-exposure", "X2, X3", "a run's exposure is a percentage from 0 to 100"),
    Rule("experiment-overrides", "X2, X3", "a run overrides at most 32 entities (ids of 1 to 2048 characters), each "
         "to a treatment key of the experiment"),
)

_WARNINGS = (
    Rule("value-without-definition", "[?] S1 silent", "values name a flag that flags does not define", True),
    Rule("definition-without-value", "[?] S1 silent", "flags defines a flag that values does not mention", True),
    Rule("undefined-attribute", "[?] S1 silent", "a value names an attribute its flag does not define", True),
    Rule("enabled-missing", "[?] required in 2022 only", "a basic flag value has no enabled", True),
    Rule("minimum-above-maximum", "[?]", "minimum exceeds maximum, so no value can be given", True),
    Rule("empty-enum", "[?] S1 allows it", "an empty enum, so no string value can be given", True),
    Rule("pattern-dialect", "[?] dialect unknown", "the pattern uses syntax Python's re lacks; its values are not checked", True),
    Rule("empty-array", "[?] literal S1 refuses it", "an empty array value", True),
    Rule("empty-variants", "[?] S5 every multi-variant flag has a default", "_variants is an empty list", True),
    Rule("empty-rule", "[?] S5", 'a variant has "rule": "" (no rule, or an invalid one)', True),
    Rule("variants-with-basic-value", "[?] S4 examples never mix", "a flag value has _variants and top-level attribute values", True),
    Rule("unreachable-variant", "R2 [I]", "no context reaches the variant: an earlier rule matches whenever it does", True),
    Rule("regex-dialect", "[?] R1 dialect unknown", "a matches pattern uses lookaround or backreferences", True),
    Rule("pattern-backtracking", "[?] model", "a pattern whose matching time can explode (nested or adjacent "
         "quantifiers); its values are not matched. An error for flag objects", True),
    Rule("end-date-past", "model", "an end date (Attribute.date(end=True)) is before today; an error with "
         "overdue=\"error\"", True),
    Rule("short-term-overdue", "model", "a short-term flag is past its remove_by date; an error with "
         "overdue=\"error\"", True),
    Rule("retired-environment", "model", "flags hold values for a retired environment; they are not rendered", True),
)

#: Every rule the model checks, by id.
RULES: dict[str, Rule] = {rule.id: rule for rule in (*_PROBLEMS, *_WARNINGS)}
