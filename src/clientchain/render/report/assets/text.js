// text.js: user text as the page shows it, exactly as clientchain.model.visible shows it
// in a terminal. Every code point that could reorder a line (bidi marks, embeddings,
// overrides and isolates: "Trojan source"), break one (U+2028/2029) or hide in it (C0 and
// C1 controls, DEL) is shown as an escape, \x1b below U+0100 and \u202e above; a long text
// is cut in the middle, so both ends stay readable and one huge field costs no more to
// show than a short one. Only what is shown changes: the data (data-* attributes, the
// search, the panel's role) keeps the exact text. Lengths are counted in code points, as
// Python counts them. This file uses nothing from the others (tests run it on its own).

// visible.HIDDEN: C0 (the newline too), DEL, C1, U+061C, LRM/RLM, U+2028/2029,
// U+202A-U+202E, U+2066-U+2069.
const HIDDEN_CHARS = "\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const HIDDEN_ALL = new RegExp("[" + HIDDEN_CHARS + "]", "g");
const HIDDEN_ONE = new RegExp("^[" + HIDDEN_CHARS + "]$");
// Python's str.isspace() (and its re's \s): JavaScript's \s is another set.
const SPACE_CHARS = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const SPACE_ONE = new RegExp("^[" + SPACE_CHARS + "]$");
const TEXT_LIMIT = 100; // visible.LIMIT
const MESSAGE_LIMIT = 1000; // visible.MESSAGE_LIMIT
const ELLIPSIS = "\u2026";
const LONG_WORD = new RegExp("[^" + SPACE_CHARS + "]{" + (TEXT_LIMIT + 1) + ",}", "gu");

// visible.escape: one code point as an escape (every hidden one is below U+10000).
function escapeChar(char) {
  const code = char.codePointAt(0);
  return code < 0x100 ? "\\x" + code.toString(16).padStart(2, "0") : "\\u" + code.toString(16).padStart(4, "0");
}

// visible.visible: every hidden code point as an escape; anything else as it is.
function visible(text) {
  return String(text).replace(HIDDEN_ALL, escapeChar);
}

// Whether `text` has more than `limit` code points (without counting a long text whole).
function longerThan(text, limit) {
  if (text.length <= limit) return false;
  if (text.length > 2 * limit) return true;
  let n = 0;
  for (const _ of text) if (++n > limit) return true;
  return false;
}

function firstCodePoints(text, n) {
  const out = [];
  if (n <= 0) return out;
  for (const char of text) {
    out.push(char);
    if (out.length >= n) break;
  }
  return out;
}

function lastCodePoints(text, n) {
  if (n <= 0) return [];
  // 2n code units hold at least n whole code points at their end.
  return Array.from(text.slice(-2 * n)).slice(-n);
}

// visible._take: the shown forms of `chars`, from the first, while they fit in `room`.
function takeShown(chars, room) {
  const taken = [];
  for (const char of chars) {
    const shown = HIDDEN_ONE.test(char) ? escapeChar(char) : char;
    room -= shown === char ? 1 : shown.length;
    if (room < 0) break;
    taken.push(shown);
  }
  return taken;
}

// visible.clip: `visible(text)` in at most `limit` code points; a longer one keeps its
// beginning and its end around an ellipsis, never cut inside an escape.
function clip(text, limit = TEXT_LIMIT) {
  text = String(text);
  if (!longerThan(text, limit)) {
    const shown = visible(text);
    if (!longerThan(shown, limit)) return shown;
  }
  const room = limit - 1; // the ellipsis
  const half = Math.floor(room / 2);
  const head = takeShown(firstCodePoints(text, room), room - half);
  const tail = takeShown(lastCodePoints(text, room).reverse(), half);
  return head.join("") + ELLIPSIS + tail.reverse().join("");
}

// visible.shorten: each word longer than TEXT_LIMIT cut as clip cuts it, then a message
// still longer than `limit` cut between two words.
function shorten(message, limit = MESSAGE_LIMIT) {
  message = String(message);
  if (longerThan(message, TEXT_LIMIT)) message = message.replace(LONG_WORD, (word) => clip(word));
  if (!longerThan(message, limit)) return message;
  const chars = Array.from(message);
  const inside = (at) => !(SPACE_ONE.test(chars[at - 1]) || SPACE_ONE.test(chars[at]));
  const keep = limit - 1;
  let head = keep - Math.floor(keep / 2);
  while (head > 0 && inside(head)) head--;
  let tail = chars.length - Math.floor(keep / 2);
  while (tail < chars.length && inside(tail)) tail++;
  return chars.slice(0, head).join("") + ELLIPSIS + chars.slice(tail).join("");
}

// visible.visible_message: a message that quotes user text (a finding), on one line.
function visibleMessage(message, limit = MESSAGE_LIMIT) {
  return visible(shorten(message, limit));
}
