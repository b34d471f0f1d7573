"""Analytics on the generated demo case (demo/make_demo.py, with ground
truth): the logon summary, account and group changes, and the operator-hours
estimate (the demo's intrusion runs in UTC+9 office hours)."""
import json, os, subprocess, sys, tempfile
from common import Suite, ROOT, run

s = Suite('analytics')
tmp = tempfile.mkdtemp(prefix='spoor-ana-')
case = os.path.join(tmp, 'case')
subprocess.run([sys.executable, os.path.join(ROOT, 'demo', 'make_demo.py'), case], check=True, capture_output=True)

rc, out, err = run(['logons', '--json', case])
s.ok(rc == 0, f'spoor logons: exit {rc}')
d = json.loads(out)
rows = {(r['account'], r['logon_type'].split()[0], r['source_ip']): r for r in d['logons']}
s.ok(('MRS-APP02\\support', '10', '23.237.32.34') in rows, 'logons: RDP logon of the backdoor account from 23.237.32.34 missing')
s.ok(('MEDRES\\j.sharma', '10', '23.237.32.34') in rows, 'logons: RDP logon with the harvested account missing')
s.ok(all(not r['account'].endswith('$') for r in d['logons']), 'logons: machine accounts listed')
ch = [(c['what'], c['account'], c['group']) for c in d['account_changes']]
s.ok(('account created', 'MRS-APP02\\support', '') in ch, f'changes: support account creation missing: {ch[:4]}')
s.ok(sum(1 for c in ch if c[0] == 'added to group' and c[2] in ('Administrators', 'Remote Desktop Users')) >= 3,
     'changes: group additions missing')
s.ok(('account enabled', 'MRS-APP02\\Guest', '') in ch, 'changes: Guest enabled missing')
times = [c['time'] for c in d['account_changes']]
s.ok(times == sorted(times), 'changes not in time order')

rc, out, err = run(['hunt', '-q', '--json', case])
h = json.loads(out)
oh = h['operator_hours']
s.ok(oh['utc_offset_min'] == 540, f'operator hours: {oh["utc_offset"]}, want UTC+09:00')
s.ok(oh['confidence'] in ('moderate', 'high'), f'operator hours confidence {oh["confidence"]}')
s.ok(oh['events'] >= 20 and sum(map(sum, oh['by_weekday_hour_utc'])) == oh['events'], 'operator hours histogram')
# same answer whatever the thread count
rc2, out2, _ = run(['hunt', '-q', '--json', '--threads', '1', case])
a, b = json.loads(out2), h
for k in ('logons', 'account_changes', 'operator_hours'):
    s.ok(a[k] == b[k], f'{k} differs between 1 thread and the default')
s.done()
