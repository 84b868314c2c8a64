/* Suara desk: small progressive enhancements. Every flow works without this file. */
"use strict";
