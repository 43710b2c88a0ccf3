// Translations for the scripts: the page embeds its locale's JSON catalogue (practicum/
// translations/js/<locale>.json, chosen by the server: ?lang, cookie, Accept-Language, en), and
// every string a script shows goes through t(). Keys are the English text, so a key missing
// from a catalogue still reads as English (and the catalogue test fails).

const COOKIE = "practicum_lang";
const STORE = "practicum.lang";

function readData() {
  // Without a page (the patch rules run under Node in the tests) every key is its own English.
  if (typeof document === "undefined") return {};
  const node = document.getElementById("i18n-data");
  try {
    return node ? JSON.parse(node.textContent) : {};
  } catch {
    return {};
  }
}

const data = readData();
/** The page's locale ("en", "de"). */
export const locale = data.locale || globalThis.document?.documentElement.lang || "en";
const messages = data.messages || {};
const serverTemplates = data.server || {};
/** The page's catalogue and the English "server:" templates (for explain.js). */
export const catalogue = { messages, serverTemplates };
const plurals = new Intl.PluralRules(locale);
// English pages keep the day-first dates and 24-hour clock they always had (en-GB).
const intlLocale = locale === "en" ? "en-GB" : locale;

/** Fill `{name}` placeholders; numbers are formatted for the locale. */
export function format(template, params = {}) {
  return String(template).replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === "number" ? value.toLocaleString(intlLocale) : String(value);
  });
}

/**
 * Return the text of `key` in the page's locale with `params` filled in. An entry may hold
 * plural forms ({"one": ..., "other": ...}), picked by `params.count` (Intl.PluralRules).
 */
export function t(key, params = {}) {
  let entry = key in messages ? messages[key] : key;
  if (entry && typeof entry === "object") {
    const count = Number(params.count);
    const form = Number.isFinite(count) ? plurals.select(count) : "other";
    entry = entry[form] ?? entry.other ?? key;
  }
  return format(entry, params);
}

/** Compile an English template: a regex reading its `{names}` (shortest first) and the names. */
export function templateRegex(template) {
  const names = [];
  const source = String(template).split(/(\{\w+\})/).map((part) => {
    const m = /^\{(\w+)\}$/.exec(part);
    if (m) {
      names.push(m[1]);
      return "(.+?)";
    }
    return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }).join("");
  return { regex: new RegExp(`^${source}$`, "s"), names };
}

const compiled = new Map();

function matchTemplate(key, text) {
  const english = serverTemplates[key];
  if (!english || typeof english !== "string") return null;
  if (!compiled.has(key)) compiled.set(key, templateRegex(english));
  const { regex, names } = compiled.get(key);
  const m = regex.exec(text);
  if (!m) return null;
  return Object.fromEntries(names.map((name, i) => [name, m[i + 1]]));
}

// The most specific template first (most literal words): "{who} ran {name} ({price})" before
// "{who} ran {name}", whatever order the page's JSON keeps. Keys "server:[kind] ..." are parts
// of score explanations (see explain.js), never a sentence of their own.
const sentenceKeys = Object.keys(serverTemplates)
  .filter((key) => key.startsWith("server:") && !key.startsWith("server:["))
  .sort((a, b) => literalLength(serverTemplates[b]) - literalLength(serverTemplates[a]));

/** Return how many literal characters a template has (its specificity). */
export function literalLength(template) {
  return String(template).replace(/\{\w+\}/g, "").length;
}

/**
 * Translate a sentence the server wrote in English (a notice, an activity line) by the
 * catalogue's "server:" templates: the English template reads the names out of the sentence,
 * the locale's template puts them back. A sentence no template matches is shown as sent.
 */
export function serverText(text) {
  if (!text || locale === "en") return text || "";
  for (const key of sentenceKeys) {
    if (!(key in messages)) continue;
    const params = matchTemplate(key, text);
    if (params) return format(messages[key], params);
  }
  return text;
}

/**
 * Return the words for a refused action: the catalogue's text for its stable code (with the
 * names read from the server's English message), else the server's message, else `fallback`.
 */
export function errorText(ack, fallback = t("The server refused that.")) {
  if (!ack) return fallback;
  const key = `error:${ack.code}`;
  if (ack.code && locale !== "en" && key in messages) {
    const params = matchTemplate(key, ack.message || "");
    const text = t(key, params || {});
    // Names that could not be read back from the message would show as {placeholders}.
    if (params || !/\{\w+\}/.test(text)) return text;
  }
  return ack.message || fallback;
}

// --- formatting (Intl) ---------------------------------------------------------------------------

/** Format a number with up to `digits` decimals for the locale. */
export function formatNumber(value, digits = 1) {
  return Number(value).toLocaleString(intlLocale, { maximumFractionDigits: digits });
}

/** Format a ratio as a percentage for the locale ("42%", "42 %"). */
export function formatPercent(ratio, digits = 0) {
  return new Intl.NumberFormat(intlLocale, { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(ratio));
}

/** Format whole units of a currency (ISO code) for the locale; other labels are prefixed. */
export function formatMoney(amount, currency = "") {
  const value = Number(amount || 0);
  if (/^[A-Z]{3}$/.test(currency)) {
    return new Intl.NumberFormat(intlLocale, { style: "currency", currency, maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(value);
  }
  const text = value.toLocaleString(intlLocale, { maximumFractionDigits: 0 });
  return currency ? `${currency} ${text}` : text;
}

/** Format a time of day (epoch seconds) as the locale writes hours and minutes. */
export function formatTime(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleTimeString(intlLocale, { hour: "2-digit", minute: "2-digit" });
}

/** Format a date and time (epoch seconds) for the locale. */
export function formatDateTime(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleString(intlLocale, { dateStyle: "medium", timeStyle: "short" });
}

// --- the language picker -------------------------------------------------------------------------

function setCookie(code) {
  document.cookie = `${COOKIE}=${encodeURIComponent(code)}; path=/; max-age=${365 * 24 * 3600}; samesite=lax`;
}

function cookieValue() {
  const m = document.cookie.match(new RegExp(`(?:^|; )${COOKIE}=([^;]*)`));
  return m ? decodeURIComponent(m[1]) : null;
}

/** Wire the picker: a choice is kept (cookie for the server, localStorage as a copy) and the page reloads in it. */
function wirePicker() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORE);
  } catch {
    stored = null;
  }
  // A cookie cleared (or expired) while the browser kept its copy: put the choice back.
  if (stored && !cookieValue() && stored !== locale) {
    setCookie(stored);
    window.location.reload();
    return;
  }
  for (const select of document.querySelectorAll("select[data-lang-picker]")) {
    select.addEventListener("change", () => {
      setCookie(select.value);
      try {
        localStorage.setItem(STORE, select.value);
      } catch {
        // private mode: the cookie alone keeps the choice
      }
      const url = new URL(window.location.href);
      url.searchParams.delete("lang");
      window.location.assign(url.toString());
    });
  }
}

if (typeof document !== "undefined") wirePicker();
