// Score explanations in the page's language. The scoring rules (practicum/domain/scoring.py)
// write English prose: sentences joined by spaces, lists joined by ", " and " and ", clauses by
// "; ". The catalogue's "server:" templates describe every sentence a rule can write; this module
// cuts an explanation into sentences, matches each against the English "server:[score] …"
// templates (never a notice's: "{who} ran {name}." would read "You ran 2 of …"), translates
// the parts the names of the placeholders declare, and fills the locale's template. A sentence
// no template reads stays English.
//
// A placeholder's name says what it holds:
//   {…Labels}  quoted names, “A”, “B” and “C”    (re-quoted and re-joined for the locale)
//   {…Names}   plain names, A, B and C            (re-joined for the locale)
//   {kParts}   a list of parts of kind k          (each part by a "server:[k] …" template)
//   {kClauses} clauses of kind k joined by "; "   (each by a "server:[k] …" template)
//   {…Money}   "EUR 12,500"                       (formatted for the locale)
//   {…Percent} "42%"                              (formatted for the locale)
//   {…Count}   a whole number                     (formatted for the locale)
//   {…Cell}    a taxonomy cell's label            (the default taxonomy's labels are the
//              product's words, catalogue keys as in common.js's cellLabel; others kept)
//   anything else is scenario text or a number, kept as it comes.

import { catalogue, format, formatMoney, formatPercent, literalLength, locale, templateRegex } from "./i18n.js";

const KIND = /^server:\[(\w+)\] /;

/** Return positions of `sep` in `text`, first to last. */
function positions(text, sep) {
  const out = [];
  for (let at = text.indexOf(sep); at >= 0; at = text.indexOf(sep, at + 1)) out.push(at);
  return out;
}

function upperFirst(text) {
  return text.slice(0, 1).toUpperCase() + text.slice(1);
}

/**
 * Build a translator of explanations from English templates (key -> English) and the locale's
 * messages (key -> text). Returns {explain(text), sentences(text)}; `sentences` gives each
 * sentence with its translation, or null where no template reads it (the tests use it).
 */
export function makeExplainer(templates, messages) {
  const t = (key, params = {}) => format(key in messages ? messages[key] : key, params);
  const byKind = new Map();
  const entries = Object.keys(templates)
    .filter((key) => key.startsWith("server:") && key in messages)
    .sort((a, b) => literalLength(templates[b]) - literalLength(templates[a]));
  for (const key of entries) {
    const kind = (KIND.exec(key) || [null, ""])[1];  // "" for notices: never in an explanation
    if (!byKind.has(kind)) byKind.set(kind, []);
    byKind.get(kind).push({ key, ...templateRegex(templates[key]) });
  }

  /** Translate `text` by a "server:[kind] …" template, or return null. */
  function byTemplate(text, kind) {
    for (const { key, regex, names } of byKind.get(kind) || []) {
      const m = regex.exec(text);
      if (!m) continue;
      const params = {};
      let ok = true;
      names.forEach((name, i) => {
        const value = ok ? typed(name, m[i + 1]) : null;
        if (value === null) ok = false;
        else params[name] = value;
      });
      if (ok) return format(messages[key], params);
    }
    return null;
  }

  function joinList(items) {
    if (items.length <= 1) return items.join("");
    return t("{items} and {last}", { items: items.slice(0, -1).join(", "), last: items[items.length - 1] });
  }

  /** Read an English list ("a", "a and b", "a, b and c") whose items `item` translates. */
  function list(text, item) {
    for (const at of positions(text, " and ")) {
      const last = item(text.slice(at + 5));
      if (last === null) continue;
      const head = commas(text.slice(0, at), item);
      if (head) return [...head, last];
    }
    const one = item(text);
    return one === null ? null : [one];
  }

  function commas(text, item) {
    for (const at of positions(text, ", ")) {
      const first = item(text.slice(0, at));
      if (first === null) continue;
      const rest = commas(text.slice(at + 2), item);
      if (rest) return [first, ...rest];
    }
    const one = item(text);
    return one === null ? null : [one];
  }

  /** Read clauses joined by "; "; the first may be capitalised (a rule made a sentence of them). */
  function clauses(text, kind, first = true) {
    const item = (part) => byTemplate(part, kind)
      ?? (first ? byTemplate(part.slice(0, 1).toLowerCase() + part.slice(1), kind) : null);
    for (const at of [...positions(text, "; "), text.length]) {
      const done = item(text.slice(0, at));
      if (done === null) continue;
      if (at === text.length) return done;
      const rest = clauses(text.slice(at + 2), kind, false);
      if (rest !== null) return `${done}; ${rest}`;
    }
    return null;
  }

  /** Translate one placeholder's English value by what its name says it holds. */
  function typed(name, value) {
    let m;
    if (/(^l|L)abels$/.test(name)) {
      const items = list(value, (part) => ((m = /^\u201c(.*)\u201d$/s.exec(part)) ? t("\u201c{name}\u201d", { name: m[1] }) : null));
      return items && joinList(items);
    }
    if (/(^n|N)ames$/.test(name)) {
      const items = list(value, (part) => part || null);
      return items && joinList(items);
    }
    if ((m = /^(\w+)Parts$/.exec(name))) {
      const kind = m[1];
      const items = list(value, (part) => byTemplate(part, kind));
      return items && joinList(items);
    }
    if ((m = /^(\w+)Clauses$/.exec(name))) return clauses(value, m[1]);
    if (/(^c|C)ell$/.test(name)) return typeof messages[value] === "string" ? messages[value] : value;
    // A count is a number, never a stretch of a list ("{missedCount} contributing causes: …").
    if (/(^c|C)ount$/.test(name)) return /^-?\d+$/.test(value) ? Number(value) : null;
    if (/(^m|M)oney$/.test(name)) {
      m = /^(\S+) (-?[\d,]+)$/.exec(value);
      return m ? formatMoney(Number(m[2].replace(/,/g, "")), m[1]) : null;
    }
    if (/(^p|P)ercent$/.test(name)) {
      m = /^(-?\d+)%$/.exec(value);
      return m ? formatPercent(Number(m[1]) / 100) : null;
    }
    return value;
  }

  /** Return a sentence in the locale, capitalised as the rules write it, or null. */
  function sentence(text) {
    const done = byTemplate(text, "score");
    return done === null ? null : upperFirst(done);
  }

  /** Cut `text` at ". " into sentences that each read: [[english, translated], ...] or null. */
  function cut(text) {
    for (const at of [...positions(text, ". ").map((i) => i + 1), text.length]) {
      const head = text.slice(0, at);
      const done = sentence(head);
      if (done === null) continue;
      if (at === text.length) return [[head, done]];
      const rest = cut(text.slice(at + 1));
      if (rest) return [[head, done], ...rest];
    }
    return null;
  }

  /** Return each sentence of an explanation with its translation (null: none read it). */
  function sentences(text) {
    const whole = cut(text);
    if (whole) return whole;
    // Some sentence reads no template: translate what reads, keep the rest English.
    return text.split(/(?<=\.) (?=\S)/).map((part) => [part, sentence(part)]);
  }

  /** Return an explanation in the locale (English sentences where no template reads them). */
  function explain(text) {
    if (!text) return "";
    return sentences(text).map(([english, done]) => done ?? english).join(" ");
  }

  return { explain, sentences };
}

let pageExplainer = null;
// The console redraws its scores on every board update: read each explanation once.
const done = new Map();
const KEEP = 500;

/** Return a score explanation in the page's language. */
export function explanationText(text) {
  if (!text || locale === "en") return text || "";
  if (!done.has(text)) {
    pageExplainer ??= makeExplainer(catalogue.serverTemplates, catalogue.messages);
    if (done.size >= KEEP) done.clear();
    done.set(text, pageExplainer.explain(text));
  }
  return done.get(text);
}
