// Builds GraphiQL into the Python package, so Veneer serves it with no CDN and no Node at run time.
//
//   node build.mjs           write veneer/static/graphiql/ (commit the result)
//   node build.mjs --check   fail, naming the files, when the committed build is not what this
//                            source and package-lock.json produce
//
// File names carry a hash of their content, so browsers may cache them for a year: a new build
// is a new name. manifest.json maps the stable names the page asks for to the hashed ones, and
// THIRD_PARTY_LICENSES.txt holds the licence of every package whose code is in the bundle.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.resolve(here, "..", "veneer", "static", "graphiql");
const shown = path.relative(process.cwd(), target) || ".";

/** The bundle, in memory: {"graphiql.js": bytes, "graphiql.css": bytes} and what went into it. */
async function bundle() {
  const result = await build({
    absWorkingDir: here,
    entryPoints: { graphiql: "src/main.js" },
    outdir: "out",
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2020",
    define: { "process.env.NODE_ENV": '"production"' },
    // Only loaded for subscriptions over websockets, which Veneer does not offer.
    external: ["graphql-ws"],
    legalComments: "none", // the licences are in THIRD_PARTY_LICENSES.txt, whole
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  const files = Object.fromEntries(
    result.outputFiles.map((file) => [path.basename(file.path), Buffer.from(file.contents)]),
  );
  return { files, inputs: Object.keys(result.metafile.inputs) };
}

/** The package directory an input came from: the part up to its last node_modules/<name>. */
function packageRoot(input) {
  const match = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  return match ? match[1] : null;
}

const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.`;

/** A few packages declare their licence only in package.json; say so, and give its text. */
function unfiled(meta) {
  const author = typeof meta.author === "object" ? meta.author?.name : meta.author;
  const by = author ? `, by ${author}` : "";
  const note = `The package ships no licence file; its package.json names ${meta.license}${by}.`;
  return meta.license === "MIT" ? `${note}\n\n${MIT}` : note;
}

/** Every bundled package's name, version, licence and licence text, sorted by name. */
function licences(inputs) {
  const roots = [...new Set(inputs.map(packageRoot).filter(Boolean))];
  const sections = roots.map((root) => {
    const dir = path.join(here, root);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const file = fs
      .readdirSync(dir)
      .sort()
      .find((name) => /^(licen[cs]e|copying)([-.][\w.-]*)?$/i.test(name));
    const text = file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : unfiled(meta);
    return { key: `${meta.name}@${meta.version}`, text: `${meta.name} ${meta.version} (${meta.license})\n\n${text}` };
  });
  sections.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const unique = sections.filter((s, i) => i === 0 || s.key !== sections[i - 1].key);
  const rule = `\n\n${"-".repeat(78)}\n\n`;
  return Buffer.from(
    `GraphiQL as Veneer serves it bundles these packages, under these licences.${rule}` +
      unique.map((s) => s.text).join(rule) +
      "\n",
  );
}

/** The files of the build, by the name they are written under. */
async function expected() {
  const { files, inputs } = await bundle();
  const out = {};
  const manifest = {};
  for (const [name, contents] of Object.entries(files).sort()) {
    const hash = createHash("sha256").update(contents).digest("hex").slice(0, 12);
    const ext = path.extname(name);
    const hashed = `${path.basename(name, ext)}.${hash}${ext}`;
    manifest[name] = hashed;
    out[hashed] = contents;
  }
  out["manifest.json"] = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  out["THIRD_PARTY_LICENSES.txt"] = licences(inputs);
  return out;
}

function committed() {
  if (!fs.existsSync(target)) return {};
  return Object.fromEntries(
    fs.readdirSync(target).map((name) => [name, fs.readFileSync(path.join(target, name))]),
  );
}

const want = await expected();
const have = committed();
const names = [...new Set([...Object.keys(want), ...Object.keys(have)])].sort();
const differ = names.filter((name) => !(want[name] && have[name] && want[name].equals(have[name])));

if (process.argv.includes("--check")) {
  if (differ.length > 0) {
    const why = (name) => (!have[name] ? "missing" : !want[name] ? "not built any more" : "differs");
    console.error(
      `${shown} is not what ide/ builds:\n` +
        differ.map((name) => `  ${name}: ${why(name)}`).join("\n") +
        "\nRun `make graphiql` and commit the result.",
    );
    process.exit(1);
  }
  console.log(`${shown} is what ide/ builds`);
} else {
  fs.mkdirSync(target, { recursive: true });
  for (const name of differ) {
    if (want[name]) fs.writeFileSync(path.join(target, name), want[name]);
    else fs.rmSync(path.join(target, name));
  }
  for (const [name, contents] of Object.entries(want)) {
    console.log(`${path.join(shown, name)}  ${(contents.length / 1024).toFixed(0)} KiB`);
  }
}
