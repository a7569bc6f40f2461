"""Case workflow as data: states, actions, who may act, and the deadline each action creates.

Pure (no Django). The services in ``jiuzhu.apps.cases`` and the UI/API's ``allowed_actions``
both read these tables; nothing else decides what may happen next.
"""

from .model import DeadlineRule, Transition, WorkflowSettings
from .tables import table_for

__all__ = ["DeadlineRule", "Transition", "WorkflowSettings", "table_for"]
