#!/usr/bin/env python3
"""Summarises two matrix result directories (before and after the engine shell, issue 13) into a
Markdown table: run throughput per engine x workload, load throughput, each own engine's
geomean lead over the reference engines, and how much of it the unequal `none` explained.
Usage: bench/summarize-equal-terms.py BEFORE_DIR AFTER_DIR > bench/results/equal-terms-100k.md"""
import glob, json, math, os, sys

OWN = ['hashlog', 'lsm', 'btree', 'native']
REF = ['lmdb', 'sqlite', 'classic-level']
WL = ['a', 'b', 'c', 'd', 'e', 'f']

def load(d):
    out = {}
    for f in glob.glob(os.path.join(d, '*.json')):
        r = json.load(open(f))
        if r.get('kind') != 'run' and 'engine' not in r: continue
        if r.get('notApplicable'): continue
        e, w = r['engine']['name'], r['workload']['name'][-1]
        ph = {p['phase']: p['summary']['throughput']['median'] for p in r['phases']}
        out[(e, w)] = ph
        out[('_env', e)] = (r['engine'].get('crashSafety'), r['environment'].get('loadavg'))
    return out

def geo(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float('nan')

b, a = load(sys.argv[1]), load(sys.argv[2])
print('| engine | ' + ' | '.join(f'{w.upper()} before → after' for w in WL) + ' | load (A) before → after |')
print('|' + '---|' * (len(WL) + 2))
for e in OWN + REF:
    cells = []
    for w in WL:
        x, y = b.get((e, w), {}).get('run'), a.get((e, w), {}).get('run')
        cells.append('n/a' if x is None else f'{x/1e3:.1f}k → {y/1e3:.1f}k ({y/x:.2f}×)')
    lx, ly = b.get((e, 'a'), {}).get('load'), a.get((e, 'a'), {}).get('load')
    cells.append(f'{lx/1e3:.1f}k → {ly/1e3:.1f}k ({ly/lx:.2f}×)')
    print(f'| {e} | ' + ' | '.join(cells) + ' |')
print()
print('Lead of each own engine over each reference engine, run geomean over the workloads both run:')
print()
print('| own vs reference | before | after | share of the lead that came from the unequal `none` |')
print('|---|---|---|---|')
for o in OWN:
    for r in REF:
        ws = [w for w in WL if (o, w) in b and (r, w) in b and (o, w) in a and (r, w) in a]
        before = geo([b[(o, w)]['run'] / b[(r, w)]['run'] for w in ws])
        after = geo([a[(o, w)]['run'] / a[(r, w)]['run'] for w in ws])
        share = (before - after) / (before - 1) if before > 1 else float('nan')
        sh = 'no lead before' if before <= 1 else f'{100*share:.0f}%'
        print(f'| {o} vs {r} ({",".join(ws)}) | {before:.2f}× | {after:.2f}× | {sh} |')
