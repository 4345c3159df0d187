// The map dashboard: draw /api/v1/maps as a choropleth, its legend and a sortable table;
// click an area for its figures and links; drill down and back through the page URL.
(function () {
  "use strict";
  const form = document.getElementById("controls");
  const mapEl = document.getElementById("map");
  if (!form || !mapEl) return;
  const LEVEL_TH = { province: "จังหวัด", district: "อำเภอ", subdistrict: "ตำบล", village: "หมู่บ้าน/ชุมชน" };
  const STATE_TH = { collecting: "ยังไม่ผ่านเกณฑ์", ready: "พร้อมรับรอง", certified: "รับรองแล้ว",
    stale: "ต้องรับรองใหม่", returned: "ถูกส่งกลับ", not_certified: "ยังไม่รับรอง" };
  const fmt = (v, d = 1) => v === null || v === undefined ? "-" :
    Number(v).toLocaleString("th-TH", { maximumFractionDigits: d });
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

  const map = L.map(mapEl, { preferCanvas: false, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(mapEl.dataset.attribution);
  if (mapEl.dataset.tiles) L.tileLayer(mapEl.dataset.tiles, { maxZoom: 18 }).addTo(map);
  map.setView([13.5, 100.8], 6);
  let layer = null, gpsLayer = null, features = [], sortKey = "value", sortUp = false;

  // The "too few households" hatch, as an SVG pattern Leaflet's paths can fill with.
  const svg = L.svg().addTo(map);
  const defs = document.createElementNS("http://www.w3.org/2000/svg", "defs");
  defs.innerHTML = '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
    '<rect width="6" height="6" fill="#d9d9d9"/><line x1="0" y1="0" x2="0" y2="6" stroke="#777" stroke-width="2"/></pattern>';
  svg._container.prepend(defs);

  function query() {
    const params = new URLSearchParams(new FormData(form));
    params.delete("gps");
    return params;
  }

  function popup(p) {
    const params = query();
    const next = new URLSearchParams(params);
    next.set("area", p.code); next.delete("lao"); next.delete("level");
    const links = [];
    if (p.level !== "village" && p.level !== "community") links.push(`<a href="?${next}" class="drill">ดูรายละเอียดระดับล่าง</a>`);
    links.push(`<a href="/api/v1/reports/indicators?round=${params.get("round")}&area=${p.code}" target="_blank">รายงานตัวชี้วัด</a>`);
    if (p.level === "district" || p.level === "province") links.push(`<a href="/certification/${p.level}/${p.code}?round=${params.get("round")}">การรับรองข้อมูล</a>`);
    return `<strong>${esc(p.name_th)}</strong> <span class="muted">${esc(p.code)}</span><br>` +
      (p.suppressed ? "ครัวเรือนน้อยเกินไป ไม่แสดงตัวเลข<br>" :
        `ค่าที่แสดง: <strong>${fmt(p.value, 2)}</strong><br>ครัวเรือน ${fmt(p.households, 0)} · เป้าหมาย ${fmt(p.target, 0)} · จัดเก็บ ${fmt(p.coverage)}%<br>` +
        `รายได้เฉลี่ย ${fmt(p.income_per_person, 0)} บาท/คน/ปี · ต่ำกว่าเกณฑ์ข้อ 22 ${fmt(p.below_income_line_pct)}%<br>`) +
      `การรับรอง: ${esc(STATE_TH[p.certification] || "-")}` + (p.approximate ? "<br><em>ขอบเขตเป็นค่าประมาณ</em>" : "") +
      `<br>${links.join(" · ")}`;
  }

  function drawLegend(legend, meta) {
    const rows = legend.entries.map((e) =>
      `<div class="row"><span class="swatch${e.hatched ? " hatched" : ""}" style="${e.hatched ? "" : `background:${e.colour}`}"></span>${esc(e.label_th)}</div>`).join("");
    document.getElementById("legend").innerHTML = `<div class="title">${esc(legend.title_th)}</div>${rows}` +
      `<div class="muted">แบ่งช่วงแบบ${esc(legend.method_th)}</div>`;
    const notes = [];
    if (meta.approximate) notes.push("ขอบเขตหมู่บ้าน/ชุมชนเป็นค่าประมาณ (แบ่งตำบลตามตำแหน่งหมู่บ้าน)");
    if (meta.without_position.length) notes.push(`ไม่มีตำแหน่ง ${meta.without_position.length} หมู่บ้าน/ชุมชน`);
    if (meta.small_area_threshold) notes.push(`ไม่แสดงตัวเลขของพื้นที่ที่มีน้อยกว่า ${meta.small_area_threshold} ครัวเรือน`);
    document.getElementById("map-notes").textContent = notes.join(" · ");
    document.getElementById("map-title").textContent =
      `${legend.title_th} ราย${LEVEL_TH[meta.level] || ""} ปี ${meta.round}`;
  }

  function drawTable() {
    const rows = [...features].sort((a, b) => {
      const x = a.properties[sortKey], y = b.properties[sortKey];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * (sortUp ? 1 : -1);
    });
    document.querySelector("#figures tbody").innerHTML = rows.map((f) => {
      const p = f.properties;
      return `<tr data-code="${esc(p.code)}"><td><a href="#" data-focus="${esc(p.code)}">${esc(p.name_th)}</a></td>` +
        `<td class="n">${p.suppressed ? "ไม่แสดง" : fmt(p.value, 2)}</td><td class="n">${fmt(p.households, 0)}</td>` +
        `<td class="n">${fmt(p.coverage)}</td><td>${esc(STATE_TH[p.certification] || "-")}</td></tr>`;
    }).join("");
  }

  async function load() {
    const params = query();
    const error = document.getElementById("map-error");
    error.hidden = true;
    for (const [id, format] of [["print-png", "png"], ["print-pdf", "pdf"]]) {
      const p = new URLSearchParams(params); p.set("format", format);
      document.getElementById(id).href = `/api/v1/maps/print?${p}`;
    }
    history.replaceState(null, "", `?${params}`);
    const res = await fetch(`/api/v1/maps?${params}`, { credentials: "same-origin" });
    const data = await res.json();
    if (!res.ok) {
      error.textContent = data.message_th || data.message || "โหลดแผนที่ไม่สำเร็จ";
      error.hidden = false;
      return;
    }
    features = data.features;
    if (layer) layer.remove();
    layer = L.geoJSON(data, {
      style: (f) => ({ color: "#ffffff", weight: 1, fillOpacity: 0.85,
        fillColor: f.properties.suppressed ? "url(#hatch)" : f.properties.colour }),
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 6 }),
      onEachFeature: (f, l) => { l.bindPopup(() => popup(f.properties)); l.feature = f; },
    }).addTo(map);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    mapEl.dataset.features = String(features.length);
    mapEl.dataset.drawn = String(document.querySelectorAll("#map path.leaflet-interactive").length);
    drawLegend(data.legend, data.meta);
    drawTable();
    if (gpsLayer) loadGps();
  }

  async function loadGps() {
    if (gpsLayer) { gpsLayer.remove(); gpsLayer = null; }
    const box = document.getElementById("gps-layer");
    if (!box || !box.checked) return;
    const params = query();
    const p = new URLSearchParams({ round: params.get("round") });
    if (params.get("area")) p.set("area", params.get("area"));
    if (params.get("lao")) p.set("lao", params.get("lao"));
    const res = await fetch(`/api/v1/maps/gps-issues?${p}`, { credentials: "same-origin" });
    if (!res.ok) return;
    gpsLayer = L.geoJSON(await res.json(), {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 5, color: "#b3261e", fillOpacity: 0.9 }),
      onEachFeature: (f, l) => l.bindPopup(`${esc(f.properties.kind_th)}<br>รหัสบ้าน ${esc(f.properties.house_code || "-")}`),
    }).addTo(map);
  }

  form.addEventListener("change", (e) => { if (e.target.id === "gps-layer") loadGps(); else load(); });
  document.querySelectorAll("#figures th[data-key]").forEach((th) => th.addEventListener("click", () => {
    sortUp = sortKey === th.dataset.key ? !sortUp : th.dataset.type === "text";
    sortKey = th.dataset.key;
    drawTable();
  }));
  document.querySelector("#figures tbody").addEventListener("click", (e) => {
    const code = e.target.dataset.focus;
    if (!code || !layer) return;
    e.preventDefault();
    layer.eachLayer((l) => { if (l.feature.properties.code === code) { map.fitBounds(l.getBounds ? l.getBounds() : L.latLngBounds([l.getLatLng()])); l.openPopup(); } });
  });
  load();
})();
