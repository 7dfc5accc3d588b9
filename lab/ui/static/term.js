// A small terminal: a screen of rows x cols cells and a scrollback, fed
// with the bytes of a router's CLI or a host's shell. It handles printable
// text, CR, LF, backspace (back across a wrapped line), tab, bell, and the
// VT100 sequences a shell's line editor sends (cursor moves, erase in
// line and display, insert and delete characters, scroll region); other
// sequences are read and ignored. Keys become the bytes a terminal sends.
"use strict";

class Term {
  constructor(pre, cols, rows) {
    this.pre = pre;
    this.cols = cols;
    this.rows = rows;
    this.scrollback = []; // strings, oldest first
    this.maxScrollback = 2000;
    this.screen = [];
    this.wrapped = []; // wrapped[y]: row y continues row y-1
    for (let y = 0; y < rows; y++) { this.screen.push(this.blank()); this.wrapped.push(false); }
    this.x = 0;
    this.y = 0;
    this.pendingWrap = false;
    this.top = 0;
    this.bottom = rows - 1;
    this.saved = [0, 0];
    this.esc = null; // the escape sequence being read
    this.decoder = new TextDecoder("utf-8");
    this.dirty = true;
    this.scheduled = false;
  }

  blank() { return new Array(this.cols).fill(" "); }

  // write takes bytes (Uint8Array) or a string.
  write(data) {
    const text = typeof data === "string" ? data : this.decoder.decode(data, { stream: true });
    for (const ch of text) this.put(ch);
    this.dirty = true;
    this.schedule();
  }

  put(ch) {
    if (this.esc !== null) { this.escape(ch); return; }
    const c = ch.codePointAt(0);
    if (c < 0x20 || c === 0x7f) { this.control(c); return; }
    if (this.pendingWrap) {
      this.pendingWrap = false;
      this.x = 0;
      this.lineFeed();
      this.wrapped[this.y] = true;
    }
    this.screen[this.y][this.x] = ch;
    if (this.x === this.cols - 1) this.pendingWrap = true;
    else this.x++;
  }

  control(c) {
    switch (c) {
      case 0x0d: this.x = 0; this.pendingWrap = false; break;
      case 0x0a: case 0x0b: case 0x0c: this.pendingWrap = false; this.lineFeed(); break;
      case 0x08:
        if (this.pendingWrap) { this.pendingWrap = false; break; }
        if (this.x > 0) this.x--;
        else if (this.y > 0 && this.wrapped[this.y]) { this.y--; this.x = this.cols - 1; }
        break;
      case 0x09: this.x = Math.min(this.cols - 1, (Math.floor(this.x / 8) + 1) * 8); break;
      case 0x1b: this.esc = ""; break;
      default: break; // bell and the rest
    }
  }

  lineFeed() {
    if (this.y === this.bottom) this.scrollUp(this.top, this.bottom);
    else if (this.y < this.rows - 1) this.y++;
    this.wrapped[this.y] = false;
  }

  scrollUp(top, bottom) {
    const line = this.screen.splice(top, 1)[0];
    this.wrapped.splice(top, 1);
    if (top === 0 && bottom === this.rows - 1) {
      this.scrollback.push(line.join("").replace(/ +$/, ""));
      if (this.scrollback.length > this.maxScrollback) this.scrollback.shift();
    }
    this.screen.splice(bottom, 0, this.blank());
    this.wrapped.splice(bottom, 0, false);
  }

  scrollDown(top, bottom) {
    this.screen.splice(bottom, 1);
    this.wrapped.splice(bottom, 1);
    this.screen.splice(top, 0, this.blank());
    this.wrapped.splice(top, 0, false);
  }

  escape(ch) {
    const s = this.esc + ch;
    if (s === "[" || s === "]" || s === "(" || s === ")" || s === "#") { this.esc = s; return; }
    if (s[0] === "]") { // OSC: ends with BEL or ESC \
      if (ch === "\x07" || s.endsWith("\x1b\\") || s.length > 512) this.esc = null;
      else this.esc = s;
      return;
    }
    if (s[0] === "(" || s[0] === ")" || s[0] === "#") { this.esc = null; return; }
    if (s[0] !== "[") {
      this.esc = null;
      switch (ch) {
        case "7": this.saved = [this.x, this.y]; break;
        case "8": [this.x, this.y] = this.saved; this.pendingWrap = false; break;
        case "M": if (this.y === this.top) this.scrollDown(this.top, this.bottom); else if (this.y > 0) this.y--; break;
        case "D": this.lineFeed(); break;
        case "E": this.x = 0; this.lineFeed(); break;
        case "c": this.reset(); break;
        default: break;
      }
      return;
    }
    const c = ch.charCodeAt(0);
    if (c >= 0x40 && c <= 0x7e && s.length > 1) { this.esc = null; this.csi(s.slice(1, -1), ch); return; }
    if (s.length > 64) { this.esc = null; return; }
    this.esc = s;
  }

  csi(params, f) {
    const priv = params.startsWith("?");
    const args = (priv ? params.slice(1) : params).split(";").map((v) => parseInt(v, 10));
    const n = (i, d) => (Number.isFinite(args[i]) && args[i] > 0 ? args[i] : d);
    const clampY = (y) => Math.max(0, Math.min(this.rows - 1, y));
    const clampX = (x) => Math.max(0, Math.min(this.cols - 1, x));
    if (priv) return; // modes (cursor keys, bracketed paste...): ignored
    this.pendingWrap = false;
    switch (f) {
      case "A": this.y = Math.max(this.y >= this.top ? this.top : 0, this.y - n(0, 1)); break;
      case "B": this.y = Math.min(this.y <= this.bottom ? this.bottom : this.rows - 1, this.y + n(0, 1)); break;
      case "C": this.x = clampX(this.x + n(0, 1)); break;
      case "D": this.x = clampX(this.x - n(0, 1)); break;
      case "E": this.x = 0; this.y = clampY(this.y + n(0, 1)); break;
      case "F": this.x = 0; this.y = clampY(this.y - n(0, 1)); break;
      case "G": case "`": this.x = clampX(n(0, 1) - 1); break;
      case "d": this.y = clampY(n(0, 1) - 1); break;
      case "H": case "f": this.y = clampY(n(0, 1) - 1); this.x = clampX(n(1, 1) - 1); break;
      case "J": this.eraseDisplay(Number.isFinite(args[0]) ? args[0] : 0); break;
      case "K": this.eraseLine(Number.isFinite(args[0]) ? args[0] : 0); break;
      case "P": { const row = this.screen[this.y]; row.splice(this.x, n(0, 1)); while (row.length < this.cols) row.push(" "); break; }
      case "@": { const row = this.screen[this.y]; row.splice(this.x, 0, ...new Array(n(0, 1)).fill(" ")); row.length = this.cols; break; }
      case "X": for (let i = 0; i < n(0, 1) && this.x + i < this.cols; i++) this.screen[this.y][this.x + i] = " "; break;
      case "L": for (let i = 0; i < n(0, 1); i++) this.scrollDown(this.y, this.bottom); break;
      case "M": for (let i = 0; i < n(0, 1); i++) this.scrollUp(this.y, this.bottom); break;
      case "S": for (let i = 0; i < n(0, 1); i++) this.scrollUp(this.top, this.bottom); break;
      case "T": for (let i = 0; i < n(0, 1); i++) this.scrollDown(this.top, this.bottom); break;
      case "r": {
        const t = n(0, 1) - 1, b = n(1, this.rows) - 1;
        if (t < b && b < this.rows) { this.top = t; this.bottom = b; this.x = 0; this.y = 0; }
        break;
      }
      case "s": this.saved = [this.x, this.y]; break;
      case "u": [this.x, this.y] = this.saved; break;
      default: break; // m (colours) and the rest
    }
  }

  eraseLine(mode) {
    const row = this.screen[this.y];
    const [a, b] = mode === 0 ? [this.x, this.cols] : mode === 1 ? [0, this.x + 1] : [0, this.cols];
    for (let i = a; i < b; i++) row[i] = " ";
  }

  eraseDisplay(mode) {
    if (mode === 0) { this.eraseLine(0); for (let y = this.y + 1; y < this.rows; y++) this.screen[y] = this.blank(); }
    else if (mode === 1) { this.eraseLine(1); for (let y = 0; y < this.y; y++) this.screen[y] = this.blank(); }
    else { for (let y = 0; y < this.rows; y++) { this.screen[y] = this.blank(); this.wrapped[y] = false; } }
  }

  reset() {
    this.eraseDisplay(2);
    this.x = this.y = 0;
    this.top = 0;
    this.bottom = this.rows - 1;
  }

  // resize keeps the text: rows taken from the top go to the scrollback.
  resize(cols, rows) {
    if (cols === this.cols && rows === this.rows) return;
    for (let y = 0; y < this.rows; y++) {
      const row = this.screen[y];
      if (cols < row.length) row.length = cols;
      while (row.length < cols) row.push(" ");
    }
    this.cols = cols;
    while (this.screen.length > rows) {
      if (this.y > 0) {
        const line = this.screen.shift();
        this.wrapped.shift();
        this.scrollback.push(line.join("").replace(/ +$/, ""));
        this.y--;
      } else {
        this.screen.pop();
        this.wrapped.pop();
      }
    }
    while (this.screen.length < rows) { this.screen.push(this.blank()); this.wrapped.push(false); }
    this.rows = rows;
    this.top = 0;
    this.bottom = rows - 1;
    this.x = Math.min(this.x, cols - 1);
    this.y = Math.min(this.y, rows - 1);
    this.pendingWrap = false;
    this.dirty = true;
    this.schedule();
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => { this.scheduled = false; this.render(); });
  }

  // text returns what the terminal shows, scrollback first, without the
  // blank rows below the cursor.
  text() {
    let last = this.rows - 1;
    while (last > this.y && this.screen[last].every((c) => c === " ")) last--;
    const rows = this.screen.slice(0, last + 1).map((r) => r.join("").replace(/ +$/, ""));
    return this.scrollback.concat(rows).join("\n");
  }

  render() {
    if (!this.dirty) return;
    this.dirty = false;
    let last = this.rows - 1;
    while (last > this.y && this.screen[last].every((c) => c === " ")) last--;
    const rows = [];
    for (let y = 0; y <= last; y++) rows.push(this.screen[y].join("").replace(/ +$/, ""));
    const cur = this.screen[this.y];
    const above = this.scrollback.concat(rows.slice(0, this.y));
    const head = (above.length ? above.join("\n") + "\n" : "") + cur.slice(0, this.x).join("");
    let tail = cur.slice(this.x + 1).join("").replace(/ +$/, "");
    if (this.y < last) tail += "\n" + rows.slice(this.y + 1).join("\n");
    const pre = this.pre;
    const box = pre.parentElement;
    const atBottom = !box || box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    const span = document.createElement("span");
    span.className = "cursor";
    span.textContent = cur[this.x] || " ";
    pre.replaceChildren(head, span, tail);
    if (box && atBottom) box.scrollTop = box.scrollHeight;
  }
}

// keyBytes returns what a terminal sends for a key, or null to let the
// browser have it (copy with text selected, paste).
function keyBytes(e) {
  if (e.isComposing) return null;
  const k = e.key;
  if (e.ctrlKey && !e.altKey && !e.metaKey) {
    if ((k === "c" || k === "C") && window.getSelection().toString() !== "") return null; // copy
    if (k === "v" || k === "V") return null; // paste
    if (k.length === 1) {
      const c = k.toUpperCase().charCodeAt(0);
      if (c >= 0x40 && c <= 0x5f) return String.fromCharCode(c & 0x1f);
      if (k === " ") return "\x00";
    }
  }
  const special = {
    Enter: "\r", Backspace: "\x7f", Tab: "\t", Escape: "\x1b",
    ArrowUp: "\x1b[A", ArrowDown: "\x1b[B", ArrowRight: "\x1b[C", ArrowLeft: "\x1b[D",
    Home: "\x1b[H", End: "\x1b[F", Delete: "\x1b[3~", PageUp: "\x1b[5~", PageDown: "\x1b[6~",
  };
  if (k in special) return special[k];
  if (k.length === 1 && !e.ctrlKey && !e.metaKey) return e.altKey ? "\x1b" + k : k;
  return null;
}
