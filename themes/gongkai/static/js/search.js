// Search page: queries the indexes built with the site (no other host is contacted):
// enterprises from the credit-code shards and the word index, tasks, items, plans and
// documents from the Pagefind bundle.
// Results are written with textContent only. Ranking rule shared with the server
// (generator/search/rank.py): an exact credit code first, then code prefixes, then relevance.
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const root = form.dataset.root || "";
const SHOWN = 20;
const BATCH = 10; // Pagefind records loaded at a time
const BLOCK_BATCH = 4; // blocks of the word index loaded at a time
const MAX_BLOCKS = 32;
const MAX_QUERY = 200;
const FILTERS = Array.from(form.querySelectorAll("select[data-filter]"));
const SORT = form.querySelector("select[name=sort]");
let pagefind = null;
let current = 0;

function cleanQuery(text) {
  return (text || "").slice(0, MAX_QUERY).replace(/[^\p{L}\p{N}_-]+/gu, " ").trim().replace(/\s+/g, " ");
}

function codeQuery(query) {
  const compact = query.replace(/ /g, "");
  return /^[0-9A-Za-z]{8,18}$/.test(compact) ? compact.toUpperCase() : "";
}

function codeRank(query, code) {
  const wanted = codeQuery(query);
  code = (code || "").toUpperCase();
  if (!wanted || !code) return 2;
  if (code === wanted) return 0;
  return code.startsWith(wanted) ? 1 : 2;
}

// Filters chosen in the form as [k, position]: the indexes list a record's values of the
// k-th filter by their position in that filter's list (the options after "全部"); null when
// a value is not in the list.
function chosenPositions(filters) {
  const out = [];
  FILTERS.forEach((select, k) => {
    const value = filters[select.dataset.filter];
    if (value === undefined) return;
    out.push([k, Array.from(select.options).findIndex((o) => o.value === value) - 1]);
  });
  return out;
}

// The members of a block of the word index (see generator/search/word_index.py) that
// hold every word of the query and match every filter.
function members(query, filters, block) {
  const words = query.toLowerCase().split(" ");
  const chosen = chosenPositions(filters);
  const out = [];
  for (const m of block.m) {
    const [code, title, summary, date, url, own] = m;
    const text = [title, code, ...own.map((i) => block.w[i])].join(" ").toLowerCase();
    const lower = code.toLowerCase();
    if (!words.every((w) => text.includes(w) || lower.startsWith(w))) continue;
    if (!chosen.every(([k, at]) => (m[6 + k] || []).includes(at))) continue;
    out.push({ url, meta: { title, kind: "企业", code, summary, date } });
  }
  return out;
}

// Chinese runs become the words of their two-character pieces, as the bundle holds them
// (gram_words in generator/search/pagefind_bundle.py); other words stay as typed.
function gramWords(query) {
  const out = [];
  for (const word of query.split(" ")) {
    for (const run of word.match(/[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+/g) || []) {
      const chars = Array.from(run);
      if (chars.length < 2 || !/[\u3400-\u9fff\uf900-\ufaff]/.test(run)) {
        out.push(run);
        continue;
      }
      for (let i = 0; i + 1 < chars.length; i++) {
        const pair = [chars[i], chars[i + 1]].map((c) => c.codePointAt(0).toString(36).padStart(4, "0"));
        out.push(`k${pair[0]}${pair[1]}`);
      }
    }
  }
  return out.join(" ");
}

// Credit codes and prefixes of 8+ characters are answered from the code shards written
// with the site (generator/search/code_index.py): a small manifest and one or two shards
// instead of the Pagefind runtime and its start-up file.
const CODES = root + "search/codes/";
const CODE_SPAN = 4; // shards a prefix may span and still be filtered and sorted here
let codeIndex = null;
const shards = new Map();

function manifest() {
  if (!codeIndex) {
    codeIndex = fetch(CODES + "index.json").then((r) => (r.ok ? r.json() : null)).catch(() => null);
  }
  return codeIndex;
}

function shard(n) {
  if (!shards.has(n)) {
    shards.set(n, fetch(`${CODES}${n}.json`).then((r) => {
      if (!r.ok) throw new Error(`shard ${n}`);
      return r.json();
    }));
  }
  return shards.get(n);
}

// the last position whose item is <= value (0 when none is)
function last(items, value) {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

// how many entries of a shard sort before value
function before(entries, value) {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid][0] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// {hits, total} from the shards, or null: no code index, no code matches, or a prefix too
// wide to filter or sort here (Pagefind answers those)
async function fromCodes(code, filters, byDate) {
  const index = await manifest();
  if (!index || !index.count) return null;
  const end = code + "\uffff";
  const lo = last(index.keys, code);
  const hi = last(index.keys, end);
  const narrow = hi - lo < CODE_SPAN;
  if (!narrow && (byDate || Object.keys(filters).length)) return null;
  // a wide prefix: the shards of its first SHOWN codes, and the last one for the count
  const upto = narrow ? hi : Math.min(hi - 1, lo + Math.ceil(SHOWN / index.size));
  const listed = Array.from({ length: upto - lo + 1 }, (_, k) => lo + k);
  const wanted = narrow ? listed : [...listed, hi];
  const loaded = new Map(await Promise.all(wanted.map(async (n) => [n, await shard(n)])));
  const chosen = chosenPositions(filters);
  const hits = [];
  for (const n of listed) {
    for (const e of loaded.get(n)) {
      if (!e[0].startsWith(code)) continue;
      if (!chosen.every(([k, at]) => (e[5 + k] || []).includes(at))) continue;
      hits.push({ url: e[4], meta: { title: e[1], kind: "企业", code: e[0], summary: e[2], date: e[3] } });
    }
  }
  if (!hits.length) return null;
  const total = narrow
    ? hits.length
    : hi * index.size + before(loaded.get(hi), end) - (lo * index.size + before(loaded.get(lo), code));
  if (byDate) hits.sort((a, b) => (b.meta.date || "").localeCompare(a.meta.date || ""));
  return { hits, total };
}

// Enterprises by name fragment or any other word: the word index written with the site
// (generator/search/word_index.py). A query becomes the keys the index holds: each
// Chinese character alone and each pair of neighbours, other runs by their first
// MAX_PREFIX characters; each key's file lists the blocks holding it.
const WORDS = root + "search/words/";
const CHINESE = /[\u3400-\u9fff\uf900-\ufaff]/;
const RUNS = /[\u3400-\u9fff\uf900-\ufaff]+|(?:(?![\u3400-\u9fff\uf900-\ufaff])[\p{L}\p{N}_-])+/gu;
const MAX_PREFIX = 8;
const EPOCH = Date.UTC(1990, 0, 1);
const files = new Map();
let wordIndex = null;

function json(url) {
  if (!files.has(url)) {
    const promise = fetch(url).then((r) => {
      if (!r.ok) throw new Error(url);
      return r.json();
    });
    files.set(url, promise);
    promise.catch(() => files.delete(url));
  }
  return files.get(url);
}

function wordManifest() {
  if (!wordIndex) wordIndex = json(WORDS + "index.json").catch(() => null);
  return wordIndex;
}

function queryKeys(query) {
  const out = new Set();
  for (const run of query.toLowerCase().match(RUNS) || []) {
    const chars = Array.from(run);
    if (!CHINESE.test(run)) out.add(chars.slice(0, MAX_PREFIX).join(""));
    else if (chars.length === 1) out.add(run);
    else for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
  }
  return [...out];
}

// FNV-1a over UTF-16 code units, as key_hash in word_index.py
function keyHash(key) {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function bytes(base64) {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

// a key's blocks: a list, or a bitmap (bit n of byte n >> 3, least significant first)
function blocksOf(posting) {
  if (Array.isArray(posting)) return posting;
  const out = [];
  bytes(posting).forEach((b, i) => {
    for (let j = 0; b && j < 8; j++) if (b & (1 << j)) out.push(i * 8 + j);
  });
  return out;
}

// each block's latest date ("" when none), for results sorted by date
async function blockDates() {
  const raw = bytes(await json(WORDS + "dates.json"));
  const view = new DataView(raw.buffer);
  return Array.from({ length: raw.length >> 1 }, (_, n) => {
    const day = view.getUint16(n * 2, true);
    return day ? new Date(EPOCH + (day - 1) * 86400000).toISOString().slice(0, 10) : "";
  });
}

const newest = (a, b) => (b.meta.date || "").localeCompare(a.meta.date || "");

// {hits, more} for enterprises, or null when the site has no word index
async function fromWords(query, filters, byDate) {
  const index = await wordManifest();
  if (!index) return null;
  const chosen = chosenPositions(filters);
  const words = queryKeys(query);
  if (!index.count || !words.length || chosen.some(([, at]) => at < 0)) return { hits: [], more: false };
  const keys = [...words, ...chosen.map(([k, at]) => `#${k}:${at}`)];
  const postings = await Promise.all(keys.map(async (key) => {
    const shelf = await json(`${WORDS}k${keyHash(key) % index.files}.json`);
    return blocksOf(shelf[key] || []);
  }));
  postings.sort((a, b) => a.length - b.length);
  let blocks = postings[0];
  for (const other of postings.slice(1)) {
    const has = new Set(other);
    blocks = blocks.filter((n) => has.has(n));
  }
  const dates = byDate && blocks.length ? await blockDates() : null;
  if (dates) blocks = blocks.slice().sort((a, b) => dates[b].localeCompare(dates[a]) || a - b);
  const hits = [];
  let next = 0;
  while (next < blocks.length && next < MAX_BLOCKS) {
    const batch = blocks.slice(next, next + BLOCK_BATCH);
    next += batch.length;
    for (const block of await Promise.all(batch.map((n) => json(`${WORDS}b${n}.json`)))) {
      hits.push(...members(query, filters, block));
    }
    if (hits.length < SHOWN) continue;
    if (!dates || next >= blocks.length) break;
    // sorted by date: a later block can still hold a newer member than the last one kept
    hits.sort(newest);
    if (dates[blocks[next]] <= (hits[SHOWN - 1].meta.date || "")) break;
  }
  if (dates) hits.sort(newest);
  return { hits, more: next < blocks.length };
}

// {hits, total} of tasks, items, plans and documents from Pagefind
async function fromPagefind(query, options) {
  const pf = await load();
  // name fragments first; words found only elsewhere as typed
  const grams = gramWords(query);
  let search = await pf.search(grams, options);
  if (search && !search.results.length && grams !== query) search = await pf.search(query, options);
  if (!search) return null; // a newer query took over
  const results = search.results.slice(0, SHOWN);
  const hits = [];
  for (let k = 0; k < results.length; k += BATCH) {
    hits.push(...await Promise.all(results.slice(k, k + BATCH).map((r) => r.data())));
  }
  return { hits, total: search.results.length };
}

async function load() {
  if (!pagefind) {
    const url = new URL(root + "pagefind/pagefind.js", document.baseURI).href;
    pagefind = import(url).then(async (pf) => {
      // on the main thread: a worker is one more script to fetch before the first result
      await pf.options({ baseUrl: "/", excerptLength: 0, noWorker: true });
      await pf.init();
      return pf;
    });
    pagefind.catch(() => { pagefind = null; });
  }
  return pagefind;
}

function say(text) {
  status.textContent = text;
}

function render(query, hits, total) {
  list.replaceChildren();
  for (const hit of hits) {
    const meta = hit.meta || {};
    const li = document.createElement("li");
    li.className = "search-hit";
    const a = document.createElement("a");
    a.href = root + hit.url.replace(/^\/+/, "");
    a.textContent = meta.title || hit.url;
    li.append(a);
    const kind = document.createElement("span");
    kind.className = "search-kind";
    kind.textContent = meta.kind || "";
    li.append(" ", kind);
    if (meta.code) {
      const code = document.createElement("span");
      code.className = "search-code";
      code.textContent = meta.code;
      li.append(" ", code);
    }
    if (meta.summary || meta.date) {
      const p = document.createElement("p");
      p.className = "search-meta";
      p.textContent = meta.summary || "";
      if (meta.date) {
        const time = document.createElement("time");
        time.dateTime = meta.date;
        time.textContent = meta.date;
        p.append(" ", time);
      }
      li.append(p);
    }
    list.append(li);
  }
  if (total < 0) say(`找到 ${-total} 条以上结果，显示前 ${hits.length} 条。`);
  else if (!total) say(`没有找到与“${query}”相符的结果。`);
  else if (total > hits.length) say(`找到 ${total} 条结果，显示前 ${hits.length} 条。`);
  else say(`找到 ${total} 条结果。`);
}

function chosenFilters() {
  const filters = {};
  for (const select of FILTERS) if (select.value) filters[select.dataset.filter] = select.value;
  return filters;
}

async function run() {
  const id = ++current;
  const query = cleanQuery(input.value);
  if (!query) {
    list.replaceChildren();
    say(input.value.trim() ? "请输入文字、数字或信用代码。" : "请输入关键词。");
    return;
  }
  say("正在搜索…");
  try {
    const options = { filters: chosenFilters() };
    if (SORT && SORT.value === "date") options.sort = { date: "desc" };
    const code = codeQuery(query);
    if (code) {
      const found = await fromCodes(code, options.filters, options.sort !== undefined).catch(() => null);
      if (id !== current) return;
      if (found) {
        const order = found.hits.map((d, i) => [codeRank(query, d.meta.code), i, d]);
        order.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        render(query, order.slice(0, SHOWN).map((x) => x[2]), found.total);
        return;
      }
    }
    const byDate = options.sort !== undefined;
    const [ents, others] = await Promise.all([
      fromWords(query, options.filters, byDate).catch(() => null),
      fromPagefind(query, options).catch(() => null),
    ]);
    if (id !== current) return;
    if (!ents && !others) throw new Error("no index");
    // tasks, items, plans and documents before enterprises, unless sorted by date
    const hits = [...(others ? others.hits : []), ...(ents ? ents.hits : [])];
    if (byDate) hits.sort(newest);
    const order = hits.map((d, i) => [codeRank(query, d.meta && d.meta.code), i, d]);
    order.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const count = (others ? others.total : 0) + (ents ? ents.hits.length : 0);
    render(query, order.slice(0, SHOWN).map((x) => x[2]), ents && ents.more ? -count : count);
  } catch (err) {
    if (id === current) say("搜索索引无法加载，请改用上方导航按类别浏览。");
  }
}

function syncUrl() {
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value.trim().slice(0, MAX_QUERY));
  for (const [k, v] of Object.entries(chosenFilters())) params.set(k, v);
  if (SORT && SORT.value) params.set("sort", SORT.value);
  const qs = params.toString();
  history.replaceState(null, "", qs ? `?${qs}` : location.pathname);
}

let timer = 0;
function later() {
  clearTimeout(timer);
  timer = setTimeout(() => { syncUrl(); run(); }, 250);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  syncUrl();
  run();
});
input.addEventListener("input", later);
// anything but a credit code is answered by the word index and Pagefind: start loading
// them while the query is typed
input.addEventListener("input", () => {
  if (/[^\s0-9A-Za-z]/.test(input.value)) {
    wordManifest();
    load().catch(() => {});
  }
});
for (const select of [...FILTERS, SORT]) if (select) select.addEventListener("change", later);

const params = new URLSearchParams(location.search);
input.value = (params.get("q") || "").slice(0, MAX_QUERY);
for (const select of FILTERS) {
  const value = params.get(select.dataset.filter);
  if (value && Array.from(select.options).some((o) => o.value === value)) select.value = value;
}
if (SORT && params.get("sort") === "date") SORT.value = "date";
if (input.value) run();
else say("请输入关键词。");
