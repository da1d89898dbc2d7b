#!/usr/bin/env node
// Compiles every *.sol file in this folder with solc-js (the repo's node_modules, offline) through
// the Standard JSON interface: evmVersion cancun, optimizer on (200 runs).
//
// Usage: node contracts/solidity/compile.js <outDir> [srcDir]
// (srcDir defaults to this folder; tests pass a folder of generated verifiers, e.g. snarkjs's.)
// Writes <outDir>/<ContractName>.json = { contractName, abi, bytecode, deployedBytecode }
// (bytecodes 0x-prefixed). A file is only rewritten when its content changes. Warnings are printed;
// any error exits non-zero.
"use strict";

const fs = require("fs");
const path = require("path");

function fail(message) {
  console.error(`compile.js: ERROR: ${message}`);
  process.exit(1);
}

const outArg = process.argv[2];
if (!outArg) fail("usage: node contracts/solidity/compile.js <outDir> [srcDir]");
const outDir = path.resolve(outArg);

const solcPath = path.join(__dirname, "..", "..", "node_modules", "solc");
let solc;
try {
  solc = require(solcPath);
} catch (e) {
  fail(`cannot load solc from ${solcPath} (run infra/install.sh or npm ci at the repo root): ${e.message}`);
}

const srcDir = process.argv[3] ? path.resolve(process.argv[3]) : __dirname;
const files = fs.readdirSync(srcDir).filter((f) => f.endsWith(".sol")).sort();
if (files.length === 0) fail(`no *.sol files in ${srcDir}`);

const sources = {};
for (const f of files) sources[f] = { content: fs.readFileSync(path.join(srcDir, f), "utf8") };

const input = {
  language: "Solidity",
  sources,
  settings: {
    evmVersion: "cancun",
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};

// Imports are resolved relative to this folder only.
function findImports(importPath) {
  const p = path.resolve(srcDir, importPath);
  if (!p.startsWith(srcDir + path.sep) || !fs.existsSync(p)) return { error: `import not found: ${importPath}` };
  return { contents: fs.readFileSync(p, "utf8") };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

let errors = 0;
for (const d of output.errors || []) {
  const text = d.formattedMessage || d.message;
  if (d.severity === "error") {
    errors++;
    console.error(text);
  } else {
    console.warn(text);
  }
}
if (errors > 0) fail(`${errors} compile error(s) (solc ${solc.version()})`);

fs.mkdirSync(outDir, { recursive: true });
let written = 0;
let unchanged = 0;
const seen = new Set();
for (const [file, contracts] of Object.entries(output.contracts || {})) {
  for (const [name, c] of Object.entries(contracts)) {
    if (seen.has(name)) fail(`contract name ${name} is defined twice (second in ${file})`);
    seen.add(name);
    const artifact = {
      contractName: name,
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
      deployedBytecode: "0x" + c.evm.deployedBytecode.object,
    };
    const target = path.join(outDir, `${name}.json`);
    const text = JSON.stringify(artifact, null, 2) + "\n";
    if (fs.existsSync(target) && fs.readFileSync(target, "utf8") === text) {
      unchanged++;
      continue;
    }
    fs.writeFileSync(target, text);
    written++;
  }
}
console.log(
  `compile.js: solc ${solc.version()}: ${seen.size} contract(s) from ${files.length} file(s) -> ${outDir} ` +
    `(${written} written, ${unchanged} unchanged)`
);
