"""AWS AppConfig feature flags as code, the runtime half: the typed flag model and the flags client.

Nothing here imports the AWS CDK. :mod:`appconfig_flags.model` declares and validates flags with
AppConfig's own rules; :mod:`appconfig_flags.client` reads them in a service (AppConfig Agent or
Lambda extension, local files, or appconfigdata through boto3). The CDK constructs that deploy the
same flag objects are the ``constructs_lib`` package (distribution ``appconfig-flags-constructs``).
"""
__version__ = "0.2.0"
