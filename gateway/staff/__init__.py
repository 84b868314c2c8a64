"""The staff side: the JSON APIs (``api`` feedback, ``polls_api`` polls) behind one check
(``guard.require_role``), accounts and tokens (``accounts``, ``auth``), input validation
(``validation``, ``poll_schema``), rendering (``render``) and the ``flask staff …``,
``flask poll …`` and ``flask outbox …`` commands."""
