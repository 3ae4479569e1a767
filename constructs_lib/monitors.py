"""CloudWatch alarms that guard an environment: existing ones, or alarms made from metrics."""
from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct


@dataclass(frozen=True)
class AlarmMonitor:
    """One monitor of an environment. Build with :meth:`from_alarm` or :meth:`from_metric`."""

    alarm: cloudwatch.IAlarm | None = None
    metric: cloudwatch.IMetric | None = None
    threshold: float | None = None
    comparison_operator: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    evaluation_periods: int = 1
    treat_missing_data: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING
    alarm_description: str | None = None

    @classmethod
    def from_alarm(cls, alarm: cloudwatch.IAlarm) -> AlarmMonitor:
        """Watch an alarm that exists already (in this stack or imported by ARN)."""
        return cls(alarm=alarm)

    @classmethod
    def from_metric(
        cls,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        comparison_operator: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluation_periods: int = 1,
        treat_missing_data: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
        description: str | None = None,
    ) -> AlarmMonitor:
        """Create an alarm on ``metric`` (Default: alarm at ``>= threshold`` for 1 period, missing data OK)."""
        return cls(metric=metric, threshold=threshold, comparison_operator=comparison_operator,
                   evaluation_periods=evaluation_periods, treat_missing_data=treat_missing_data,
                   alarm_description=description)

    def bind(self, scope: Construct, id: str) -> cloudwatch.IAlarm:
        """The alarm to watch, created under ``scope`` when made from a metric."""
        if self.alarm is not None:
            return self.alarm
        assert self.metric is not None and self.threshold is not None
        return cloudwatch.Alarm(
            scope, id,
            metric=self.metric,
            threshold=self.threshold,
            comparison_operator=self.comparison_operator,
            evaluation_periods=self.evaluation_periods,
            treat_missing_data=self.treat_missing_data,
            alarm_description=self.alarm_description,
        )

    def problem(self) -> str | None:
        """Why this monitor cannot be used, or ``None``."""
        if (self.alarm is None) == (self.metric is None):
            return "give exactly one of an alarm or a metric (use AlarmMonitor.from_alarm / from_metric)"
        if self.metric is not None and self.threshold is None:
            return "a metric monitor needs a threshold"
        return None
