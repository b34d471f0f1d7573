#!/usr/bin/env python3
"""bench/bench_otrf.py — technique recall of `spoor hunt` on the OTRF
Security-Datasets (zipped JSON lines, hunted directly from the zips).

For every dataset zip under ../shared/datasets/otrf, its _metadata YAML names
the ATT&CK techniques the recorded activity exercised.  One `spoor hunt` runs
every zip with the given Sigma rules (default: SigmaHQ's three folders plus
spoor's own pack); a dataset counts as recalled when a rule that fired on it
carries one of those techniques (the same technique, its parent, or one of its
sub-techniques).  Prints per-dataset lines and the total.  Not a test.

  python3 bench/bench_otrf.py [--sigma DIR]... [--threads N]
"""
import json, os, re, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DS = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'datasets'))
SPOOR = os.path.join(ROOT, os.environ.get('SPOOR', 'build/spoor'))


def metadata():
    """zip basename -> (dataset id, title, set of techniques)"""
    out = {}
    mdir = os.path.join(DS, 'otrf', 'datasets', 'atomic', '_metadata')
    for f in sorted(os.listdir(mdir)):
        txt = open(os.path.join(mdir, f), encoding='utf-8').read()
        title = (re.search(r'^title:\s*(.+)$', txt, re.M) or [None, ''])[1].strip()
        did = (re.search(r'^id:\s*(\S+)', txt, re.M) or [None, f])[1]
        techs = set()
        for m in re.finditer(r'technique:\s*(T\d{4})\s*\n\s*sub-technique:\s*"?(\d{3})?"?', txt):
            techs.add(m.group(1) + ('.' + m.group(2) if m.group(2) else ''))
        for m in re.finditer(r'technique:\s*(T\d{4})', txt):
            techs.add(m.group(1))
        for z in re.findall(r'/([^/\s]+\.zip)', txt):
            out[z] = (did, title, techs)
    return out


def related(a, b):
    return a == b or a.split('.')[0] == b or b.split('.')[0] == a or a.split('.')[0] == b.split('.')[0] and ('.' not in a or '.' not in b)


def main():
    args = sys.argv[1:]
    sig = []
    threads = []
    i = 0
    while i < len(args):
        if args[i] == '--sigma':
            sig += ['--sigma', args[i + 1]]; i += 2
        elif args[i] == '--threads':
            threads = ['--threads', args[i + 1]]; i += 2
        else:
            sys.exit(__doc__)
    if not sig:
        for d in ('rules', 'rules-emerging-threats', 'rules-threat-hunting'):
            sig += ['--sigma', os.path.join(DS, 'sigma', d)]
    if not os.path.isdir(os.path.join(DS, 'otrf')):
        sys.exit('bench_otrf: ../shared/datasets/otrf absent')
    meta = metadata()
    zips = []
    for d, _, fs in os.walk(os.path.join(DS, 'otrf', 'datasets')):
        zips += [os.path.join(d, f) for f in fs if f.endswith('.zip')]
    zips.sort()
    tl = os.path.join(tempfile.mkdtemp(prefix='spoor-otrf-'), 'tl.jsonl')
    t0 = time.time()
    p = subprocess.run([SPOOR, 'hunt', '-q', '--json', '--timeline', tl] + threads + sig + zips,
                       capture_output=True, text=True)
    secs = time.time() - t0
    summ = json.loads(p.stdout)
    fired = {}
    for line in open(tl, encoding='utf-8'):
        h = json.loads(line)
        z = os.path.basename(h['source'].split('.zip:')[0] + '.zip')
        for t in h['tags']:
            m = re.fullmatch(r'attack\.(t\d{4}(?:\.\d{3})?)', t)
            if m:
                fired.setdefault(z, set()).add(m.group(1).upper())
    events = sum(i['parsed'] for i in summ['inputs'])
    n = hit = 0
    for z in zips:
        b = os.path.basename(z)
        if b not in meta or not meta[b][2]:
            print(f'  ?    {b}: no ATT&CK mapping in _metadata')
            continue
        did, title, want = meta[b]
        got = fired.get(b, set())
        ok = any(related(g, w) for g in got for w in want)
        n += 1
        hit += ok
        print(f'  {"yes" if ok else "no ":4} {did} {title[:60]:60} want {",".join(sorted(want))}  fired {",".join(sorted(got)[:8]) or "-"}')
    print(f'\ntechnique recall: {hit}/{n} datasets ({100.0 * hit / max(n, 1):.1f}%)')
    print(f'{len(zips)} zips, {events} events, {summ["detections"]} detections in {secs:.1f} s '
          f'({events / max(secs, 1e-9):.0f} events/s including rule compilation)')


if __name__ == '__main__':
    main()
