"""The USSD channel: the provider callback views (``webhook``) and the hop served in front of
Flask (``fast``), one hop from state to reply (``hop``), session state in Redis (``state``,
over ``redis_direct``), the engine's data source (``data``), its actions through the
capability services (``actions``), session records (``sessions``) and the ``flask ussd`` /
``flask menus`` commands (``cli``). The menu itself is the pure engine in ``menus``."""

from gateway.ussd.hop import HopReply, answer_ussd, end_session, handle_hop

__all__ = ["HopReply", "answer_ussd", "end_session", "handle_hop"]
