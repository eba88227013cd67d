/* The ISCG query workbench: YASGUI (from npm, served locally) configured for this service.
 *
 * - endpoint: this service's /sparql; the ontology's prefixes preloaded and offered for completion;
 *   class and property completion from the ontology (no calls to prefix.cc or LOV);
 * - every canned query (queries/*.rq) listed and opened as an example tab (also ?example=<name>);
 * - result plugins: "Table (labels)" (default: labels and local links instead of bare IRIs, CSV
 *   download) and "Chart" (bar chart of a numeric column), next to YASR's own table and response;
 * - shareable link: YASGUI's own (?query=…&endpoint=…), which reopens the same query;
 * - a canned query opens without its #+ metadata, with a form for its parameters (choices from the
 *   list queries; ?example=<name>&<param>=<value> pre-fills it): /query/bind/<name> binds them;
 * - after each run, /api/query-diagnostics marks a syntax error at its position in the editor with
 *   its fix, and lists unknown classes and properties with "did you mean" suggestions.
 */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("workbench-config").textContent);
  const endpoint = new URL(config.endpoint, window.location.origin).toString();
  const labelCache = new Map();
  // The interface's words in the page's language: the page embeds the part of the gettext
  // catalogues these scripts use (also served as /i18n/<lang>.json); English is the message itself.
  const uiMessages = JSON.parse((document.getElementById("ui-messages") || {}).textContent || "{}");
  function _(message, values) {
    const text = uiMessages[message] || message;
    return values ? text.replace(/%\((\w+)\)s/g, (m, k) => String(values[k])) : text;
  }
  const uiLang = document.documentElement.lang || navigator.language || "en";

  // ---- helpers ---------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === "className") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  function curie(iri) {
    let best = null;
    for (const [p, ns] of Object.entries(config.prefixes)) {
      if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
    }
    return best ? best[0] + ":" + iri.slice(best[1].length) : null;
  }

  function localHref(iri) {
    if (iri.startsWith(config.base)) return "/" + iri.slice(config.base.length);
    return /^https?:/.test(iri) ? iri : null; // never a javascript: or data: link
  }

  async function fetchLabels(iris) {
    const wanted = [...new Set(iris)].filter((i) => !labelCache.has(i)).slice(0, 2000);
    if (wanted.length) {
      try {
        const res = await fetch(config.labelsUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ iris: wanted, lang: uiLang }),
        });
        if (res.ok) {
          const data = await res.json();
          for (const [iri, info] of Object.entries(data.labels || {})) labelCache.set(iri, info);
        }
      } catch (e) {
        console.warn("label look-up failed", e);
      }
    }
    return labelCache;
  }

  function isNumeric(b) {
    if (!b || b.type === "uri" || b.type === "bnode") return false;
    return b.value !== "" && !isNaN(Number(b.value));
  }

  function download(filename, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = el("a", { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // ---- result table with labels ----------------------------------------------------------------
  class LabelTable {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 20;
      this.label = _("Table (labels)");
      this.pageSize = 100;
    }
    canHandleResults() {
      const r = this.yasr.results;
      return !!r && !r.hasError?.() && r.getVariables && r.getVariables().length > 0 && r.getBindings().length >= 0;
    }
    getIcon() {
      return el("div", { text: "☷", className: "iscg-plugin-icon" });
    }
    download() {
      return {
        contentType: "text/csv",
        getData: () => this.yasr.results.asCsv(),
        filename: "iscg-query-results.csv",
        title: _("Download CSV"),
      };
    }
    async draw() {
      const vars = this.yasr.results.getVariables();
      const rows = this.yasr.results.getBindings();
      const iris = [];
      for (const row of rows.slice(0, 5000)) for (const v of vars) if (row[v] && row[v].type === "uri") iris.push(row[v].value);
      const labels = await fetchLabels(iris);
      const wrap = el("div", { className: "iscg-results" });
      const bar = el("div", { className: "iscg-results-bar" },
        el("span", { className: "iscg-count", text: _("Rows: %(count)s", { count: rows.length }) }));
      const csv = el("button", { type: "button", className: "iscg-csv", text: _("Download CSV") });
      csv.addEventListener("click", () => download("iscg-query-results.csv", "text/csv", this.yasr.results.asCsv()));
      bar.append(csv);
      wrap.append(bar);
      const table = el("table", { className: "iscg-table" });
      table.append(el("thead", {}, el("tr", {}, ...vars.map((v) => el("th", { text: v })))));
      const body = el("tbody");
      table.append(body);
      wrap.append(table);
      let shown = 0;
      const more = el("button", { type: "button", className: "iscg-more" });
      const renderMore = () => {
        const next = rows.slice(shown, shown + this.pageSize);
        for (const row of next) body.append(el("tr", {}, ...vars.map((v) => el("td", {}, this.cell(row[v], labels)))));
        shown += next.length;
        more.textContent = _("Show more (%(count)s left)", { count: rows.length - shown });
        more.hidden = shown >= rows.length;
      };
      more.addEventListener("click", renderMore);
      renderMore();
      wrap.append(more);
      this.yasr.resultsEl.append(wrap);
    }
    cell(b, labels) {
      if (!b) return "";
      if (b.type === "uri") {
        const info = labels.get(b.value);
        const label = info ? info.label : curie(b.value) || b.value;
        const href = info ? info.href : localHref(b.value);
        if (!href || !/^(\/|https?:)/.test(href)) return el("span", { title: b.value, className: "iscg-iri", text: label });
        const a = el("a", { href, title: b.value, className: "iscg-iri", text: label });
        if (!b.value.startsWith(config.base)) { a.setAttribute("rel", "noopener"); a.classList.add("external"); }
        const frag = document.createDocumentFragment();
        frag.append(a);
        const short = curie(b.value);
        if (short && short !== label) frag.append(el("small", { className: "iscg-curie", text: " " + short }));
        return frag;
      }
      if (b.type === "bnode") return el("span", { className: "iscg-bnode", text: "_:" + b.value });
      const span = el("span", { text: b.value });
      if (b["xml:lang"]) span.setAttribute("lang", b["xml:lang"]);
      return span;
    }
  }

  // ---- chart view ------------------------------------------------------------------------------
  class BarChart {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 5;
      this.label = _("Chart");
      this.maxBars = 60;
    }
    numericVars() {
      const vars = this.yasr.results.getVariables();
      const rows = this.yasr.results.getBindings();
      return vars.filter((v) => rows.length && rows.every((r) => !r[v] || isNumeric(r[v])) && rows.some((r) => r[v]));
    }
    canHandleResults() {
      const r = this.yasr.results;
      return !!r && !r.hasError?.() && !!r.getVariables && r.getBindings().length > 0 && this.numericVars().length > 0;
    }
    getIcon() {
      return el("div", { text: "▤", className: "iscg-plugin-icon" });
    }
    download() {
      return this.svg ? { contentType: "image/svg+xml", getData: () => this.svg.outerHTML, filename: "iscg-chart.svg", title: _("Download SVG") } : undefined;
    }
    async draw() {
      const vars = this.yasr.results.getVariables();
      const rows = this.yasr.results.getBindings();
      const numeric = this.numericVars();
      const categories = vars.filter((v) => !numeric.includes(v));
      const iris = [];
      for (const row of rows) for (const v of categories) if (row[v] && row[v].type === "uri") iris.push(row[v].value);
      const labels = await fetchLabels(iris);
      const wrap = el("div", { className: "iscg-chart" });
      // default category: the label columns joined (e.g. "ITU-R · ITU-T" for a pair), else every text column
      const bound = categories.filter((v) => rows.some((r) => r[v] && r[v].value !== ""));
      const labelCols = bound.filter((v) => /label$/i.test(v));
      const COMBINED = "\u0000combined";
      this.combinedCols = labelCols.length ? labelCols : bound;
      const catSel = el(
        "select",
        { "aria-label": _("Category column") },
        el("option", { value: COMBINED, text: this.combinedCols.join(" + ") || _("(row number)") }),
        ...categories.map((v) => el("option", { value: v, text: v })),
      );
      const valSel = el("select", { "aria-label": _("Value column") }, ...numeric.map((v) => el("option", { value: v, text: v })));
      const area = el("div", { className: "iscg-chart-area" });
      wrap.append(el("div", { className: "iscg-results-bar" }, el("label", { text: _("Category") + " " }, catSel), el("label", { text: " " + _("Value") + " " }, valSel)), area);
      const render = () => {
        area.replaceChildren(this.render(rows, catSel.value, valSel.value, labels));
      };
      catSel.addEventListener("change", render);
      valSel.addEventListener("change", render);
      this.yasr.resultsEl.append(wrap);
      render();
    }
    render(rows, cat, val, labels) {
      const name = (b) => {
        if (!b) return "";
        if (b.type === "uri") { const i = labels.get(b.value); return i ? i.label : curie(b.value) || b.value; }
        return b.value;
      };
      const combined = cat === "\u0000combined";
      const rowLabel = (r, i) => {
        const text = combined ? this.combinedCols.map((c) => name(r[c])).filter((t) => t).join(" · ") : name(r[cat]);
        return text || _("row %(number)s", { number: i + 1 });
      };
      const data = rows.slice(0, this.maxBars).map((r, i) => ({ label: rowLabel(r, i), value: Number(r[val] ? r[val].value : 0) }));
      const max = Math.max(1, ...data.map((d) => d.value));
      const rowH = 22, labelW = 440, barW = 420, w = labelW + barW + 70, h = data.length * rowH + 10;
      const ns = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
      svg.setAttribute("width", w);
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", _("%(value)s by %(category)s", { value: val, category: cat }));
      data.forEach((d, i) => {
        const y = 5 + i * rowH;
        const t = document.createElementNS(ns, "text");
        t.setAttribute("x", labelW - 6); t.setAttribute("y", y + 15); t.setAttribute("text-anchor", "end");
        t.textContent = d.label.length > 66 ? d.label.slice(0, 65) + "…" : d.label;
        const title = document.createElementNS(ns, "title"); title.textContent = d.label; t.append(title);
        const r = document.createElementNS(ns, "rect");
        r.setAttribute("x", labelW); r.setAttribute("y", y + 3); r.setAttribute("height", rowH - 6);
        r.setAttribute("width", Math.max(0, (d.value / max) * barW)); r.setAttribute("class", "bar");
        const v = document.createElementNS(ns, "text");
        v.setAttribute("x", labelW + Math.max(0, (d.value / max) * barW) + 4); v.setAttribute("y", y + 15);
        v.textContent = String(d.value);
        svg.append(t, r, v);
      });
      this.svg = svg;
      const box = el("div", {});
      box.append(svg);
      if (rows.length > this.maxBars) box.append(el("p", { text: _("Showing the first %(shown)s of %(total)s rows.", { shown: this.maxBars, total: rows.length }) }));
      return box;
    }
  }

  // ---- completion from the ontology (replaces the LOV look-ups) ---------------------------------
  const Yasqe = Yasgui.Yasqe;
  Yasqe.forkAutocompleter("class", { name: "iscgClass", bulk: true, get: () => config.terms.classes, persistenceId: null });
  Yasqe.forkAutocompleter("property", { name: "iscgProperty", bulk: true, get: () => config.terms.properties, persistenceId: null });

  Yasgui.Yasr.registerPlugin("labels", LabelTable);
  Yasgui.Yasr.registerPlugin("chart", BarChart);

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: "iscg-workbench",
    yasqe: {
      value: config.starter,
      prefixCcApi: "/query/prefixes.json",
      autocompleters: ["prefixes", "variables", "iscgClass", "iscgProperty"],
    },
    yasr: {
      prefixes: config.prefixes,
      pluginOrder: ["labels", "chart", "table", "response"],
      defaultPlugin: "labels",
    },
  });
  window.iscgWorkbench = yasgui;

  // keep every tab on this service's endpoint (old persisted tabs may name another one)
  for (const id of Object.keys(yasgui._tabs || {})) {
    const tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  }

  // ---- diagnostics: the error at its position in the editor, unknown-term warnings ----------------
  const diagBox = document.getElementById("iscg-diagnostics");
  const marks = [];
  function clearDiagnostics(tab) {
    while (marks.length) { const m = marks.pop(); try { m.clear(); } catch (e) { /* editor gone */ } }
    const yasqe = tab && tab.getYasqe && tab.getYasqe();
    if (yasqe) for (let i = 0; i < yasqe.lineCount(); i++) yasqe.removeLineClass(i, "background", "iscg-error-line");
    if (diagBox) { diagBox.replaceChildren(); diagBox.hidden = true; }
  }
  function showDiagnostics(tab, data) {
    if (!diagBox) return;
    const yasqe = tab.getYasqe();
    const items = [];
    if (data.error) {
      const e = data.error;
      const where = e.line ? _("Line %(line)s, column %(column)s: ", { line: e.line, column: e.column }) : "";
      const box = el("div", { className: "iscg-error" }, el("strong", { text: where }), el("span", { text: e.sentence }));
      if (e.fix) box.append(el("div", { className: "iscg-fix" }, el("span", { text: _("Fix:") + " " }), el("code", { text: e.fix })));
      items.push(box);
      if (e.line && yasqe) {
        const line = Math.min(e.line - 1, yasqe.lineCount() - 1);
        const len = yasqe.getLine(line).length;
        const ch = Math.max(0, Math.min((e.column || 1) - 1, len));
        yasqe.addLineClass(line, "background", "iscg-error-line");
        const from = { line, ch: Math.max(0, Math.min(ch, len - 1)) };
        marks.push(yasqe.markText(from, { line, ch: Math.max(from.ch + 1, Math.min(ch + 1, len)) },
          { className: "iscg-error-mark", attributes: { title: e.sentence } }));
      }
    }
    for (const w of data.warnings || []) items.push(el("div", { className: "iscg-warning", text: _("Warning:") + " " + w.message }));
    diagBox.replaceChildren(...items);
    diagBox.hidden = items.length === 0;
  }
  async function diagnose(tab) {
    clearDiagnostics(tab);
    try {
      const res = await fetch(config.diagnosticsUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ query: tab.getQuery() }),
      });
      if (res.ok) showDiagnostics(tab, await res.json());
    } catch (e) {
      console.warn("diagnostics failed", e);
    }
  }
  yasgui.on("query", (y, tab) => clearDiagnostics(tab));
  yasgui.on("queryResponse", (y, tab) => diagnose(tab));
  window.iscgDiagnose = () => diagnose(yasgui.getTab());

  // ---- examples, with a form for their parameters ------------------------------------------------
  const paramForm = document.getElementById("iscg-params");
  const exampleOfTab = new Map(); // tab id -> example name

  async function boundText(ex, values) {
    const qs = new URLSearchParams(Object.entries(values).filter(([, v]) => v !== "")).toString();
    const res = await fetch(config.bindUrl + encodeURIComponent(ex.name) + (qs ? "?" + qs : ""));
    const text = await res.text();
    if (!res.ok) throw new Error(text.trim());
    return text;
  }

  function renderParams(ex, values) {
    if (!paramForm) return;
    paramForm.replaceChildren();
    paramForm.hidden = !ex || !ex.params.length;
    if (paramForm.hidden) return;
    paramForm.append(el("strong", { text: _("Parameters of %(name)s:", { name: ex.name }) + " " }));
    for (const f of ex.params) {
      const id = "iscg-param-" + f.name;
      let input;
      if (f.options.length) {
        input = el("select", { id, name: f.name });
        input.append(el("option", { value: "", text: f.default ? `${f.empty} (${f.default})` : f.empty }));
        for (const [value, label] of f.options) input.append(el("option", { value, text: label }));
      } else {
        input = el("input", { id, name: f.name, type: f.input, placeholder: f.default });
      }
      input.value = values[f.name] || "";
      paramForm.append(el("label", { for: id, title: f.description, text: f.label + " " }), input, " ");
    }
    const apply = el("button", { type: "submit", text: _("Apply to the query") });
    paramForm.append(apply);
    paramForm.onsubmit = async (event) => {
      event.preventDefault();
      const chosen = {};
      for (const f of ex.params) chosen[f.name] = paramForm.elements[f.name].value;
      const tab = yasgui.getTab();
      try {
        tab.setQuery(await boundText(ex, chosen));
        clearDiagnostics(tab);
        const qs = new URLSearchParams({ example: ex.name, ...Object.fromEntries(Object.entries(chosen).filter(([, v]) => v)) });
        history.replaceState(null, "", "?" + qs.toString());
      } catch (e) {
        showDiagnostics(tab, { error: { sentence: e.message }, warnings: [] });
      }
    };
  }

  function openExample(name, values) {
    const ex = config.examples.find((e) => e.name === name);
    if (!ex) return null;
    const title = ex.summary || ex.name;
    let tab = null;
    for (const id of Object.keys(yasgui._tabs || {})) {
      const t = yasgui.getTab(id);
      if (t && t.getName() === title) { yasgui.selectTabId(id); t.setQuery(ex.query); tab = t; break; }
    }
    if (!tab) tab = yasgui.addTab(true, { name: title, yasqe: { value: ex.query }, requestConfig: { endpoint } });
    exampleOfTab.set(tab.getId(), ex.name);
    renderParams(ex, values || {});
    if (values && Object.values(values).some((v) => v)) {
      boundText(ex, values).then((text) => tab.setQuery(text))
        .catch((e) => showDiagnostics(tab, { error: { sentence: e.message }, warnings: [] }));
    }
    return tab;
  }
  window.iscgOpenExample = openExample;
  yasgui.on("tabSelect", (y, id) => {
    const name = exampleOfTab.get(id);
    renderParams(name ? config.examples.find((e) => e.name === name) : null, {});
    clearDiagnostics(yasgui.getTab(id));
  });
  document.querySelectorAll("[data-example]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      openExample(link.getAttribute("data-example"));
      history.replaceState(null, "", "?example=" + encodeURIComponent(link.getAttribute("data-example")));
    });
  });
  const search = new URLSearchParams(window.location.search);
  const wanted = search.get("example");
  if (wanted) {
    const values = {};
    for (const [k, v] of search.entries()) if (k !== "example") values[k] = v;
    openExample(wanted, values);
  }

  // ---- shareable link --------------------------------------------------------------------------
  const share = document.getElementById("share-link");
  if (share) {
    share.addEventListener("click", async () => {
      const link = yasgui.getTab().getShareableLink();
      const out = document.getElementById("share-output");
      out.value = link;
      out.hidden = false;
      out.select();
      try { await navigator.clipboard.writeText(link); share.textContent = _("Link copied"); } catch (e) { share.textContent = _("Copy the link below"); }
    });
  }
})();
