"""spoor's own rule pack (rules/) on the generated demo case
(demo/make_demo.py, events written by the project, with ground truth):
every rule loads; every Windows rule fires on the intrusion; none fires on a
benign event; the GREASE correlation fires on the host where GREASE ran."""
import json, os, subprocess, sys, tempfile
from common import Suite, ROOT, run

s = Suite('rules_pack')
tmp = tempfile.mkdtemp(prefix='spoor-pack-')
case = os.path.join(tmp, 'case')
subprocess.run([sys.executable, os.path.join(ROOT, 'demo', 'make_demo.py'), case], check=True, capture_output=True)
truth = {(r['file'], r['record_id']): r for r in json.load(open(case + '.truth.json'))['records']}

rc, out, err = run(['rules', 'check', '--json', os.path.join(ROOT, 'rules')])
chk = json.loads(out)
s.ok(chk['rejected'] == 0, f'rule pack: rejections {chk.get("rejections")}')
pack = {}
for dirpath, _, files in os.walk(os.path.join(ROOT, 'rules')):
    for f in files:
        if f.endswith('.yml'):
            txt = open(os.path.join(dirpath, f), encoding='utf-8').read()
            for doc in txt.split('\n---\n'):
                rid = next((l.split(':', 1)[1].strip() for l in doc.splitlines() if l.startswith('id:')), None)
                title = next((l.split(':', 1)[1].strip() for l in doc.splitlines() if l.startswith('title:')), '')
                tags = [l.strip()[2:] for l in doc.splitlines() if l.strip().startswith('- attack.')]
                if rid:
                    pack[rid] = (title, doc, os.path.relpath(os.path.join(dirpath, f), ROOT))
                    s.ok('attack.' in doc, f'{f}: no ATT&CK tag')

tl = os.path.join(tmp, 'tl.jsonl')
rc, out, err = run(['hunt', '-q', '--timeline', tl, case])
s.ok(rc == 1, f'hunt on the demo case: exit {rc}')
hits = [json.loads(l) for l in open(tl, encoding='utf-8')]
fired = {}
for h in hits:
    fired[h['rule_id']] = fired.get(h['rule_id'], 0) + 1
    if h.get('correlation'):
        continue
    t = truth.get((os.path.basename(h['source']), h['record_id']))
    s.ok(t is not None, f'{h["rule_title"]}: hit on a record not in the truth file ({h["record_id"]})')
    s.ok(t is None or t['malicious'], f'{h["rule_title"]}: fired on a benign event: {t and t["note"]}')
for rid, (title, doc, path) in sorted(pack.items()):
    windows = '/windows/' in '/' + path.replace(os.sep, '/')
    step = 'Step of spoor_grease_backdoor_sequence' in doc
    if windows and not step:
        s.ok(fired.get(rid, 0) >= 1, f'{path}: "{title}" does not fire on the demo intrusion')
corr = [h for h in hits if h.get('correlation')]
s.ok(len(corr) == 1 and corr[0]['host'].startswith('MRS-APP02') and 'Computer=MRS-APP02' in corr[0]['correlation']['group'],
     f'GREASE correlation: {corr}')
s.ok(not [h for h in hits if h['rule_title'].startswith('GREASE sequence step')], 'correlation steps reported on their own')
s.done()
