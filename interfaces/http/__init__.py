"""The HTTP API. Light on purpose: the bench's baselines import the settings they share with it."""

from fastapi.telemetry import TelemetryConfig

# Samverkan has its own metrics (/metrics) and structured logs; FastAPI's OpenTelemetry hooks,
# on by default, looked for a provider on every request (a tenth of its time).
NO_OPENTELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
