"""`spoor hunt --attribute`: the demo intrusion (Windows events, web and Zeek
logs, the campaign's IOC bundle) is assessed as Lazarus; the assessment in the
hunt's --json is the one `spoor attribute` gives on the same findings; thin
evidence with no DPRK traces does not name Lazarus."""
import json, os, shutil, subprocess, sys, tempfile
from common import Suite, ROOT, run, datasets

s = Suite('hunt_attribute')
tmp = tempfile.mkdtemp(prefix='spoor-ha-')
case = os.path.join(tmp, 'case')
subprocess.run([sys.executable, os.path.join(ROOT, 'demo', 'make_demo.py'), case], check=True, capture_output=True)
logs = os.path.join(tmp, 'logs')
subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'gen', 'make_logs.py'), logs], check=True, capture_output=True)
for d, _, fs in os.walk(logs):
    for f in fs:
        if f.endswith('.truth.json'):
            os.remove(os.path.join(d, f))
for sub in ('web', 'zeek'):
    shutil.copytree(os.path.join(logs, sub), os.path.join(case, sub))

intel = ['--intel', os.path.join(ROOT, 'tests', 'data', 'intel', 'no_pineapple.stix.json')]
d = datasets()
geo = []
if d and os.path.isdir(os.path.join(d, 'geo')):
    geo = ['--geoip', os.path.join(d, 'geo', 'geo-whois-asn-country.mmdb'), '--geoip', os.path.join(d, 'geo', 'asn-ipv4.csv')]

rc, out, err = run(['hunt', '-q', '--json', '--attribute'] + intel + geo + [case], timeout=120)
s.ok(rc == 1, f'hunt rc {rc}: {err[-300:]}')
summ = json.loads(out)
a = summ.get('attribution')
s.ok(isinstance(a, dict) and a.get('hypotheses'), f'no attribution in --json: {str(a)[:200]}')
if a and a.get('hypotheses'):
    top = a['hypotheses'][0]
    s.ok(top['id'] == 'G0032', f'leading hypothesis {top["id"]} {top.get("name")}, want Lazarus Group G0032')
    s.ok(top['confidence'] in ('moderate', 'high'), f'Lazarus stated with {top["confidence"]} confidence')
    kinds = {f['kind'] for f in top['for']}
    s.ok({'technique', 'software'} <= kinds, f'evidence kinds for Lazarus: {sorted(kinds)}')
    s.ok('infrastructure' in kinds, 'the bare-IP beacon is not evidence for Lazarus')
    if geo:
        s.ok('country' in kinds and 'asn' in kinds, f'the KP address (country/ASN) not cited: {sorted(kinds)}')
    ev = summ['attribution_evidence']
    s.ok(ev.get('bare_ip_c2') is True, 'attribution_evidence lacks bare_ip_c2')
    s.ok(ev['hours'] and ev['hours']['utc_offset_min'] == 540, f'hours {ev["hours"]}')
    # the same findings through `spoor attribute` give the same assessment
    f = os.path.join(tmp, 'findings.json')
    with open(f, 'wb') as fo:
        fo.write(out)
    rc2, out2, err2 = run(['attribute', '--json', f])
    s.ok(rc2 == 0, f'spoor attribute rc {rc2}: {err2[-200:]}')
    if rc2 == 0:
        b = json.loads(out2)
        s.ok([(h['id'], h['likelihood']) for h in b['hypotheses'][:5]] == [(h['id'], h['likelihood']) for h in a['hypotheses'][:5]],
             'spoor attribute on the findings disagrees with hunt --attribute')

# the text summary ends with the assessment
rc, out, err = run(['hunt', '-q', '--attribute'] + intel + geo + [case], timeout=120)
s.ok(b'Leading hypothesis: Lazarus Group (G0032)' in out, 'text summary lacks the leading hypothesis')

# thin evidence without DPRK traces: Lazarus is not named
rc, out, err = run(['hunt', '-q', '--json', '--attribute', os.path.join(logs, 'linux'), os.path.join(logs, 'web', 'u_ex220815.log')] + geo)
summ = json.loads(out)
a = summ.get('attribution') or {}
hyp = a.get('hypotheses') or []
s.ok(hyp, f'no attribution on thin evidence: {err[-200:]}')
if hyp:
    s.ok(hyp[0]['id'] != 'G0032' and hyp[0]['confidence'] == 'low', f'thin evidence led to {hyp[0]["id"]} ({hyp[0]["confidence"]})')
    laz = [h for h in hyp if h['id'] == 'G0032']
    s.ok(not laz or laz[0]['likelihood'] < 0.2, f'Lazarus at {laz[0]["likelihood"] if laz else None} on thin evidence')
shutil.rmtree(tmp, ignore_errors=True)
s.done()
