// DOM helpers. Every string becomes a text node: user-typed text (names, rationale, chat) can
// never become markup: no HTML string is ever parsed on the client.

import { formatMoney, formatNumber, formatPercent, formatTime } from "./i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function applyAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "dataset") {
      Object.assign(node.dataset, value);
    } else if (key === "value" && "value" in node) {
      node.value = value;
    } else if (key === "checked" || key === "selected" || key === "disabled" || key === "hidden") {
      node[key] = Boolean(value);
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

function appendChildren(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Create an HTML element: h("li", {class: "x"}, "text", otherNode). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  applyAttrs(node, attrs);
  appendChildren(node, children);
  return node;
}

/** Create an SVG element. */
export function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(key, String(value));
  }
  appendChildren(node, children);
  return node;
}

/** Replace an element's children. */
export function fill(node, ...children) {
  if (!node) return node;
  node.replaceChildren();
  appendChildren(node, children);
  return node;
}

/** Find one element by id (throws if missing: a template and its script must agree). */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node;
}

/** Format a money amount with the scenario's currency, for the page's locale. */
export function money(amount, currency = "") {
  return formatMoney(amount, currency);
}

/** Format a number with up to `digits` decimals. */
export function num(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  return formatNumber(value, digits);
}

/** Format a duration in seconds as m:ss or h:mm:ss. */
export function clock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

/** Format a ratio as a percentage. */
export function pct(ratio, digits = 0) {
  if (ratio === null || ratio === undefined) return "–";
  return formatPercent(ratio, digits);
}

/** Format a time of day (epoch seconds) as HH:MM. */
export function timeOfDay(epochSeconds) {
  if (!epochSeconds) return "";
  return formatTime(epochSeconds);
}

/** Show a short-lived message in the toast region (role=status; errors use role=alert). */
export function toast(text, kind = "info") {
  let region = document.getElementById("toasts");
  if (!region) {
    region = h("div", { id: "toasts", class: "toast-region" });
    document.body.append(region);
  }
  const node = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
  region.append(node);
  setTimeout(() => node.remove(), kind === "error" ? 7000 : 4000);
}

/** Make a tablist keyboard operable (arrow keys, Home/End) and switch panels on select. */
export function setupTabs(tablist, onChange) {
  const tabs = Array.from(tablist.querySelectorAll('[role="tab"]'));
  const select = (tab, focus = true) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    }
    if (focus) tab.focus();
    if (onChange) onChange(tab.dataset.tab);
  };
  tablist.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(tab);
  });
  tablist.addEventListener("keydown", (event) => {
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(tabs[(moves[event.key] + tabs.length) % tabs.length]);
  });
  const current = tabs.find((t) => t.getAttribute("aria-selected") === "true") || tabs[0];
  select(current, false);
  return { select: (name) => select(tabs.find((t) => t.dataset.tab === name) || tabs[0], false) };
}
