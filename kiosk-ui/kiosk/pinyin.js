// Pinyin input: the dictionary (data/pinyin.tsv, made by genpinyin from
// rime-pinyin-simp, see data/NOTICE.txt) and the candidates for what has
// been typed.
//
// The dictionary has one entry a line, "text<TAB>pinyin" with the
// syllables joined, most frequent first. Candidates for a pinyin buffer
// come in this order, each taking part or all of the buffer:
//   1. words and phrases whose pinyin is the whole buffer ("nihao" 你好);
//   2. words and phrases whose pinyin starts with it, once it spans two
//      syllables or more ("nih" 你好);
//   3. words and phrases for the first syllables of it, longest first
//      ("nihaoma": 你好 takes "nihao");
//   4. characters for the first syllable ("ni" 你 尼 泥), or for every
//      syllable that starts with the letters typed ("zh" 这 中 只).
// Within each group the more frequent come first.

const DATA_URL = '/ui/kiosk/data/pinyin.tsv';

/** @typedef {{text: string, key: string, rank: number}} Entry */
/** @typedef {{text: string, take: number}} Candidate */

export class PinyinDict {
  /** @param {string} tsv the dictionary's text */
  constructor(tsv) {
    /** @type {Map<string, Entry[]>} single characters by syllable */
    this.chars = new Map();
    /** @type {Map<string, Entry[]>} words and phrases by their joined pinyin */
    this.words = new Map();
    let rank = 0;
    for (const line of tsv.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab < 1) continue;
      const e = { text: line.slice(0, tab), key: line.slice(tab + 1).trim(), rank: rank++ };
      const m = [...e.text].length === 1 ? this.chars : this.words;
      const list = m.get(e.key);
      if (list) list.push(e);
      else m.set(e.key, [e]);
    }
    /** sorted keys of words, for prefix look-ups */
    this.wordKeys = [...this.words.keys()].sort();
    this.syllables = [...this.chars.keys()].sort();
    this.maxSyllable = Math.max(1, ...this.syllables.map((s) => s.length));
  }

  /**
   * Splits pinyin into syllables, longest syllable first at each point; a
   * tail that is no whole syllable is the last part (it may be the start
   * of one, "zh").
   * @param {string} s
   * @returns {string[]}
   */
  split(s) {
    const out = [];
    let i = 0;
    while (i < s.length) {
      let n = Math.min(this.maxSyllable, s.length - i);
      while (n > 0 && !this.chars.has(s.slice(i, i + n))) n--;
      if (n === 0) {
        out.push(s.slice(i));
        break;
      }
      out.push(s.slice(i, i + n));
      i += n;
    }
    return out;
  }

  /**
   * The candidates for a pinyin buffer (lower-case letters), at most limit.
   * @param {string} buf
   * @param {number} [limit]
   * @returns {Candidate[]}
   */
  candidates(buf, limit = 120) {
    /** @type {Candidate[]} */
    const out = [];
    const seen = new Set();
    const add = (/** @type {Entry[]} */ list, /** @type {number} */ take) => {
      for (const e of list) {
        if (out.length >= limit) return;
        if (seen.has(e.text)) continue;
        seen.add(e.text);
        out.push({ text: e.text, take });
      }
    };
    if (!buf) return out;
    add(this.words.get(buf) || [], buf.length);
    const parts = this.split(buf);
    if (parts.length >= 2) add(byRank(this.keysFrom(this.wordKeys, buf).filter((k) => k !== buf).flatMap((k) => this.words.get(k) || [])).slice(0, 24), buf.length);
    for (let n = parts.length - 1; n >= 2; n--) {
      const key = parts.slice(0, n).join('');
      add(this.words.get(key) || [], key.length);
    }
    const first = parts[0];
    if (this.chars.has(first)) add(this.chars.get(first) || [], first.length);
    else add(byRank(this.keysFrom(this.syllables, first).flatMap((k) => this.chars.get(k) || [])), first.length);
    return out;
  }

  /**
   * The keys of a sorted list that start with prefix.
   * @param {string[]} keys
   * @param {string} prefix
   */
  keysFrom(keys, prefix) {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out = [];
    for (let i = lo; i < keys.length && keys[i].startsWith(prefix); i++) out.push(keys[i]);
    return out;
  }
}

/** @param {Entry[]} list */
const byRank = (list) => list.sort((a, b) => a.rank - b.rank);

/** @type {Promise<PinyinDict> | null} */
let loading = null;

/** The dictionary, fetched once (the service worker keeps it for offline use). */
export function loadDict() {
  if (!loading) {
    loading = fetch(DATA_URL)
      .then((r) => {
        if (!r.ok) throw new Error(`pinyin dictionary: HTTP ${r.status}`);
        return r.text();
      })
      .then((tsv) => new PinyinDict(tsv));
    loading.catch(() => (loading = null));
  }
  return loading;
}
