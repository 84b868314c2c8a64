"""Pure helpers every capability shares, with no I/O and no Flask: phone numbers (``phone``),
the GSM-7 alphabet and SMS segments (``sms_text``), ticket numbers with their check digit
(``tickets``), WIB and its formatters (``wib``), working-day deadlines (``workdays``), the
words people type in an SMS (``words``: abbreviations, courtesy, thanks) and the one
catalogue of citizen texts (``texts``). The pure ``menus`` engine may import these."""
