// Child for the cluster crash test: puts k0, k1, k2, ... printing "put kI" after each, until the
// kill point KVLAB_KILL_POINT (set by the parent) SIGKILLs it. Usage: node child-cluster-put.mjs REGISTRY_JS SPEC DIR
const [registry, spec, dir] = process.argv.slice(2);
const { openEngine } = await import(registry);
const e = await openEngine(spec, { dir });
for (let i = 0; ; i++) {
  await e.put(Buffer.from(`k${i}`), Buffer.from(`v${i}`));
  process.stdout.write(`put k${i}\n`);
}
