// The Khronos glTF-Validator over the GLB files named on the command line: one JSON line per
// file ({file, errors, warnings, infos, messages}), exit status 1 when any file has an error.
// Used by tests/system/test_export_validator.py and scripts/bench_export.py.
import { readFile } from "node:fs/promises";
import validator from "gltf-validator";

let failed = false;
for (const file of process.argv.slice(2)) {
    const bytes = new Uint8Array(await readFile(file));
    const report = await validator.validateBytes(bytes, { uri: file, maxIssues: 50 });
    const issues = report.issues;
    if (issues.numErrors > 0) failed = true;
    console.log(JSON.stringify({
        file, errors: issues.numErrors, warnings: issues.numWarnings, infos: issues.numInfos,
        messages: issues.messages.map((m) => `${m.severity} ${m.code} ${m.pointer ?? ""}: ${m.message}`),
        extensions: report.info ? report.info.extensionsUsed ?? [] : [],
    }));
}
process.exit(failed ? 1 : 0);
