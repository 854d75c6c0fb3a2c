// The map: country outlines from Natural Earth (world-atlas, shipped with the desk, no tiles),
// events as circles sized by fatalities and coloured by type, clustered where dense.

import { el, formatNumber, place, typeColour } from "./dom.js";

const OUTLINES = "/static/vendor/world-atlas/countries-50m.json";

export function radiusFor(fatalities) {
  return 5 + 2.5 * Math.sqrt(fatalities || 0);
}

function popup(properties) {
  return el(
    "div",
    { class: "popup" },
    el("strong", {}, properties.sub_event_type || properties.event_type || "event"),
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
      const markers = collection.features.map((feature) => {
        const [lon, lat] = feature.geometry.coordinates;
        const properties = feature.properties;
        const colour = typeColour(properties.event_type);
        return L.circleMarker([lat, lon], {
          radius: radiusFor(properties.fatalities),
          color: "#333",
          weight: 1,
          fillColor: colour,
          fillOpacity: 0.8,
          className: "event-marker",
        }).bindPopup(() => popup(properties));
      });
      clusters.addLayers(markers);
      container.dataset.markers = String(markers.length);
      if (markers.length) map.fitBounds(clusters.getBounds(), { maxZoom: 7, padding: [20, 20] });
    },
  };
}
