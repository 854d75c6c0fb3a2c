// Copy the desk's front-end libraries from node_modules into the Python package, where the
// server finds them (src/conflictlens/web/static/vendor/, gitignored). Run by `make install`.
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "src", "conflictlens", "web", "static", "vendor");

// package -> files to copy (each licence travels with its library)
const FILES = {
  leaflet: ["dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE"],
  "leaflet.markercluster": [
    "dist/leaflet.markercluster.js",
    "dist/MarkerCluster.css",
    "dist/MarkerCluster.Default.css",
    "MIT-LICENCE.txt",
  ],
  "topojson-client": ["dist/topojson-client.min.js", "LICENSE"],
  "world-atlas": ["countries-50m.json", "LICENSE"],
  // Swagger UI for /docs, served locally so the API documentation renders offline.
  "swagger-ui-dist": ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE", "NOTICE"],
};

rmSync(target, { recursive: true, force: true });
for (const [pkg, files] of Object.entries(FILES)) {
  for (const file of files) {
    const source = join(here, "node_modules", pkg, file);
    if (!existsSync(source)) {
      console.error(`copy-vendor: ${source} is missing; run npm ci in web/ first`);
      process.exit(1);
    }
    const destination = join(target, pkg, file.replace(/^dist\//, ""));
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(source, destination, { recursive: true });
  }
}
console.log(`copy-vendor: desk libraries copied to ${target}`);
