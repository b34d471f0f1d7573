#!/usr/bin/env python3
"""spoor intel lookup over the campaign fixtures of tests/data/intel (STIX 2.1
bundle, MISP event, MISP feed folder, CSV list, unsupported patterns): every
looked-up value hits exactly the expected indicators, with their links;
unsupported patterns are reported by id with a reason; exit codes; and the
geo answers for 175.45.176.27 (KP, AS131279) and 10.1.2.3 (private) when
../shared/datasets is present."""
import filecmp, json, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, SPOOR, Suite, datasets  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, 'tests', 'gen'))
import make_intel_fixtures as facts  # noqa: E402

D = os.path.join(ROOT, 'tests', 'data', 'intel')
t = Suite('test_intel')


def lookup(intel, values, *extra):
    args = [SPOOR, 'intel', 'lookup', '--json', *extra]
    for i in intel:
        args += ['--intel', i]
    p = subprocess.run(args + ['--', *values], capture_output=True, timeout=60)
    out = json.loads(p.stdout) if p.stdout.strip() else None
    return p.returncode, out, p.stderr.decode('utf-8', 'replace')


def hitset(entry):
    return sorted(h['indicator'] for h in entry['hits'])


# the fixtures are what the generator writes
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'gen', 'make_intel_fixtures.py'), tmp], check=True)
    cmp = filecmp.dircmp(tmp, D)
    same = not cmp.left_only and not cmp.diff_files and not cmp.subdirs['feed'].diff_files
    t.ok(same, f'tests/data/intel is up to date with tests/gen/make_intel_fixtures.py ({cmp.diff_files})')

# ------------------------------------------------------------------ STIX
stix = os.path.join(D, 'no_pineapple.stix.json')
expect = {
    facts.NK_IP: [facts.NK_IP, facts.NK_RANGE],
    '175.45.177.200': [facts.NK_RANGE],
    facts.CS_C2[0]: [facts.CS_C2[0]],
    facts.CS_C2[1]: [facts.CS_C2[1]],
    '104.225.129.101': [],                      # a BianLian trail in the same /24: not an IOC here
    facts.ACRES_C2: [facts.ACRES_C2],
    '193.176.211.77': [facts.WEBSHELL_CIDR],
    'acres.exe': ['acres.exe'],
    r'C:\Windows\Temp\STT.exe': ['stt.exe'],
    'carbon.jsp': ['carbon.jsp'],
    'MTX_Global': ['MTX_Global'],
    facts.WDIGEST + r'\UseLogonCredential': [facts.WDIGEST],
    '8.8.8.8': [],
    facts.CERT_SERIAL: [],
}
for ip in facts.WEBSHELL_CLIENTS:
    expect[ip] = [ip]
for h in facts.SHA1:
    expect[h.upper()] = [h]
rc, out, err = lookup([stix], list(expect))
t.ok(rc == 0 and out is not None and len(out) == len(expect), f'STIX lookup ran (rc {rc}) {err[:300]}')
if out:
    for entry, (value, want) in zip(out, expect.items()):
        t.ok(hitset(entry) == sorted(want), f'STIX {value}: hits {hitset(entry)} expected {sorted(want)}')
    nk = [h for h in out[0]['hits'] if h['indicator'] == facts.NK_IP][0]
    links = {(l['kind'], l['name'], l['attack_id']) for l in nk['links']}
    t.ok(('campaign', 'No Pineapple!', '') in links and ('intrusion-set', 'Lazarus Group', 'G0032') in links,
         f'NK IP links: {links}')
    t.ok(nk['confidence'] == 85 and nk['exact'] and nk['id'].startswith('indicator--'), f'NK IP hit: {nk}')
    cs = out[2]['hits'][0]
    t.ok({l['name'] for l in cs['links']} == {'Cobalt Strike', 'No Pineapple!', 'Lazarus Group'}, f'C2 links {cs["links"]}')
    g2 = [e for e in out if e['value'] == '7C40D4DED95F425FA01895F9D4359C9EF250290A'][0]['hits'][0]
    t.ok({l['name'] for l in g2['links']} >= {'GREASE', 'No Pineapple!'}, f'GREASE2 links {g2["links"]}')
    t.ok(not out[4]['known'] and not out[12]['known'], 'unknown values are reported as not known')
rc, out, err = lookup([stix], ['175.45.176.27'], '-v')
unsup = [l for l in err.splitlines() if 'unsupported pattern' in l]
t.ok(len(unsup) == 2, f'two unsupported patterns in the campaign bundle: {unsup}')
ids = {facts.sid('indicator', 'LAMERA code-signing certificate'), facts.sid('indicator', 'No Pineapple! string (YARA)')}
t.ok(all(any(i in l for l in unsup) for i in ids), 'unsupported patterns are named by indicator id')
t.ok(any('x509-certificate:serial_number' in l for l in unsup) and any("pattern_type 'yara'" in l for l in unsup),
     'unsupported reasons name the path / pattern type')
notes = [l for l in err.splitlines() if 'note: multi-observation' in l]
t.ok(len(notes) == 2, f'multi-observation patterns are loaded with a note: {notes}')

rc, out, err = lookup([os.path.join(D, 'unsupported.stix.json')], ['example.invalid'], '-v')
unsup = [l for l in err.splitlines() if 'unsupported pattern' in l]
t.ok(rc == 0 and len(unsup) == 5, f'unsupported.stix.json: 5 unsupported, the good one loads (rc {rc}): {unsup}')
for frag in ('does not parse', 'invalid regular expression', 'ISSUBSET', "'email-message:subject' is not observed",
             "pattern_type 'sigma'"):
    t.ok(any(frag in l for l in unsup), f'reason "{frag}" reported')

# ------------------------------------------------------------------ MISP
misp = os.path.join(D, 'no_pineapple.misp.json')
mexp = {
    facts.NK_IP: [facts.NK_IP],
    '175.45.177.200': [],
    facts.CS_C2[0]: [facts.CS_C2[0]],          # ip-dst and ip-dst|port give the same value twice
    '193.176.211.1': [facts.WEBSHELL_CIDR],
    '46a934e7b42bfb0a2a9bcecade78f63375192924': ['46a934e7b42bfb0a2a9bcecade78f63375192924'],
    'acres.exe': ['acres.exe'],
    r'\\.\pipe\qt-1f2e-7': [facts.PIPE],
    r'C:\Windows\Temp\stt.exe': [r'c:\windows\temp\stt.exe'],
    'base.jsp': ['base.jsp'],
}
rc, out, err = lookup([misp], list(mexp))
t.ok(rc == 0 and out is not None, f'MISP lookup ran (rc {rc}) {err[:300]}')
if out:
    for entry, (value, want) in zip(out, mexp.items()):
        got = sorted(set(hitset(entry)))
        t.ok(got == sorted(want), f'MISP {value}: hits {got} expected {sorted(want)}')
    h = out[0]['hits'][0]
    links = {(l['kind'], l['name'], l['attack_id']) for l in h['links']}
    t.ok(('intrusion-set', 'Lazarus Group', 'G0032') in links and ('threat-actor', 'Lazarus Group', '') in links,
         f'MISP galaxy links {links}')
    t.ok(h['confidence'] == 55 and 'tlp:clear' in h['labels'], f'MISP confidence/labels {h}')
    stt = out[7]['hits'][0]
    t.ok(any(l['attack_id'] == 'S0567' for l in stt['links']), f'object attribute tag gives Dtrack S0567: {stt["links"]}')
    t.ok(out[8]['hits'][0]['to_ids'] is False, 'to_ids false is kept')
rc, out, err = lookup([misp], ['base.jsp', facts.NK_IP], '--ids-only')
t.ok(rc == 0 and out and not out[0]['hits'] and out[1]['hits'], '--ids-only drops attributes without to_ids')
rc, out, err = lookup([misp], ['1.1.1.1'], '-v')
skips = [l for l in err.splitlines() if 'skipped:' in l]
t.ok(len(skips) == 3 and any('x509-fingerprint-sha1' in l for l in skips), f'MISP skipped attributes with reasons: {skips}')

# ------------------------------------------------------------- feed, CSV
rc, out, err = lookup([os.path.join(D, 'feed')], [facts.NK_IP], '-v')
t.ok(rc == 0 and out and hitset(out[0]) == [facts.NK_IP], f'MISP feed folder: {out} {err[:300]}')
t.ok('listed in the manifest but its <uuid>.json file is missing' in err, 'missing feed event reported')
rc, out, err = lookup([os.path.join(D, 'no_pineapple.csv')],
                      [facts.NK_IP, 'http://15.207.207.64/', 'ACRES.EXE', r'\qt-aa-bb', facts.CS_C2[1]], '-v')
t.ok(rc == 0 and out is not None, f'CSV lookup ran {err[:300]}')
if out:
    t.ok([len(e['hits']) for e in out] == [1, 2, 1, 1, 1], f'CSV hits {[hitset(e) for e in out]}')
    t.ok(out[0]['hits'][0]['links'][0]['attack_id'] == 'G0032', 'CSV actor column gives the link')
    t.ok(out[4]['hits'][0]['comment'] == 'Cobalt Strike C2, beacon', 'quoted CSV comment')
t.ok(sum('skipped:' in l for l in err.splitlines()) == 3, f'CSV: three lines skipped with reasons: {err}')

# several sources at once
rc, out, err = lookup([stix, misp, os.path.join(D, 'no_pineapple.csv')], [facts.NK_IP])
t.ok(rc == 0 and out and len({h['source'] for h in out[0]['hits']}) == 3, 'hits from all three sources')

# ------------------------------------------------------------ exit codes
rc, out, err = lookup([stix], ['8.8.4.4.example.invalid'])
t.ok(rc == 1, f'nothing known: exit 1 (got {rc})')
p = subprocess.run([SPOOR, 'intel', 'lookup'], capture_output=True)
t.ok(p.returncode == 2, 'no value: usage error')
p = subprocess.run([SPOOR, 'intel', 'lookup', '--bogus', 'x'], capture_output=True)
t.ok(p.returncode == 2, 'unknown option: usage error')
p = subprocess.run([SPOOR, 'intel', 'lookup', '--intel', '/nonexistent/x.json', '1.2.3.4'], capture_output=True)
t.ok(p.returncode == 3, f'nothing loaded: exit 3 (got {p.returncode})')
p = subprocess.run([SPOOR, 'intel', 'lookup', '--help'], capture_output=True, text=True)
t.ok(p.returncode == 0 and '--geoip' in p.stdout and 'SPOOR_GEOIP' in p.stdout, '--help')
p = subprocess.run([SPOOR, 'intel', 'lookup', '10.1.2.3'], capture_output=True, text=True,
                   env=dict(os.environ, SPOOR_GEOIP='/nonexistent'))
t.ok(p.returncode == 0 and 'range: private' in p.stdout, f'10.1.2.3 is private without any database: {p.stdout}')

# ------------------------------------------------------------------ geo
ds = datasets()
if not ds or not os.path.exists(os.path.join(ds, 'geo', 'geo-whois-asn-country.mmdb')):
    t.skip('../shared/datasets/geo absent: KP / AS131279 not checked')
else:
    g = os.path.join(ds, 'geo')
    geo = ['--geoip', os.path.join(g, 'geo-whois-asn-country.mmdb'), '--geoip', os.path.join(g, 'asn-ipv4.csv')]
    p = subprocess.run([SPOOR, 'intel', 'lookup', *geo, '175.45.176.27', '10.1.2.3'], capture_output=True, text=True)
    t.ok(p.returncode == 0 and 'country: KP' in p.stdout and 'AS131279 Star Joint Venture' in p.stdout
         and 'range: private' in p.stdout, f'geo text: {p.stdout}')
    p = subprocess.run([SPOOR, 'intel', 'lookup', '--json', *geo, '175.45.176.27', '10.1.2.3', '2001:db8::1'],
                       capture_output=True, text=True)
    j = json.loads(p.stdout)
    t.ok(j[0]['country'] == 'KP' and j[0]['asn'] == 131279 and j[0]['as_org'].startswith('Star Joint Venture'),
         f'geo json {j[0]}')
    t.ok(j[1]['special'] == 'private' and j[1]['country'] is None, f'private {j[1]}')
    t.ok(j[2]['special'] == 'documentation', f'documentation {j[2]}')
    p = subprocess.run([SPOOR, 'intel', 'lookup', '175.45.176.27'], capture_output=True, text=True,
                       env=dict(os.environ, SPOOR_GEOIP=os.path.join(g, 'geo-whois-asn-country.mmdb') + ':' +
                                os.path.join(g, 'asn-ipv4.csv')))
    t.ok('country: KP' in p.stdout and 'AS131279' in p.stdout, f'$SPOOR_GEOIP search path: {p.stdout}')
    p = subprocess.run([SPOOR, 'intel', 'lookup', '--intel', stix, *geo, '175.45.176.27'], capture_output=True, text=True)
    t.ok('country: KP' in p.stdout and 'No Pineapple!' in p.stdout, 'geo and IOC hits together')

t.done()
