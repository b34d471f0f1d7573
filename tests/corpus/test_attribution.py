"""Attribution: spoor attribute on synthetic intrusions (tests/gen/make_scenarios.py),
the findings / evidence readers, exit codes, and spoor bench attribution
(leave-one-out accuracy against TF-IDF, calibration of "high", timing)."""
import json, os, subprocess, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, Suite, run

s = Suite('attribution')
tmp = tempfile.mkdtemp()
sc = os.path.join(tmp, 'sc')
subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'gen', 'make_scenarios.py'), sc], check=True)
truth = json.load(open(os.path.join(sc, 'truth.json')))
DPRK = {'G0032', 'G0138', 'G0082', 'G0094', 'G0067'}


def attribute(*args):
    rc, out, err = run(['attribute', '--json', *args])
    if not s.ok(rc == 0, f'attribute {args}: rc {rc} {err[:300]}'):
        return None
    return json.loads(out)


# 1. No Pineapple!: the DPRK cluster first, citing the KP address and GREASE2 / Dtrack
d = attribute('--evidence', os.path.join(sc, 'nopineapple.json'), '--top', '10')
if d:
    top = d['hypotheses'][0]
    s.ok(top['id'] in DPRK, f'No Pineapple!: top hypothesis {top["id"]} is in the DPRK cluster')
    s.ok(d['clusters'] and d['clusters'][0]['name'] == 'dprk', 'No Pineapple!: dprk is the leading cluster')
    fors = top['for']
    s.ok(any(i['kind'] in ('country', 'asn') and i['id'] in ('KP', 'AS131279') and '175.45.176.27' in i['why'] for i in fors),
         'No Pineapple!: the KP address is cited for the top hypothesis')
    s.ok(any(i['id'] in ('GREASE2', 'S0567') or i.get('name') == 'Dtrack' for i in fors),
         'No Pineapple!: GREASE2 or Dtrack is cited for the top hypothesis')
    s.ok(any(i['kind'] == 'infrastructure' and i['id'] == 'bare_ip_c2' for i in fors), 'No Pineapple!: bare-IP C2 cited')
    s.ok(any(i['kind'] == 'hours' for i in fors), 'No Pineapple!: UTC+9 hours cited')
    shown = sum(h['likelihood'] for h in d['hypotheses']) + d['other_likelihood']
    s.ok(abs(shown - 1) < 1e-3, f'likelihoods sum to 1 ({shown})')
    s.ok(any(h['id'] == 'unknown' for h in d['hypotheses']), '"not in the knowledge base" is always shown')
    s.ok(all(h['confidence'] in ('low', 'moderate', 'high') for h in d['hypotheses']), 'confidence words')
    s.ok(len(d['hunt_next']) > 0 and all(x['gain_bits'] >= 0 for x in d['hunt_next']), 'hunt_next suggestions')
    s.ok([h['likelihood'] for h in d['hypotheses'][:10]] == sorted([h['likelihood'] for h in d['hypotheses'][:10]], reverse=True),
         'hypotheses best first')

# 2. ransomware only: no DPRK group above low confidence
d = attribute('--evidence', os.path.join(sc, 'bianlian.json'), '--top', '200')
if d:
    bad = [h['id'] for h in d['hypotheses'] if h['id'] in DPRK and h['confidence'] != 'low']
    s.ok(not bad, f'BianLian-like: no DPRK group above low confidence ({bad})')
    s.ok(d['hypotheses'][0]['id'] not in DPRK, 'BianLian-like: top hypothesis not DPRK')
    s.ok(all(c['confidence'] == 'low' for c in d['clusters'] if c['name'] == 'dprk'), 'BianLian-like: dprk cluster low')

# 3. intrusions built from a group's own ATT&CK profile: that group in the top 3
for fn, t in sorted(truth.items()):
    if not fn.startswith('group_'):
        continue
    d = attribute('--evidence', os.path.join(sc, fn), '--top', '3')
    if d:
        ids = [h['id'] for h in d['hypotheses']][:3]
        s.ok(t['group'] in ids, f'{fn}: {t["group"]} in the top 3 ({ids})')

# findings (spoor hunt --json) shapes and victim options
find = os.path.join(tmp, 'findings.json')
with open(find, 'w') as f:
    json.dump({"detections": 3, "techniques": [{"id": "T1505.003", "count": 2}],
               "attribution_evidence": {"techniques": [{"id": "T1059.001", "count": 3, "max_level": "high", "hosts": 1},
                                                       {"id": "T1505.003", "count": 2, "max_level": "critical", "hosts": 1}],
                                        "software": [{"id": "S0567", "count": 1}],
                                        "ips": [{"ip": "175.45.176.27", "country": "KP", "asn": 131279, "role": "web_shell_client"}],
                                        "countries": ["KP"], "asns": [131279],
                                        "hours": {"utc_offset_min": 540, "confidence": "moderate", "events": 40},
                                        "malware_names": ["GREASE2"], "bare_ip_c2": True}}, f)
d = attribute(find, '--victim-sector', 'healthcare', '--victim-country', 'IN')
if d:
    s.ok(d['evidence']['techniques'] == 2 and d['evidence']['software'] == 1 and d['evidence']['malware'] == 1,
         f'findings: evidence counted ({d["evidence"]})')
    s.ok(d['hypotheses'][0]['id'] in DPRK, 'findings: DPRK first')
top_only = os.path.join(tmp, 'summary.json')
with open(top_only, 'w') as f:
    json.dump({"detections": 2, "techniques": [{"id": "T1505.003", "count": 2}, {"id": "T1059.001", "count": 1}]}, f)
d = attribute(top_only)
if d:
    s.ok(d['evidence']['techniques'] == 2 and d['evidence']['thin'], 'hunt summary techniques list read; thin evidence')
    s.ok(d['hypotheses'][0]['confidence'] == 'low', 'thin evidence: low confidence')
# text report
rc, out, err = run(['attribute', '--evidence', os.path.join(sc, 'nopineapple.json')])
txt = out.decode()
s.ok(rc == 0 and 'Leading hypothesis' in txt and 'What to hunt next' in txt, 'text report')
# --sigma names rules for what to hunt next
rules = os.path.join(ROOT, 'rules')
if os.path.isdir(rules):
    d = attribute('--evidence', os.path.join(sc, 'bianlian.json'), '--sigma', rules)
    s.ok(d is not None, '--sigma loads the rule pack')
# errors
bad = os.path.join(tmp, 'bad.json')
for text, what in (('{"techniques": "T1059"}', 'wrong type'), ('not json', 'not JSON'), ('{"techniques": ["X1"]}', 'bad id'),
                   ('[1, 2]', 'not an object')):
    with open(bad, 'w') as f:
        f.write(text)
    rc, out, err = run(['attribute', '--evidence', bad])
    s.ok(rc == 3 and 'bad.json' in err, f'{what}: exit 3 with the file named ({rc}, {err.strip()[:120]})')
rc, out, err = run(['attribute'])
s.ok(rc == 2, 'no input: usage')
rc, out, err = run(['attribute', '--evidence', os.path.join(tmp, 'missing.json')])
s.ok(rc == 3, 'missing file: exit 3')

# the benchmark: better than TF-IDF on both protocols, "high" right >= 90%, fast
rc, out, err = run(['bench', 'attribution', '--json'], timeout=300)
if s.ok(rc == 0, f'bench attribution rc {rc} {err[:200]}'):
    b = json.loads(out)
    for proto in ('leave_one_campaign_out', 'leave_one_report_out'):
        p = b[proto]
        s.ok(p['model']['top1'] > p['tfidf_cosine']['top1'] and p['model']['mrr'] > p['tfidf_cosine']['mrr'],
             f'{proto}: model beats TF-IDF ({p["model"]["top1"]:.3f} vs {p["tfidf_cosine"]["top1"]:.3f})')
        hi = p['calibration']['by_confidence']['high']
        s.ok(hi['n'] == 0 or hi['right'] / hi['n'] >= 0.9, f'{proto}: "high" right {hi["right"]}/{hi["n"]}')
        c = p['calibration']
        s.ok(c['thin'] == c['thin_low'], f'{proto}: thin evidence always low')
    s.ok(b['leave_one_campaign_out']['cases'] == 24 and b['attack']['attributed_to'] == 25, 'LOCO: 24 campaigns, 25 attributions')
    s.ok(b['assess'] and b['assess']['hypotheses'] >= 170, 'assess timing reported')
    print(f"bench: LOCO top-1 {b['leave_one_campaign_out']['model']['top1']:.3f}, LORO top-1 "
          f"{b['leave_one_report_out']['model']['top1']:.3f}, assess {b['assess']['mean_ms']:.2f} ms")
s.done()
