// Parses AsyncAPI documents with the official parser, prints every diagnostic it gives, and
// exits 1 when any of them is an error (tests/test_catalogue.py).
const { readFileSync } = require("node:fs");
const { Parser, DiagnosticSeverity } = require("@asyncapi/parser");

async function main(paths) {
  const parser = new Parser();
  let errors = 0;
  for (const path of paths) {
    const { diagnostics } = await parser.parse(readFileSync(path, "utf8"), { source: path });
    for (const { severity, code, path: where, message } of diagnostics) {
      console.log(`${path}: ${DiagnosticSeverity[severity]} ${code} at ${where.join(".")}: ${message}`);
      errors += severity === DiagnosticSeverity.Error;
    }
  }
  return errors ? 1 : 0;
}

main(process.argv.slice(2)).then((status) => { process.exitCode = status; });
