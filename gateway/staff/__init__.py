"""The staff side: the JSON APIs (``api`` feedback, ``polls_api`` polls, ``accounts_api``
tokens, for admins) behind one check (``guard.require_role``) and one limit on failed
authentications (``limits``), accounts and tokens (``accounts``, ``auth``; every change to an
account audited through ``account_ops``), input validation
(``validation``, ``poll_schema``), rendering (``render``: JSON, formula-safe CSV) and the
``flask staff …``, ``flask poll …`` and ``flask outbox …`` commands."""
