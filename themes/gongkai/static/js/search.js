// Search page: queries the indexes built with the site (no other host is contacted):
// enterprises from the credit-code shards and the word index, tasks, items, plans and
// documents from the Pagefind bundle. Results are written with textContent only.
//
// Ranking rule shared with the server (generator/search/rank.py, whose tier names come
// in search/fold.json): the exact credit code, then code prefixes, then enterprises
// whose folded name holds the whole query, then other enterprise matches, then tasks,
// items, plans and documents. Names and queries are folded as generator/search/fold.py
// folds them, with the table it writes to search/fold.json.
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const root = form.dataset.root || "";
const PAGE = 20; // results shown per step ("更多结果")
const BATCH = 10; // Pagefind records loaded at a time
const BLOCK_BATCH = 4; // blocks of the word index loaded at a time
const MAX_BLOCKS = 32; // blocks read per step before saying that more may remain
const MAX_QUERY = 200;
const FILTERS = Array.from(form.querySelectorAll("select[data-filter]"));
const SORT = form.querySelector("select[name=sort]");
let pagefind = null;
let current = 0;

const more = document.createElement("button");
more.type = "button";
more.className = "search-more";
more.textContent = "更多结果";
more.hidden = true;
list.after(more);

function cleanQuery(text) {
  return (text || "").slice(0, MAX_QUERY).normalize("NFKC")
    .replace(/[^\p{L}\p{N}_-]+/gu, " ").trim().replace(/\s+/g, " ");
}

function codeQuery(query) {
  const compact = query.replace(/ /g, "");
  return /^[0-9A-Za-z]{8,18}$/.test(compact) ? compact.toUpperCase() : "";
}

// --- folding (generator/search/fold.py) ---------------------------------------------
let foldData = null;
const foldMap = new Map();
const foldShardsLoaded = new Map();

// search/fold.json: suffixes, regions, tier names and the table's shard count
function foldTable() {
  if (!foldData) foldData = json(root + "search/fold.json").catch(() => null);
  return foldData;
}

// the shards of the character table that the text's characters fall in
async function foldShards(text) {
  const table = await foldTable();
  if (!table) return table;
  if (!table.bits) table.bits = bytes(table.changes);
  const wanted = new Set();
  for (const c of (text || "").normalize("NFKC")) {
    const point = c.codePointAt(0);
    const inMap = point >= table.changesFrom && point < table.changesTo;
    const at = point - table.changesFrom;
    // only characters the table changes (outside the bitmap's range: maybe)
    if (inMap ? table.bits[at >> 3] & (1 << (at & 7)) : point >= 0x3400) wanted.add(point % table.shards);
  }
  await Promise.all([...wanted].map((n) => {
    if (!foldShardsLoaded.has(n)) {
      foldShardsLoaded.set(n, json(`${root}search/fold/${n}.json`).then((shard) => {
        const to = Array.from(shard.to);
        Array.from(shard.from).forEach((c, i) => foldMap.set(c, to[i]));
      }).catch(() => foldShardsLoaded.delete(n)));
    }
    return foldShardsLoaded.get(n);
  }));
  return table;
}

// fold.plain: what fold gives a name in simplified characters, with no table needed
function plainFold(text) {
  return (text || "").normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

// fold.fold, once foldShards has loaded the text's shards
function fold(text) {
  let out = "";
  for (const c of (text || "").normalize("NFKC").toLowerCase()) out += foldMap.get(c) || c;
  return out.replace(/[^\p{L}\p{N}]+/gu, "");
}

function stripEnds(word, ends, fromStart) {
  for (let changed = true; changed;) {
    changed = false;
    for (const end of ends) {
      const hit = fromStart ? word.startsWith(end) : word.endsWith(end);
      if (hit && Array.from(word).length - Array.from(end).length >= 2) {
        word = fromStart ? word.slice(end.length) : word.slice(0, word.length - end.length);
        changed = true;
        break;
      }
    }
  }
  return word;
}

// the folded forms of a query word a name may hold, longest first (fold.variants)
function variants(word, table) {
  const folded = fold(word);
  if (!folded) return [];
  const bare = stripEnds(folded, table ? table.suffixes : [], false);
  const core = stripEnds(bare, table ? table.regions : [], true);
  return [...new Set([folded, bare, core])];
}

// --- ranking (generator/search/rank.py) ---------------------------------------------
let TIERS = ["code", "code_prefix", "name", "enterprise", "other"];
const tier = (name) => TIERS.indexOf(name);

// an enterprise's tier for the query, -1 when it does not match (rank.enterprise_tiers)
function enterpriseTier(query, code, names, table) {
  const words = query.split(" ");
  const upper = (code || "").toUpperCase();
  const wanted = codeQuery(query);
  if (wanted && upper === wanted) return tier("code");
  if (wanted && upper.startsWith(wanted)) return tier("code_prefix");
  const holds = (forms) => forms.some((f) => names.includes(f));
  if (holds(variants(words.join(""), table))) return tier("name");
  const every = words.every((w) => {
    const head = fold(w);
    return holds(variants(w, table)) || (head && upper.startsWith(head.toUpperCase()));
  });
  return every ? tier("enterprise") : -1;
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

const files = new Map();

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

// --- credit codes (generator/search/code_index.py) ----------------------------------
// Credit codes and prefixes of 8+ characters are answered from the code shards: a small
// manifest and the shards the prefix spans, loaded a few at a time as results are paged.
const CODES = root + "search/codes/";
const CODE_SPAN = 4; // shards a prefix may span and still be filtered and sorted here
let codeIndex = null;

function manifest() {
  if (!codeIndex) codeIndex = json(CODES + "index.json").catch(() => null);
  return codeIndex;
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

// a code shard's or word block's entry; an empty address is the manifest's for its code
const enterpriseHit = (e, rank, url) => ({
  url: e[4] || url.replace("{code}", e[0]), tier: rank,
  meta: { title: e[1], kind: "企业", code: e[0], summary: e[2], date: e[3] },
});

// A source of results for one query: next(n) loads until n more are ready or it is
// exhausted; count is what is known to match so far, done whether that is all.
async function codeSource(query, code, filters, byDate) {
  const index = await manifest();
  if (!index || !index.count) return null;
  const end = code + "\uffff";
  const lo = last(index.keys, code);
  const hi = last(index.keys, end);
  const narrow = hi - lo < CODE_SPAN;
  if (!narrow && (byDate || Object.keys(filters).length)) return null;
  const chosen = chosenPositions(filters);
  const shard = (n) => json(`${CODES}${n}.json`);
  const [first, final] = await Promise.all([shard(lo), shard(hi)]);
  const total = hi * index.size + before(final, end) - (lo * index.size + before(first, code));
  if (total <= 0) return null;
  const ready = [];
  let next = lo;
  const source = {
    count: narrow ? 0 : total,
    done: false,
    ready,
    async fill(n) {
      while (ready.length < n && next <= hi) {
        const upto = narrow ? hi : Math.min(hi, next + Math.ceil(n / index.size));
        const loaded = await Promise.all(Array.from({ length: upto - next + 1 }, (_, k) => shard(next + k)));
        next = upto + 1;
        for (const entries of loaded) {
          for (const e of entries) {
            if (!e[0].startsWith(code)) continue;
            if (!chosen.every(([k, at]) => (e[5 + k] || []).includes(at))) continue;
            ready.push(enterpriseHit(e, codeQuery(query) === e[0] ? tier("code") : tier("code_prefix"), ""));
          }
        }
      }
      source.done = next > hi;
      if (narrow) source.count = ready.length;
      ready.sort((a, b) => a.tier - b.tier || (byDate ? newest(a, b) : 0));
    },
  };
  await source.fill(PAGE);
  return source.count ? source : null;
}

// --- names (generator/search/word_index.py) -----------------------------------------
// A folded query becomes the keys the index holds: each character and each pair of
// neighbours of a name, the first MAX_PREFIX characters of a code; each key's file
// lists the blocks holding it.
const WORDS = root + "search/words/";
const MAX_PREFIX = 8;
const EPOCH = Date.UTC(1990, 0, 1);
let wordIndex = null;

function wordManifest() {
  if (!wordIndex) wordIndex = json(WORDS + "index.json").catch(() => null);
  return wordIndex;
}

// the keys of a folded piece of a name: its pairs, or its one character (word_index.keys)
function nameKeys(form) {
  const chars = Array.from(form);
  if (chars.length < 2) return chars;
  return [...new Set(chars.slice(1).map((c, i) => chars[i] + c))];
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
const intersect = (a, b) => {
  const has = new Set(b);
  return a.filter((n) => has.has(n));
};

// the blocks that may hold a match (rank.py: every word, or the whole query, or the code)
async function candidateBlocks(query, filters, table, index) {
  const words = query.split(" ");
  const chosen = chosenPositions(filters);
  if (chosen.some(([, at]) => at < 0)) return [];
  const shelf = (key) => json(`${WORDS}k${keyHash(key) % index.files}.json`).then((s) => blocksOf(s[key] || []));
  const all = async (keys) => {
    if (!keys.length) return null;
    const lists = await Promise.all(keys.map(shelf));
    lists.sort((a, b) => a.length - b.length);
    return lists.slice(1).reduce(intersect, lists[0]);
  };
  const union = (lists) => [...new Set(lists.filter(Boolean).flat())].sort((a, b) => a - b);
  const perWord = Promise.all(words.map(async (w) => {
    const forms = variants(w, table);
    const head = fold(w);
    const code = /^[0-9a-z]+$/.test(head) ? [head.slice(0, MAX_PREFIX)] : [];
    return union(await Promise.all([forms.length ? all(nameKeys(forms[forms.length - 1])) : null, all(code)]));
  }));
  const whole = variants(words.join(""), table);
  const code = codeQuery(query).toLowerCase().slice(0, MAX_PREFIX);
  // every key file at once: each is a request
  const [each, all_, byCode, filtered] = await Promise.all([perWord,
    whole.length ? all(nameKeys(whole[whole.length - 1])) : null, code ? all([code]) : null,
    all(chosen.map(([k, at]) => `#${k}:${at}`))]);
  const blocks = union([each.reduce(intersect), all_, byCode]);
  return filtered ? intersect(blocks, filtered) : blocks;
}

async function wordSource(query, filters, byDate) {
  const [index, table] = await Promise.all([wordManifest(), foldShards(query)]);
  if (!index) return null;
  if (table && table.tiers) TIERS = table.tiers;
  let blocks = index.count ? await candidateBlocks(query, filters, table, index) : [];
  const dates = byDate && blocks.length ? await blockDates() : null;
  if (dates) blocks = blocks.slice().sort((a, b) => dates[b].localeCompare(dates[a]) || a - b);
  const chosen = chosenPositions(filters);
  const found = [];
  let next = 0;
  const source = {
    count: 0,
    done: !blocks.length,
    ready: found,
    // sorted by date, a hit is safe to show once no unread block can hold a newer one
    safeDate: () => (dates && next < blocks.length ? dates[blocks[next]] : ""),
    async fill(n, progress) {
      let read = 0;
      while (next < blocks.length && read < MAX_BLOCKS) {
        // sorted by date, go on until no unread block can hold a newer one than the n-th
        if (found.length >= n && (!dates || (found[n - 1].meta.date || "") >= source.safeDate())) break;
        // a candidate block mostly holds a match: then as many as matches are missing;
        // the first few at once, to show something soon
        const size = read ? Math.max(BLOCK_BATCH, n - found.length) : BLOCK_BATCH;
        const batch = blocks.slice(next, next + Math.min(MAX_BLOCKS - read, size));
        next += batch.length;
        read += batch.length;
        for (const members of await Promise.all(batch.map((b) => json(`${WORDS}b${b}.json`)))) {
          for (const m of members) {
            if (!chosen.every(([k, at]) => (m[6 + k] || []).includes(at))) continue;
            const rank = enterpriseTier(query, m[0], m[5] || plainFold(m[1]), table);
            if (rank >= 0) found.push(enterpriseHit(m, rank, index.url));
          }
        }
        found.sort((a, b) => (dates ? newest(a, b) : a.tier - b.tier));
        if (progress && next < blocks.length && found.length < n) progress();
      }
      source.count = found.length;
      source.done = next >= blocks.length;
      source.stalled = !source.done && read >= MAX_BLOCKS && found.length < n;
    },
  };
  return source;
}

// {hits, total} of tasks, items, plans and documents from Pagefind: their records are
// loaded only when shown
async function pagefindSource(query, options) {
  const pf = await load();
  await foldShards(query);
  // traditional characters as the bundle holds them (simplified); name fragments first,
  // words found only elsewhere as typed
  query = Array.from(query.normalize("NFKC"), (c) => foldMap.get(c) || c).join("");
  const grams = gramWords(query);
  let search = await pf.search(grams, options);
  if (search && !search.results.length && grams !== query) search = await pf.search(query, options);
  if (!search) return null; // a newer query took over
  const results = search.results;
  const ready = [];
  const source = {
    count: results.length,
    done: false,
    ready,
    async fill(n) {
      while (ready.length < n && ready.length < results.length) {
        const batch = results.slice(ready.length, ready.length + Math.max(BATCH, n - ready.length));
        const data = await Promise.all(batch.map((r) => r.data()));
        ready.push(...data.map((d) => ({ ...d, tier: tier("other") })));
      }
      source.done = ready.length >= results.length;
    },
  };
  return source;
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

function item(hit) {
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
  return li;
}

// One query's results, shown PAGE at a time: enterprises (in tiers), then the others;
// sorted by date, the newest first, once no unread block can hold a newer one.
// An enterprise source is "known" when its count is exact (every block read, or a code
// prefix counted from the shards' manifest). The others (tasks, items, plans and
// documents, from Pagefind: its runtime outweighs a page of enterprises) are loaded
// only once every enterprise is in (or results are sorted by date), so a name that
// fills pages with enterprises never downloads them.
function session(id, query, ents, byDate, loadOthers) {
  const shown = new Set();
  let others = null;
  let asked = loadOthers ? null : Promise.resolve(null);
  let wanted = PAGE;
  let filled = 0; // the count the enterprise sources were last asked for
  const entsDone = () => ents.every((s) => s.done);
  const pool = () => {
    const out = [];
    for (const s of ents) out.push(...s.ready.filter((h) => !shown.has(h)));
    if (others) out.push(...others.ready.filter((h) => !shown.has(h)));
    out.sort((a, b) => (byDate ? newest(a, b) : 0) || a.tier - b.tier);
    if (!byDate) return out;
    const floor = ents.map((s) => (s.safeDate ? s.safeDate() : "")).reduce((a, b) => (a > b ? a : b), "");
    return out.filter((h) => !floor || (h.meta.date || "") >= floor);
  };
  async function show() {
    if (wanted > filled) {
      filled = wanted;
      // the first blocks' matches are shown while the rest load, when no later block can
      // hold a better one (names hold the whole query: the best tier a name search has)
      const early = () => {
        if (byDate || codeQuery(query)) return;
        if (ents.every((e) => e.ready.every((h) => h.tier <= tier("name")))) append();
      };
      for (const s of ents) await s.fill(wanted, early);
    }
    if (id !== current) return;
    if (!asked && (entsDone() || byDate)) {
      if (ents.length) {
        if (!byDate) append();
        report(true);
      }
      asked = loadOthers().catch(() => null);
      others = await asked;
      if (id !== current) return;
    }
    if (others) {
      const waiting = ents.reduce((n, s) => n + s.ready.filter((h) => !shown.has(h)).length, 0);
      const mine = others.ready.filter((h) => shown.has(h)).length;
      await others.fill(byDate ? wanted : mine + Math.max(0, wanted - shown.size - waiting));
      if (id !== current) return;
    }
    append();
    report(false);
  }
  function append() {
    for (const hit of pool().slice(0, Math.max(0, wanted - shown.size))) {
      shown.add(hit);
      list.append(item(hit));
    }
  }
  function report(loading) {
    const count = ents.reduce((n, s) => n + s.count, 0) + (others ? others.count : 0);
    const known = ents.every((s) => s.known || s.done) && asked !== null;
    const stalled = ents.some((s) => s.stalled);
    const left = !entsDone() || !asked || (others && !others.done) || shown.size < count;
    more.hidden = !left || loading;
    more.textContent = stalled ? "继续查找" : "更多结果";
    let text;
    if (loading) text = `正在查找任务、事项和文档…已找到 ${count} 条企业结果。`;
    else if (stalled) {
      text = (count ? `找到 ${count} 条以上结果，已显示 ${shown.size} 条。` : "找到 0 条结果，但还有索引块未读取。")
        + "点“继续查找”读取其余部分。";
    } else if (!count && !left) text = `没有找到与“${query}”相符的结果。`;
    else if (!known) text = `找到 ${count} 条以上结果，已显示 ${shown.size} 条。`;
    else if (count > shown.size) text = `找到 ${count} 条结果，已显示 ${shown.size} 条。`;
    else text = `找到 ${count} 条结果。`;
    say(text);
  }
  return {
    show,
    step() {
      wanted = shown.size + PAGE;
      filled = 0; // asked for: read on even where the last step stopped short
      return show();
    },
  };
}

function chosenFilters() {
  const filters = {};
  for (const select of FILTERS) if (select.value) filters[select.dataset.filter] = select.value;
  return filters;
}

let active = null;

async function run() {
  const id = ++current;
  const query = cleanQuery(input.value);
  list.replaceChildren();
  more.hidden = true;
  active = null;
  if (!query) {
    say(input.value.trim() ? "请输入文字、数字或信用代码。" : "请输入关键词。");
    return;
  }
  say("正在搜索…");
  try {
    const filters = chosenFilters();
    const byDate = Boolean(SORT && SORT.value === "date");
    const options = { filters };
    if (byDate) options.sort = { date: "desc" };
    const code = codeQuery(query);
    if (code) {
      const found = await codeSource(query, code, filters, byDate).catch(() => null);
      if (id !== current) return;
      if (found) {
        found.known = true;
        active = session(id, query, [found], byDate);
        await active.show();
        return;
      }
    }
    const ents = await wordSource(query, filters, byDate).catch(() => null);
    if (id !== current) return;
    let failed = false;
    const others = () => pagefindSource(query, options).catch(() => {
      failed = true;
      return null;
    });
    active = session(id, query, ents ? [ents] : [], byDate, others);
    await active.show();
    if (id === current && !ents && failed) throw new Error("no index");
  } catch (err) {
    if (id === current) say("搜索索引无法加载，请改用上方导航按类别浏览。");
  }
}

more.addEventListener("click", () => {
  if (active) active.step().catch(() => say("搜索索引无法加载，请改用上方导航按类别浏览。"));
});

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
    foldShards(input.value);
  }
});
for (const select of [...FILTERS, SORT]) if (select) select.addEventListener("change", later);

// two small files every name search starts from
wordManifest();
foldTable();

const params = new URLSearchParams(location.search);
input.value = (params.get("q") || "").slice(0, MAX_QUERY);
for (const select of FILTERS) {
  const value = params.get(select.dataset.filter);
  if (value && Array.from(select.options).some((o) => o.value === value)) select.value = value;
}
if (SORT && params.get("sort") === "date") SORT.value = "date";
// filters that came with the address are shown, not folded away
const folded = form.querySelector("details.search-filters");
if (folded && (Object.keys(chosenFilters()).length || (SORT && SORT.value))) folded.open = true;
if (input.value) run();
else say("请输入关键词。");
