// The map: country outlines from Natural Earth (world-atlas, shipped with the desk, no tiles),
// incidents as circles sized by fatalities and coloured by type, clustered where dense. Tallies
// (kind "aggregate": totals over many incidents) are small hollow squares of one size: a war's
// death toll is not one incident, and must not look like the biggest of them.

import { el, formatNumber, place, typeColour } from "./dom.js";

const OUTLINES = "/static/vendor/world-atlas/countries-50m.json";

export function radiusFor(fatalities) {
  return 5 + 2.5 * Math.sqrt(fatalities || 0);
}

const TALLY_ICON = L.divIcon({ className: "tally-marker", iconSize: [12, 12] });

function marker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const properties = feature.properties;
  if (properties.kind === "aggregate") {
    return L.marker([lat, lon], { icon: TALLY_ICON, title: "tally over many incidents" });
  }
  return L.circleMarker([lat, lon], {
    radius: radiusFor(properties.fatalities),
    color: "#333",
    weight: 1,
    fillColor: typeColour(properties.event_type),
    fillOpacity: 0.8,
    className: "event-marker",
  });
}

function popup(properties) {
  return el(
    "div",
    { class: "popup" },
    el("strong", {}, properties.sub_event_type || properties.event_type || "event"),
    properties.kind === "aggregate" ? el("div", {}, "tally over many incidents") : "",
    el("div", {}, `${properties.event_date || "undated"} · ${place(properties)}`),
    el("div", {}, `fatalities: ${formatNumber(properties.fatalities)}`),
    el("a", { href: `/event/${encodeURIComponent(properties.event_id)}` }, "open event"),
  );
}

export function createMap(container) {
  const map = L.map(container, { worldCopyJump: true, minZoom: 2, maxZoom: 12 }).setView([20, 20], 2);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Boundaries: Natural Earth");
  fetch(OUTLINES)
    .then((response) => response.json())
    .then((topology) => {
      const countries = topojson.feature(topology, topology.objects.countries);
      L.geoJSON(countries, {
        interactive: false,
        style: { color: "#a7a39a", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1 },
      }).addTo(map);
      container.dataset.basemap = "ready";
    })
    .catch(() => {
      container.dataset.basemap = "missing";
    });
  const clusters = L.markerClusterGroup({ maxClusterRadius: 35, showCoverageOnHover: false });
  map.addLayer(clusters);

  return {
    /** Show a GeoJSON FeatureCollection of events (brief properties). */
    show(collection) {
      clusters.clearLayers();
      const markers = collection.features.map((feature) =>
        marker(feature).bindPopup(() => popup(feature.properties)),
      );
      clusters.addLayers(markers);
      container.dataset.markers = String(markers.length);
      container.dataset.tallies = String(
        collection.features.filter((feature) => feature.properties.kind === "aggregate").length,
      );
      if (markers.length) map.fitBounds(clusters.getBounds(), { maxZoom: 7, padding: [20, 20] });
    },
  };
}
