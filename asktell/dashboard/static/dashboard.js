// asktell dashboard: the study list and a study's page, drawn with plotly.js.
// The server computes counts, best values, pages of the trial table, method
// shares and importances; the page keeps the trials' points (number, state,
// value, params) and asks only for those changed since its last poll.
"use strict";

const asktellDashboard = (() => {
  const PLOT_CONFIG = { displaylogo: false, responsive: true };
  const STATIC_CONFIG = { displayModeBar: false, responsive: true }; // charts with nothing to zoom
  const MARKERS = 600;   // scatter charts draw at most this many markers (SVG; no WebGL needed)
  const PC_MAX = 500;    // parallel coordinates draw at most the best PC_MAX trials

  async function api(path, params) {
    const query = new URLSearchParams(params || {}).toString();
    const response = await fetch(path + (query ? "?" + query : ""));
    if (!response.ok) {
      let reason = response.statusText;
      try { reason = (await response.json()).error; } catch (e) { /* not JSON */ }
      throw new Error(reason);
    }
    return response.json();
  }

  function fmt(v) {
    if (v === null || v === undefined) return "";
    if (typeof v !== "number") return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-4 || a >= 1e7)) return v.toExponential(4);
    return String(parseFloat(v.toPrecision(6)));
  }

  function ago(stamp) {
    if (!stamp) return "";
    const s = Math.max(0, Date.now() / 1000 - stamp);
    if (s < 60) return Math.round(s) + " s ago";
    if (s < 3600) return Math.round(s / 60) + " min ago";
    if (s < 86400) return (s / 3600).toFixed(1) + " h ago";
    return new Date(stamp * 1000).toISOString().slice(0, 16).replace("T", " ");
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function showError(message) {
    let box = document.getElementById("error");
    if (!box) {
      box = el("p", "", "reason");
      box.id = "error";
      document.querySelector("main").prepend(box);
    }
    box.textContent = message;
    box.hidden = !message;
  }

  function setLive(text) {
    const live = document.getElementById("live");
    live.textContent = text;
    live.className = "live on";
  }

  // ---------------------------------------------------------------- study list
  async function studyList() {
    const refresh = async () => {
      try {
        const data = await api("/api/studies");
        document.getElementById("storage").textContent = data.storage;
        const body = document.querySelector("#studies tbody");
        body.replaceChildren(...data.studies.map(studyRow));
        document.getElementById("empty").hidden = data.studies.length > 0;
        setLive("live \u00b7 " + new Date().toLocaleTimeString());
        showError("");
        document.body.dataset.ready = "1";
        return data.refresh;
      } catch (e) { showError("cannot reach the dashboard: " + e.message); return 5; }
    };
    const loop = async () => { const every = await refresh(); setTimeout(loop, every * 1000); };
    loop();
  }

  function studyRow(s) {
    const tr = el("tr");
    const name = el("td");
    const link = el("a", s.name);
    link.href = "/study?name=" + encodeURIComponent(s.name);
    name.append(link);
    tr.append(name, el("td", s.optimizer + (s.direction === "maximize" ? " (max)" : "")));
    tr.append(el("td", s.n_trials, "num"), el("td", s.counts.COMPLETE, "num"),
      el("td", s.counts.FAIL, "num"), el("td", s.counts.RUNNING, "num"),
      el("td", fmt(s.best_value), "num"), el("td", ago(s.last_activity)));
    return tr;
  }

  // ---------------------------------------------------------------- study page
  const S = {
    name: null, study: null, cursor: -1, points: new Map(), timings: {},
    table: { page: 1, per_page: 50, sort: "number", order: "asc", state: "", q: "" },
  };

  async function studyPage() {
    mark("scripts");
    S.name = new URLSearchParams(location.search).get("name");
    document.getElementById("name").textContent = S.name;
    document.title = S.name + " - asktell";
    wireTable();
    try {
      const [study, points, table] = await Promise.all([
        api("/api/study", { name: S.name }), api("/api/points", { name: S.name, since: -1 }),
        api("/api/trials", tableQuery()),
      ]);
      S.study = study;
      merge(points);
      showTable(table);
      mark("data");
      setupSelectors();
      renderStudy();
      renderCharts();
      mark("charts");
      document.body.dataset.ready = "1";
      document.body.dataset.loadMs = String(Math.round(performance.now()));
      loadImportances();
      if (S.study.method_space) loadMethods();
    } catch (e) { showError(e.message); return; }
    setTimeout(poll, S.study.refresh * 1000);
  }

  function mark(name) {
    // how long each step of the first load took, for the browser test
    S.timings[name] = Math.round(performance.now());
    document.body.dataset.timings = JSON.stringify(S.timings);
  }

  function merge(points) {
    for (const p of points.trials) S.points.set(p[0], p);
    S.cursor = points.cursor;
  }

  async function poll() {
    // one cheap request while nothing changes: the trials changed since the last poll
    try {
      if (!document.hidden) {
        const points = await api("/api/points", { name: S.name, since: S.cursor });
        if (points.cursor !== S.cursor) {
          merge(points);
          const [study, table] = await Promise.all([
            api("/api/study", { name: S.name }), api("/api/trials", tableQuery()),
          ]);
          S.study = study;
          showTable(table);
          renderCharts();
          loadImportances();
          if (S.study.method_space) loadMethods();
        }
        renderStudy();
        showError("");
      }
    } catch (e) { showError("refresh failed: " + e.message); }
    setTimeout(poll, (S.study ? S.study.refresh : 5) * 1000);
  }

  function renderStudy() {
    const s = S.study;
    document.getElementById("optimizer").textContent =
      "optimizer " + s.optimizer + " \u00b7 " + s.direction;
    const cards = [
      ["trials", s.n_trials], ["complete", s.counts.COMPLETE], ["failed", s.counts.FAIL],
      ["running", s.counts.RUNNING], ["best value", s.best ? fmt(s.best.value) : "-"],
      ["best trial", s.best ? "#" + s.best.number : "-"], ["last activity", ago(s.last_activity)],
    ];
    document.getElementById("cards").replaceChildren(...cards.map(([label, value]) => {
      const card = el("div", null, "card");
      card.dataset.label = label;
      card.append(el("div", label, "label"), el("div", value, "value"));
      return card;
    }));
    document.getElementById("best").textContent = s.best
      ? "best params: " + Object.entries(s.best.params).map(([k, v]) => k + "=" + fmt(v)).join(", ") : "";
    setLive("live \u00b7 updated " + new Date().toLocaleTimeString());
  }

  function complete() {
    const out = [];
    for (const p of S.points.values()) if (p[1] === "COMPLETE" && p[2] !== null) out.push(p);
    out.sort((a, b) => a[0] - b[0]);
    return out;
  }

  // A chart off screen is drawn when it scrolls into view (the latest data then), so
  // that a page of 10,000 trials shows what is on screen first.
  const pending = new Map();
  const watcher = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const draw = pending.get(entry.target.id);
      if (entry.isIntersecting && draw) { pending.delete(entry.target.id); draw(); }
    }
  });

  function drawVisible(id, draw) {
    const box = document.getElementById(id).getBoundingClientRect();
    if (box.bottom > 0 && box.top < window.innerHeight && box.width > 0) {
      pending.delete(id);
      draw();
      mark(id);
    } else {
      pending.set(id, draw);
    }
  }

  function renderCharts() {
    const done = complete();
    drawVisible("history", () => renderHistory(done));
    drawVisible("parallel", () => renderParallel(done));
    drawVisible("slice", () => renderSlice(done));
  }

  function noData(id, text) {
    Plotly.react(id, [], {
      annotations: [{ text: text, showarrow: false, font: { color: "#829ab1", size: 14 } }],
      xaxis: { visible: false }, yaxis: { visible: false }, margin: { t: 10, b: 10 },
    }, PLOT_CONFIG);
  }

  function thin(rows) {
    // every k-th trial, so that a chart draws at most MARKERS markers in SVG
    if (rows.length <= MARKERS) return rows;
    const stride = Math.ceil(rows.length / MARKERS);
    return rows.filter((_, i) => i % stride === 0);
  }

  function thinNote(id, all, shown) {
    document.getElementById(id).textContent = shown < all
      ? "markers: every " + Math.ceil(all / MARKERS) + "th of " + all + " completed trials" : "";
  }

  function renderHistory(done) {
    if (!done.length) return noData("history", "no completed trial yet");
    const max = S.study.direction === "maximize";
    const bx = [], by = [];
    let best = max ? -Infinity : Infinity;
    for (const p of done) {
      if (max ? p[2] > best : p[2] < best) { best = p[2]; bx.push(p[0]); by.push(best); }
    }
    bx.push(done[done.length - 1][0]); by.push(best);
    const shown = thin(done);
    Plotly.react("history", [
      { x: shown.map((p) => p[0]), y: shown.map((p) => p[2]), type: "scatter", mode: "markers", name: "value",
        marker: { size: 5, color: "#2680c2", opacity: 0.6 } },
      { x: bx, y: by, type: "scatter", mode: "lines", name: "best so far",
        line: { color: "#e12d39", width: 2, shape: "hv" } },
    ], {
      margin: { t: 10, r: 10, b: 40, l: 60 }, legend: { orientation: "h", y: 1.08 },
      xaxis: { title: { text: "trial" } }, yaxis: { title: { text: "value" } },
    }, PLOT_CONFIG);
    thinNote("history-note", done.length, shown.length);
  }

  function axisScale(axis, rows) {
    // a parameter's values on [0, 1] (log axes by their log10, categories by their index),
    // with a few tick labels, for the parallel coordinates
    const raw = rows.map((p) => p[3][axis.name]);
    if (axis.kind === "categorical") {
      const cats = axis.categories.map(String);
      const top = Math.max(1, cats.length - 1);
      return { ys: raw.map((v) => (v === undefined || v === null ? null : cats.indexOf(String(v)) / top)),
        ticks: cats.map((c, i) => [i / top, c]) };
    }
    const f = axis.log ? (v) => Math.log10(v) : (v) => v;
    const lo = f(axis.low), hi = f(axis.high), span = hi - lo || 1;
    const ys = raw.map((v) => (typeof v === "number" && (!axis.log || v > 0) ? (f(v) - lo) / span : null));
    const ticks = [0, 0.5, 1].map((t) => [t, fmt(axis.log ? Math.pow(10, lo + t * span) : lo + t * span)]);
    return { ys: ys, ticks: ticks };
  }

  function visibleAxes() {
    const axes = S.study.parameters;
    if (!S.study.method_space) return axes;
    const method = document.getElementById("pc-method").value;
    return axes.filter((a) => a.methods && a.methods.includes(method));
  }

  // colour bands of the parallel coordinates, from the worst values (light) to the best (dark)
  const BANDS = ["#d9e2ec", "#bcccdc", "#9fb3c8", "#627d98", "#334e68", "#102a43"];

  function renderParallel(done) {
    // drawn in SVG, one path per colour band (no WebGL needed, fast at thousands of lines);
    // the best trial on top in red
    let rows = done;
    if (S.study.method_space) {
      const method = document.getElementById("pc-method").value;
      rows = rows.filter((p) => p[3].method === method);
    }
    const max = S.study.direction === "maximize";
    const shown = rows.length;
    rows = rows.slice().sort((a, b) => (max ? b[2] - a[2] : a[2] - b[2]));
    if (rows.length > PC_MAX) rows = rows.slice(0, PC_MAX);
    if (!rows.length) return noData("parallel", "no completed trial yet");
    const axes = visibleAxes();
    const values = rows.map((p) => p[2]);
    const vlo = Math.min(...values), vhi = Math.max(...values), vspan = vhi - vlo || 1;
    const columns = axes.map((a) => axisScale(a, rows));
    columns.push({ ys: values.map((v) => (v - vlo) / vspan),
      ticks: [0, 0.5, 1].map((t) => [t, fmt(vlo + t * vspan)]) });
    const labels = axes.map((a) => a.name).concat(["value"]);
    const bands = BANDS.map(() => ({ x: [], y: [] }));
    const add = (band, i) => {
      columns.forEach((c, j) => {
        if (c.ys[i] !== null) { band.x.push(j); band.y.push(c.ys[i]); }
      });
      band.x.push(null); band.y.push(null);
    };
    rows.forEach((p, i) => {
      // best values in the last band (yellow), drawn last
      const good = max ? (p[2] - vlo) / vspan : (vhi - p[2]) / vspan;
      add(bands[Math.min(BANDS.length - 1, Math.floor(good * BANDS.length))], i);
    });
    const best = { x: [], y: [] };
    add(best, 0);
    const traces = bands.map((b, k) => ({
      x: b.x, y: b.y, type: "scatter", mode: "lines", hoverinfo: "skip", showlegend: false,
      line: { color: BANDS[k], width: 1 }, opacity: 0.7,
    }));
    traces.push({ x: best.x, y: best.y, type: "scatter", mode: "lines+markers", name: "best trial #" + rows[0][0],
      line: { color: "#e12d39", width: 3 }, hoverinfo: "skip" });
    const annotations = [];
    columns.forEach((c, j) => {
      annotations.push({ x: j, y: 1.04, text: "<b>" + labels[j] + "</b>", showarrow: false, yanchor: "bottom" });
      for (const [t, text] of c.ticks) {
        annotations.push({ x: j, y: t, text: text, showarrow: false, xanchor: "right", xshift: -4,
          font: { size: 10, color: "#243b53" }, bgcolor: "rgba(255,255,255,0.85)" });
      }
    });
    Plotly.react("parallel", traces, {
      margin: { t: 30, r: 20, b: 30, l: 70 }, annotations: annotations,
      shapes: columns.map((_, j) => ({ type: "line", x0: j, x1: j, y0: 0, y1: 1, line: { color: "#9fb3c8", width: 1 } })),
      xaxis: { visible: false, range: [-0.35, columns.length - 0.8] },
      yaxis: { visible: false, range: [-0.03, 1.1] },
      legend: { orientation: "h", y: -0.02, x: 1, xanchor: "right" },
    }, PLOT_CONFIG);
    document.getElementById("parallel-note").textContent = "the darker, the " + (max ? "higher" : "lower") +
      " the value; " + (shown > PC_MAX ? "the best " + PC_MAX + " of " + shown + " trials" : shown + " trials");
  }

  function renderSlice(done) {
    const name = document.getElementById("slice-param").value;
    const axis = S.study.parameters.find((a) => a.name === name);
    const all = done.filter((p) => p[3][name] !== undefined && p[3][name] !== null);
    if (!axis || !all.length) return noData("slice", "no completed trial with this parameter");
    const rows = thin(all);
    thinNote("slice-note", all.length, rows.length);
    const categorical = axis.kind === "categorical";
    Plotly.react("slice", [{
      x: rows.map((p) => (categorical ? String(p[3][name]) : p[3][name])),
      y: rows.map((p) => p[2]), type: "scatter", mode: "markers",
      marker: { size: 6, color: rows.map((p) => p[0]), colorscale: "Blues", reversescale: true, showscale: true,
        colorbar: { title: { text: "trial" }, thickness: 12 } },
      hovertemplate: "trial %{marker.color}<br>" + name + " %{x}<br>value %{y}<extra></extra>",
    }], {
      margin: { t: 10, r: 10, b: 45, l: 60 },
      xaxis: { title: { text: name }, type: categorical ? "category" : (axis.log ? "log" : "linear"),
        categoryorder: "array", categoryarray: categorical ? axis.categories.map(String) : undefined },
      yaxis: { title: { text: "value" } },
    }, PLOT_CONFIG);
  }

  function setupSelectors() {
    for (const id of ["history", "parallel", "slice", "importance", "methods"]) {
      watcher.observe(document.getElementById(id));
    }
    const slice = document.getElementById("slice-param");
    slice.replaceChildren(...S.study.parameters.map((a) => el("option", a.name)));
    slice.addEventListener("change", () => renderSlice(complete()));
    if (S.study.method_space) {
      const pc = document.getElementById("pc-method");
      pc.hidden = false;
      pc.replaceChildren(...S.study.parameters[0].categories.map((m) => el("option", String(m))));
      if (S.study.best) pc.value = String(S.study.best.params.method);
      pc.addEventListener("change", () => renderParallel(complete()));
      document.getElementById("methods-panel").hidden = false;
    }
  }

  async function loadImportances() {
    try {
      const data = await api("/api/importances", { name: S.name });
      const names = Object.keys(data.importances).reverse();
      drawVisible("importance", () => drawImportances(data, names));
      document.body.dataset.importances = "1";
    } catch (e) { showError("importances: " + e.message); }
  }

  function drawImportances(data, names) {
    document.getElementById("importance-note").textContent = names.length
      ? "mean decrease in impurity of a random forest fitted on " + data.n_trials + " completed trials"
      : "no importances: " + data.reason;
    if (!names.length) noData("importance", "not enough trials");
    else {
      const shares = names.map((n) => data.importances[n]);
      Plotly.react("importance", [{
        type: "bar", orientation: "h", y: names, x: shares, marker: { color: "#2680c2" },
        text: shares.map((v) => (100 * v).toFixed(1) + " %"), textposition: "auto",
      }], { margin: { t: 10, r: 10, b: 40, l: 100 }, xaxis: { title: { text: "importance" }, range: [0, 1] } },
      STATIC_CONFIG);
    }
  }

  async function loadMethods() {
    try {
      const data = await api("/api/methods", { name: S.name });
      drawVisible("methods", () => drawMethods(data));
      document.body.dataset.methods = "1";
    } catch (e) { showError("method shares: " + e.message); }
  }

  function drawMethods(data) {
    const traces = Object.entries(data.methods).map(([m, counts]) => ({
      x: data.bins, y: counts, type: "scatter", mode: "lines", stackgroup: "one", groupnorm: "percent",
      name: m + (data.best[m] !== undefined ? " (best " + fmt(data.best[m]) + ")" : ""),
    }));
    Plotly.react("methods", traces, {
      margin: { t: 10, r: 10, b: 45, l: 60 },
      xaxis: { title: { text: "trial (windows of " + data.width + ")" } },
      yaxis: { title: { text: "share of trials (%)" }, range: [0, 100] },
    }, STATIC_CONFIG);
  }

  // ---------------------------------------------------------------- trial table
  function wireTable() {
    const t = S.table;
    const reload = () => { t.page = 1; loadTable().catch((e) => showError(e.message)); };
    document.getElementById("state").addEventListener("change", (e) => { t.state = e.target.value; reload(); });
    document.getElementById("per-page").addEventListener("change", (e) => { t.per_page = +e.target.value; reload(); });
    let typing;
    document.getElementById("search").addEventListener("input", (e) => {
      clearTimeout(typing);
      typing = setTimeout(() => { t.q = e.target.value; reload(); }, 250);
    });
    document.getElementById("prev").addEventListener("click", () => {
      if (t.page > 1) { t.page -= 1; loadTable().catch((e) => showError(e.message)); }
    });
    document.getElementById("next").addEventListener("click", () => {
      if (t.page * t.per_page < t.total) { t.page += 1; loadTable().catch((e) => showError(e.message)); }
    });
  }

  function tableQuery() {
    const t = S.table;
    const params = { name: S.name, page: t.page, per_page: t.per_page, sort: t.sort, order: t.order };
    if (t.state) params.state = t.state;
    if (t.q) params.q = t.q;
    return params;
  }

  async function loadTable() {
    showTable(await api("/api/trials", tableQuery()));
  }

  function showTable(data) {
    S.table.total = data.total;
    renderTable(data);
  }

  function renderTable(data) {
    const t = S.table;
    const axes = S.study ? S.study.parameters : [];
    const wide = axes.length > 8;
    const columns = [["number", "#", true], ["state", "state", true], ["value", "value", true],
      ["duration", "duration (s)", true]];
    if (wide) columns.push(["params", "params", false]);
    else for (const a of axes) columns.push(["p:" + a.name, a.name, false]);
    columns.push(["worker", "worker", true], ["error", "error", false]);
    const head = el("tr");
    for (const [key, label, sortable] of columns) {
      const th = el("th", label, sortable ? "sortable" : "");
      if (["number", "value", "duration"].includes(key)) th.classList.add("num");
      if (key === t.sort) th.classList.add("sorted-" + t.order);
      if (sortable) th.addEventListener("click", () => {
        t.order = t.sort === key && t.order === "asc" ? "desc" : "asc";
        t.sort = key; t.page = 1;
        loadTable().catch((e) => showError(e.message));
      });
      head.append(th);
    }
    document.querySelector("#trials thead").replaceChildren(head);
    document.querySelector("#trials tbody").replaceChildren(...data.trials.map((r) => {
      const tr = el("tr");
      tr.dataset.number = r.number;
      tr.append(el("td", r.number, "num"), el("td", r.state, "state-" + r.state),
        el("td", fmt(r.value), "num"), el("td", r.duration === null ? "" : r.duration.toFixed(3), "num"));
      if (wide) {
        tr.append(el("td", Object.entries(r.params).map(([k, v]) => k + "=" + fmt(v)).join(", "), "params"));
      } else for (const a of axes) tr.append(el("td", fmt(r.params[a.name]), "params"));
      tr.append(el("td", r.worker || ""), el("td", r.error || "", "error"));
      return tr;
    }));
    const first = data.total ? (data.page - 1) * data.per_page + 1 : 0;
    const last = Math.min(data.total, data.page * data.per_page);
    document.getElementById("page-info").textContent = first + "\u2013" + last + " of " + data.total;
    document.getElementById("prev").disabled = data.page <= 1;
    document.getElementById("next").disabled = last >= data.total;
  }

  return { studyList, studyPage };
})();
