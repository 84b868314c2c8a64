/* Suara desk: small progressive enhancements. Every flow works without this file. */
"use strict";

/* Report page: the live SMS counter of the reply form (#reply-counter). The same rules as
   gateway/common/sms_text.py, ported exactly (tests/desk/test_report_counter.py compares
   them in a real browser): GSM-7 alphabet and extension table, 160/153 and 70/67 per SMS,
   no escape pair or surrogate pair split across two SMS, and the GSM-7 clean-up the server
   applies before sending (to_gsm7, then runs of spaces made one). The words come from the
   output's data-t-* attributes, so they are in the page's language. */
(function () {
  var GSM7_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXTENSION = "\f[\\]^{|}~\u20ac";
  var REPLACEMENTS = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'", "\u201c": "\"", "\u201d": "\"", "\u201e": "\"", "\u201f": "\"", "\u2033": "\"", "\u00ab": "\"", "\u00bb": "\"", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u2026": "...", "\u2022": "-", "\t": " ", "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u3000": " ", "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": ""};
  var GSM7_SINGLE = 160, GSM7_MULTI = 153, UCS2_SINGLE = 70, UCS2_MULTI = 67;

  function inGsm7(c) { return GSM7_BASIC.indexOf(c) >= 0 || GSM7_EXTENSION.indexOf(c) >= 0; }
  function chars(text) { return Array.from(text); }  /* code points, as Python counts */
  function isGsm7(text) { return chars(text).every(inGsm7); }

  function nonGsm7(text) {
    var seen = [];
    chars(text).forEach(function (c) { if (!inGsm7(c) && seen.indexOf(c) < 0) { seen.push(c); } });
    return seen;
  }

  function sizes(text) {
    if (isGsm7(text)) {
      return [chars(text).map(function (c) { return GSM7_EXTENSION.indexOf(c) >= 0 ? 2 : 1; }), GSM7_SINGLE, GSM7_MULTI];
    }
    return [chars(text).map(function (c) { return c.codePointAt(0) > 0xFFFF ? 2 : 1; }), UCS2_SINGLE, UCS2_MULTI];
  }

  function countSegments(text) {
    var s = sizes(text), total = s[0].reduce(function (a, b) { return a + b; }, 0);
    if (total <= s[1]) { return 1; }
    var segments = 1, used = 0;
    s[0].forEach(function (size) {
      if (used + size > s[2]) { segments += 1; used = 0; }
      used += size;
    });
    return segments;
  }

  function toGsm7Char(c) {
    if (inGsm7(c)) { return c; }
    if (Object.prototype.hasOwnProperty.call(REPLACEMENTS, c)) { return REPLACEMENTS[c]; }
    return chars(c.normalize("NFKD")).filter(inGsm7).join("");
  }

  function toGsm7(text) { return chars(text.normalize("NFC")).map(toGsm7Char).join(""); }

  function cleaned(text) {  /* validation.parse_reply: " ".join(to_gsm7(raw).split()) */
    return toGsm7(text).split(/[ \n\r\f]+/).filter(Boolean).join(" ");
  }

  function shown(c) {
    var code = c.codePointAt(0);
    if (/\s/.test(c) || code < 0x20 || (code >= 0x200b && code <= 0x200f) || code === 0x2060 || code === 0xfeff) {
      return "U+" + code.toString(16).toUpperCase().padStart(4, "0");
    }
    return c;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) { return key in values ? String(values[key]) : m; });
  }

  function count(output, typed) {
    var d = output.dataset, max = Number(d.max), full = d.prefix + " " + typed;
    var sent = d.prefix + " " + cleaned(typed), odd = nonGsm7(typed);
    var result = {
      chars: chars(full).length, segments: countSegments(full), encoding: isGsm7(full) ? "GSM-7" : "UCS-2",
      sentChars: chars(sent).length, sentSegments: countSegments(sent), nonGsm: odd
    };
    result.warn = result.sentSegments >= 3 || result.sentSegments > max;
    return result;
  }

  function paragraph(text, className) {
    var p = document.createElement("span");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function show(output, textarea) {
    var d = output.dataset, r = count(output, textarea.value);
    output.dataset.chars = r.chars;
    output.dataset.segments = r.segments;
    output.dataset.encoding = r.encoding;
    output.dataset.sentChars = r.sentChars;
    output.dataset.sentSegments = r.sentSegments;
    output.dataset.nonGsm = JSON.stringify(r.nonGsm);
    output.dataset.warn = r.warn ? "1" : "0";
    var parts = [paragraph(fill(d.tCount, {
      chars: r.chars, segments: r.segments, encoding: r.encoding === "GSM-7" ? "GSM-7" : d.tUcs2
    }), "count")];
    if (r.nonGsm.length) {
      parts.push(paragraph(fill(d.tNongsm, {
        list: r.nonGsm.map(shown).join(" "), chars: r.sentChars, segments: r.sentSegments
      }), "nongsm"));
    }
    if (r.warn) {
      parts.push(paragraph(fill(d.tWarn, { segments: r.sentSegments, max: d.max }), "warn"));
    }
    output.replaceChildren.apply(output, parts);
    output.classList.toggle("is-warning", r.warn);
  }

  function start() {
    var output = document.getElementById("reply-counter");
    var textarea = output && document.getElementById(output.htmlFor.value || "reply-text");
    if (!output || !textarea) { return; }
    textarea.addEventListener("input", function () { show(output, textarea); });
    show(output, textarea);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

/* SKM page: choosing a date selects "Custom dates"; the report's Print button. */
document.addEventListener("DOMContentLoaded", function () {
  var period = document.getElementById("period");
  ["from", "to"].forEach(function (id) {
    var input = document.getElementById(id);
    if (period && input) {
      input.addEventListener("change", function () { if (input.value) { period.value = "custom"; } });
    }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
