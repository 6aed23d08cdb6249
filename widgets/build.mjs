// Builds the widget bundle into the Python package, so Veneer serves it with no Node at run time.
//
//   node build.mjs           write veneer/static/widgets/ (commit the result)
//   node build.mjs --check   fail, naming the files, when the committed build is not what this
//                            source and package-lock.json produce, or when a file is over budget
//
// Two builds of src/: veneer.js, an ES module (<script type="module">), and veneer.iife.js for a
// plain <script> tag. File names carry a hash of their content, so browsers may cache them for a
// year; manifest.json maps the stable names to the hashed ones. Each file must stay under
// BUDGET bytes gzipped: the widget is on every page of the sites that embed it.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { build } from "esbuild";

const BUDGET = 4000; // bytes: "under 4 KB" whichever way a kilobyte is counted
const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.resolve(here, "..", "veneer", "static", "widgets");
const shown = path.relative(process.cwd(), target) || ".";

async function bundle(entry, format) {
  const result = await build({
    absWorkingDir: here,
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format,
    target: "es2020",
    banner: { js: "/* Veneer widget | Apache-2.0 */" },
    legalComments: "none",
    write: false,
    logLevel: "warning",
  });
  return Buffer.from(result.outputFiles[0].contents);
}

/** The files of the build, by the name they are written under, and each bundle's sizes. */
async function expected() {
  const bundles = {
    "veneer.js": await bundle("src/module.js", "esm"),
    "veneer.iife.js": await bundle("src/script.js", "iife"),
  };
  const out = {};
  const manifest = {};
  const sizes = [];
  for (const [name, contents] of Object.entries(bundles)) {
    const hash = createHash("sha256").update(contents).digest("hex").slice(0, 12);
    const hashed = name.replace(/\.js$/, `.${hash}.js`);
    manifest[name] = hashed;
    out[hashed] = contents;
    sizes.push({ name, raw: contents.length, gzipped: gzipSync(contents, { level: 9 }).length });
  }
  out["manifest.json"] = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  return { out, sizes };
}

function committed() {
  if (!fs.existsSync(target)) return {};
  return Object.fromEntries(
    fs.readdirSync(target).map((name) => [name, fs.readFileSync(path.join(target, name))]),
  );
}

const { out: want, sizes } = await expected();
const have = committed();
const names = [...new Set([...Object.keys(want), ...Object.keys(have)])].sort();
const differ = names.filter((name) => !(want[name] && have[name] && want[name].equals(have[name])));

for (const { name, raw, gzipped } of sizes) {
  const share = ((100 * gzipped) / BUDGET).toFixed(0);
  console.log(`${name}: ${gzipped} bytes gzipped (${raw} raw), ${share}% of the ${BUDGET}-byte budget`);
}
const over = sizes.filter((s) => s.gzipped > BUDGET);
if (over.length > 0) {
  console.error(`over the ${BUDGET}-byte gzipped budget: ${over.map((s) => s.name).join(", ")}`);
  process.exit(1);
}

if (process.argv.includes("--check")) {
  if (differ.length > 0) {
    const why = (name) => (!have[name] ? "missing" : !want[name] ? "not built any more" : "differs");
    console.error(
      `${shown} is not what widgets/ builds:\n` +
        differ.map((name) => `  ${name}: ${why(name)}`).join("\n") +
        "\nRun `make widgets` and commit the result.",
    );
    process.exit(1);
  }
  console.log(`${shown} is what widgets/ builds`);
} else {
  fs.mkdirSync(target, { recursive: true });
  for (const name of differ) {
    if (want[name]) fs.writeFileSync(path.join(target, name), want[name]);
    else fs.rmSync(path.join(target, name));
  }
  for (const name of Object.keys(want)) console.log(path.join(shown, name));
}
