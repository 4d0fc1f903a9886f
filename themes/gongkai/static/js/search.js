// Search page: queries the Pagefind bundle built with the site (no other host is contacted).
// Results are written with textContent only. Ranking rule shared with the server
// (generator/search/rank.py): an exact credit code first, then code prefixes, then relevance.
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const root = form.dataset.root || "";
const SHOWN = 20;
const BATCH = 10; // Pagefind records loaded at a time
const MAX_RECORDS = 60;
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

// Large sites group enterprises into one Pagefind record per run of credit codes (see
// generator/search/pagefind_bundle.py); the members that match every word and filter are shown.
function members(query, filters, json) {
  const words = query.toLowerCase().split(" ");
  const out = [];
  for (const m of JSON.parse(json)) {
    const text = `${m.t} ${m.x}`.toLowerCase();
    const code = (m.c || "").toLowerCase();
    if (!words.every((w) => text.includes(w) || code.startsWith(w))) continue;
    const f = m.f || {};
    if (!Object.entries(filters).every(([k, v]) => (f[k] || []).includes(v))) continue;
    out.push({ url: m.u, meta: { title: m.t, kind: "企业", code: m.c, summary: m.s, date: m.d } });
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

async function load() {
  if (!pagefind) {
    const url = new URL(root + "pagefind/pagefind.js", document.baseURI).href;
    pagefind = await import(url);
    await pagefind.options({ baseUrl: "/", excerptLength: 0 });
    await pagefind.init("zh");
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
    const pf = await load();
    const options = { filters: chosenFilters() };
    if (SORT && SORT.value === "date") options.sort = { date: "desc" };
    // name fragments first; words found only elsewhere (departments, tasks) as typed
    const grams = gramWords(query);
    let search = await pf.search(grams, options);
    if (id !== current || !search) return;
    if (!search.results.length && grams !== query) {
      search = await pf.search(query, options);
      if (id !== current || !search) return;
    }
    const byDate = options.sort !== undefined;
    const results = search.results;
    const hits = [];
    let grouped = false;
    let next = 0;
    // an exact code may rank below a prefix match in Pagefind: load a few more when a code is typed
    const wanted = codeQuery(query) ? SHOWN * 2 : SHOWN;
    while (next < results.length && next < MAX_RECORDS) {
      const batch = results.slice(next, next + BATCH);
      next += batch.length;
      const data = await Promise.all(batch.map((r) => r.data()));
      if (id !== current) return;
      for (const d of data) {
        if (d.meta && d.meta.members) {
          grouped = true;
          hits.push(...members(query, options.filters, d.meta.members));
        } else hits.push(d);
      }
      if (hits.length < wanted) continue;
      if (!grouped || !byDate || next >= results.length) break;
      // sorted by date: later groups can still hold newer members than the last one kept
      hits.sort((a, b) => (b.meta.date || "").localeCompare(a.meta.date || ""));
      const upcoming = await results[next].data();
      if (id !== current) return;
      if ((upcoming.meta.date || "") <= (hits[wanted - 1].meta.date || "")) break;
    }
    if (grouped && byDate) hits.sort((a, b) => (b.meta.date || "").localeCompare(a.meta.date || ""));
    const order = hits.map((d, i) => [codeRank(query, d.meta && d.meta.code), i, d]);
    order.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const total = grouped ? (next >= results.length ? hits.length : -hits.length) : results.length;
    render(query, order.slice(0, SHOWN).map((x) => x[2]), total);
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
