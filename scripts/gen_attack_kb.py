#!/usr/bin/env python3
"""gen_attack_kb.py — write spoor's compact ATT&CK knowledge base from a MITRE
ATT&CK Enterprise STIX bundle (STIX 2.0 or 2.1).  Python standard library only.

    python3 scripts/gen_attack_kb.py BUNDLE.json [-o intel/attack/enterprise-attack.kb.gz]
                                     [--version 18.1] [--license LICENSE.txt]

Only facts are kept: ATT&CK IDs, names, aliases, the tactics of techniques,
campaign first/last-seen dates and the relationships (uses, attributed-to,
subtechnique-of, revoked-by) with the source reports each one cites
(source_name + url).  No descriptions.  The file format is documented in
docs/intel.md ("Knowledge base file").

The ATT&CK version is taken from the bundle's x-mitre-collection object
(STIX 2.1 bundles), else from --version, else from a SNAPSHOT file beside the
bundle ("... ATT&CK v18.1 ...").  The licence notice is taken from --license
(default: LICENSE.txt beside the bundle); its ATT&CK section is reproduced in
the file header, as the ATT&CK licence requires of every copy.
The output is deterministic (gzip mtime 0, stable order).
"""
import argparse, gzip, io, json, os, re, sys

KINDS = {'x-mitre-tactic': 'A', 'attack-pattern': 'T', 'intrusion-set': 'G',
         'malware': 'S', 'tool': 'S', 'campaign': 'C'}
RELS = ('uses', 'attributed-to', 'subtechnique-of', 'revoked-by')
FORMAT = 1


def die(msg):
    sys.exit(f'gen_attack_kb: {msg}')


def clean(s):
    """a field value: no tabs, newlines or list separators inside"""
    s = re.sub(r'[\t\r\n]+', ' ', str(s)).strip()
    return s


def item(s):
    s = clean(s)
    if '|' in s:
        die(f'list item contains "|": {s!r}')
    return s


def attack_id(o):
    for r in o.get('external_references') or []:
        if r.get('source_name') in ('mitre-attack',) and r.get('external_id'):
            return r['external_id']
    return None


def flags(o, sub=False):
    f = ''
    if o.get('revoked'): f += 'r'
    if o.get('x_mitre_deprecated'): f += 'd'
    if sub: f += 's'
    return f or '-'


def aliases(o, key):
    seen, out = set(), []
    name = (o.get('name') or '').strip().lower()
    for a in o.get(key) or []:
        a = item(a)
        if a and a.lower() != name and a.lower() not in seen:
            seen.add(a.lower())
            out.append(a)
    return '|'.join(out)


def attack_version(bundle, objs, path, forced):
    for o in objs:
        if o.get('type') == 'x-mitre-collection' and o.get('x_mitre_version'):
            return str(o['x_mitre_version'])
    if forced:
        return forced
    snap = os.path.join(os.path.dirname(os.path.abspath(path)), 'SNAPSHOT')
    if os.path.exists(snap):
        m = re.search(r'ATT&CK v(\d+(?:\.\d+)*)', open(snap, encoding='utf-8').read())
        if m:
            return m.group(1)
    return 'unknown'


def license_notice(path):
    """the ATT&CK part of MITRE's LICENSE.txt (up to the CAPEC section)"""
    if not path or not os.path.exists(path):
        die(f'licence file {path!r} not found (use --license)')
    text = open(path, encoding='utf-8').read()
    part = text.split('CAPEC')[0].rstrip()
    if 'The MITRE Corporation' not in part:
        die(f'{path}: no MITRE copyright designation found')
    m = re.search(r'"(©[^"]+)"', part)
    if not m:
        die(f'{path}: no "© ..." copyright line found')
    return m.group(1), part.splitlines()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('bundle')
    ap.add_argument('-o', '--output', default='intel/attack/enterprise-attack.kb.gz')
    ap.add_argument('--version', help='ATT&CK version when the bundle has no x-mitre-collection')
    ap.add_argument('--license', help='MITRE LICENSE.txt (default: beside the bundle)')
    a = ap.parse_args()
    with open(a.bundle, encoding='utf-8') as f:
        bundle = json.load(f)
    if bundle.get('type') != 'bundle' or not isinstance(bundle.get('objects'), list):
        die(f'{a.bundle}: not a STIX bundle')
    objs = bundle['objects']
    spec = bundle.get('spec_version') or next((o.get('spec_version') for o in objs if o.get('spec_version')), '2.1')
    version = attack_version(bundle, objs, a.bundle, a.version)
    copyright_line, lic = license_notice(a.license or os.path.join(os.path.dirname(os.path.abspath(a.bundle)), 'LICENSE.txt'))

    byid, rows = {}, {'A': [], 'T': [], 'G': [], 'S': [], 'C': []}
    for o in objs:
        k = KINDS.get(o.get('type'))
        if not k:
            continue
        aid = attack_id(o)
        if not aid:
            continue
        byid[o['id']] = aid
        name = item(o.get('name', ''))
        if k == 'A':
            rows[k].append((aid, f'A\t{aid}\t{item(o.get("x_mitre_shortname", ""))}\t{name}\t{flags(o)}'))
        elif k == 'T':
            sub = bool(o.get('x_mitre_is_subtechnique')) or '.' in aid
            tac = ','.join(sorted({item(p['phase_name']) for p in o.get('kill_chain_phases') or []
                                   if p.get('kill_chain_name') == 'mitre-attack'}))
            rows[k].append((aid, f'T\t{aid}\t{name}\t{flags(o, sub)}\t{tac}'))
        elif k == 'G':
            rows[k].append((aid, f'G\t{aid}\t{name}\t{flags(o)}\t{aliases(o, "aliases")}'))
        elif k == 'S':
            rows[k].append((aid, f'S\t{aid}\t{name}\t{o["type"]}\t{flags(o)}\t{aliases(o, "x_mitre_aliases")}'))
        else:
            rows[k].append((aid, f'C\t{aid}\t{name}\t{flags(o)}\t{aliases(o, "aliases")}\t'
                                 f'{clean(o.get("first_seen", ""))}\t{clean(o.get("last_seen", ""))}'))

    reports, rels = {}, []
    for o in objs:
        if o.get('type') != 'relationship' or o.get('relationship_type') not in RELS:
            continue
        if o.get('revoked') or o.get('x_mitre_deprecated'):
            continue
        s, t = byid.get(o.get('source_ref')), byid.get(o.get('target_ref'))
        if not s or not t:
            continue
        keys = []
        for r in o.get('external_references') or []:
            if r.get('source_name') == 'mitre-attack':
                continue
            url, sn = clean(r.get('url', '')), clean(r.get('source_name', ''))
            if not url and not sn:
                continue
            key = url or 'name:' + sn
            if key not in reports:
                reports[key] = (len(reports), sn, url)
            if reports[key][0] not in keys:
                keys.append(reports[key][0])
        rels.append((o['relationship_type'], s, t, ','.join(map(str, keys))))

    def idkey(aid):  # T1055.011 -> ('T', 1055, 11)
        m = re.match(r'([A-Z]+)(\d+)(?:\.(\d+))?$', aid)
        return (m.group(1), int(m.group(2)), int(m.group(3) or -1)) if m else (aid, 0, 0)

    out = io.StringIO()
    out.write('# spoor ATT&CK knowledge base: facts (IDs, names, aliases, tactics, relationships with the\n'
              '# reports they cite) extracted from MITRE ATT&CK by scripts/gen_attack_kb.py. Do not edit.\n'
              '# Format: docs/intel.md. The ATT&CK licence below applies to this file.\n#\n')
    for line in lic:
        out.write(('# ' + line).rstrip() + '\n')
    out.write(f'spoor-attack-kb\t{FORMAT}\n')
    out.write(f'version\t{version}\n')
    out.write('domain\tenterprise-attack\n')
    out.write(f'spec\t{clean(spec)}\n')
    out.write(f'notice\t{copyright_line}\n')
    for k in 'ATGSC':
        for _, line in sorted(rows[k], key=lambda r: idkey(r[0])):
            out.write(line + '\n')
    for key, (n, sn, url) in sorted(reports.items(), key=lambda kv: kv[1][0]):
        out.write(f'P\t{n}\t{sn}\t{url}\n')
    order = {r: i for i, r in enumerate(RELS)}
    for r in sorted(rels, key=lambda r: (order[r[0]], idkey(r[1]), idkey(r[2]))):
        out.write('R\t' + '\t'.join(r) + '\n')
    data = out.getvalue().encode('utf-8')
    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    if a.output.endswith('.gz'):
        with open(a.output, 'wb') as f:
            with gzip.GzipFile(filename='', mode='wb', fileobj=f, mtime=0, compresslevel=9) as g:
                g.write(data)
    else:
        with open(a.output, 'wb') as f:
            f.write(data)
    print(f'{a.output}: ATT&CK {version}, {sum(len(v) for v in rows.values())} objects, '
          f'{len(rels)} relationships, {len(reports)} reports, {len(data)} bytes uncompressed',
          file=sys.stderr)


if __name__ == '__main__':
    main()
