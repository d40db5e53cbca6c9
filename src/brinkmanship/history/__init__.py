"""History as the test: the 2016-2018 Korean Peninsula crisis record and what is derived from it."""

from brinkmanship.history.events import (
    COUNTING_RULES,
    EVENT_TYPES,
    events_path,
    load_events,
    monthly_aggregates,
)

__all__ = ["COUNTING_RULES", "EVENT_TYPES", "events_path", "load_events", "monthly_aggregates"]
