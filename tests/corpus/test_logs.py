#!/usr/bin/env python3
"""Line logs: generate the intrusion's web/Zeek/Linux logs with
tests/gen/make_logs.py, read each with `spoor logs parse`, and check the line
accounting and the facts in every .truth.json (web shell hits per client, the
KP address, the beacon, the brute force, auditd decoding, syslog years)."""
import collections, json, os, re, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, Suite, run  # noqa: E402

s = Suite('logs')
tmp = tempfile.mkdtemp(prefix='spoor-logs-')
gen = subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'gen', 'make_logs.py'), tmp],
                     capture_output=True, text=True)
s.ok(gen.returncode == 0, f'make_logs.py ran ({gen.stderr.strip()})')

files = []
for d, _, fs in os.walk(tmp):
    for f in sorted(fs):
        if not f.endswith('.truth.json'):
            files.append(os.path.join(d, f))
files.sort()
s.ok(len(files) == 10, f'10 log files generated ({len(files)})')

COUNT = re.compile(r'^(.*): (\w+): (\d+) lines, (\d+) events, (\d+) not events, (\d+) malformed$')


def events(path):
    rc, out, err = run(['logs', 'parse', '--json', '-q', path], timeout=120)
    evs = [json.loads(l) for l in out.splitlines() if l.strip()]
    m = COUNT.match(err.strip().splitlines()[-1]) if err.strip() else None
    return rc, evs, m


def vals(e, k):
    v = e.get(k)
    return v if isinstance(v, list) else [v]


for path in files:
    name = os.path.relpath(path, tmp)
    truth = json.load(open(path + '.truth.json'))
    rc, out, err = run(['logs', 'parse', '-q', path])
    m = COUNT.match(out.decode().strip())
    if not s.ok(rc == 0 and m is not None, f'{name}: parsed (rc {rc}, {out!r} {err})'):
        continue
    fmt, lines, evn, notev, bad = m.group(2), *map(int, m.groups()[2:])
    s.ok(fmt == truth['format'], f'{name}: format {fmt} == {truth["format"]}')
    s.ok((lines, evn, notev, bad) == (truth['lines'], truth['events'], truth['not_events'], truth['malformed']),
         f'{name}: lines/events/not/malformed {(lines, evn, notev, bad)} == '
         f'{(truth["lines"], truth["events"], truth["not_events"], truth["malformed"])}')
    rc, evs, m2 = events(path)
    s.ok(len(evs) == truth['events'], f'{name}: --json gives one object per event ({len(evs)})')
    s.ok(m2 is not None and int(m2.group(4)) == truth['events'], f'{name}: --json counts on stderr')
    s.ok(all('_time' in e for e in evs), f'{name}: every event has a time')

    if name.startswith('web/') and truth['format'] == 'web_combined':
        hits = collections.defaultdict(lambda: collections.Counter())
        for e in evs:
            if e.get('cs-uri-stem') in truth['webshells']:
                hits[e['cs-uri-stem']][e['c-ip']] += 1
        s.ok({k: dict(v) for k, v in hits.items()} == truth['webshells'], f'{name}: web shell hits per client')
        kp = [e for e in evs if e.get('c-ip') == truth['kp_ip']]
        s.ok(len(kp) == truth['kp_requests'] and kp[0]['_time'].startswith(truth['kp_first'][:19]),
             f'{name}: KP client requests {len(kp)} at {kp[0]["_time"] if kp else None}')
        mb = [e for e in evs if e.get('cs-uri-stem') == '/service/extension/backup/mboximport']
        s.ok(len(mb) == truth['mboximport_posts'] and all(e['cs-method'] == 'POST' and e['sc-status'] == '401' for e in mb),
             f'{name}: mboximport POSTs')
        s.ok(len({e['c-ip'] for e in evs}) == truth['distinct_clients'], f'{name}: distinct clients')
        s.ok(sum(1 for e in evs if ':' in e['c-ip']) == truth['ipv6_requests'], f'{name}: IPv6 clients')
        s.ok(sum(1 for e in evs if e.get('cs-method') == 'GET' and '=whoami' in (e.get('cs-uri-query') or '')) == truth['get_whoami'],
             f'{name}: GET ...=whoami')
        if 'zimbra' in name:
            s.ok(all('time-taken' in e for e in evs), f'{name}: Jetty latency read as time-taken')
        else:
            s.ok(all(e.get('cs-host') == 'mail.lab.example' and e.get('s-port') == '443' for e in evs), f'{name}: vhost')
    elif truth['format'] == 'web_iis_w3c':
        sh = collections.Counter(e['c-ip'] for e in evs if e.get('cs-uri-stem') == truth['webshell'])
        s.ok(dict(sh) == truth['webshell_hits'], f'{name}: .aspx shell hits per client {dict(sh)}')
        s.ok(sum(1 for e in evs if 'cs-host' in e) == 450, f'{name}: second #Fields block adds cs-host')
        s.ok(not any('+' in (e.get('cs-user-agent') or '') for e in evs), f'{name}: + in user agents decoded')
    elif truth['format'] == 'zeek_tsv':
        s.ok(all(e['_service'] == truth['service'] for e in evs), f'{name}: service {truth["service"]}')
        if truth['service'] == 'conn':
            b = truth['beacon']
            bc = [e for e in evs if e.get('id.resp_h') == b['dst'] and e.get('id.orig_h') == b['src']]
            s.ok(len(bc) == b['count'], f'{name}: beacon connections {len(bc)}')
            ts = sorted(float(e['ts']) for e in bc)
            gaps = [y - x for x, y in zip(ts, ts[1:])]
            s.ok(gaps and all(53 <= g <= 67 for g in gaps) and abs(sum(gaps) / len(gaps) - 60) < 1,
                 f'{name}: beacon interval ~60 s')
            s.ok(all('tunnel_parents' in e and e['tunnel_parents'] is None for e in evs), f'{name}: (empty) set is null')
        if truth['service'] == 'dns':
            s.ok(sum(1 for e in evs if isinstance(e.get('answers'), list)) == truth['multi_answers'], f'{name}: set values')
            s.ok(sum(1 for e in evs if 'answers' not in e) == truth['nxdomain'], f'{name}: unset answers absent')
            s.ok(not any('104.225.129.103' in vals(e, 'answers') for e in evs), f'{name}: no answer names the C2')
        if truth['service'] == 'http':
            s.ok(sum(1 for e in evs if e.get('host') == '15.207.207.64') == truth['bare_ip_host'], f'{name}: bare-IP Host')
        if truth['service'] == 'ssl':
            s.ok(sum(1 for e in evs if 'server_name' not in e) == truth['no_sni'], f'{name}: no SNI')
    elif truth['format'] == 'zeek_json':
        b = truth['beacon']
        s.ok(sum(1 for e in evs if e.get('id.resp_h') == b['dst']) == b['count'], f'{name}: beacon in JSON')
        s.ok(all(e['_service'] == 'conn' and e['_product'] == 'zeek' for e in evs), f'{name}: zeek conn from the name')
    elif truth['format'] == 'linux_auth':
        s.ok(sum(1 for e in evs if e.get('outcome') == 'failed' and e.get('src_ip') == truth['brute_ip']) == truth['ssh_failed'],
             f'{name}: failed ssh logins')
        acc = [e for e in evs if e.get('outcome') == 'accepted' and e.get('src_ip') == truth['brute_ip']]
        s.ok(len(acc) == 1 and acc[0].get('user') == 'backup', f'{name}: the success after brute force')
        s.ok(evs[0]['_time'].startswith(truth['first'][:19]) and evs[-1]['_time'].startswith(truth['last'][:19]),
             f'{name}: years from mtime across new year ({evs[0]["_time"]} .. {evs[-1]["_time"]})')
        s.ok(any(e.get('program') == 'useradd' and e.get('uid') == '0' and e.get('user') == truth['uid0_user'] for e in evs),
             f'{name}: UID 0 useradd')
        s.ok({e['_service'] for e in evs} == {'sshd', 'sudo', 'cron', 'auth'}, f'{name}: services')
    elif truth['format'] == 'linux_audit':
        ex = [e for e in evs if e.get('type') == 'EXECVE']
        s.ok([e['a0'] for e in ex] == [x['a0'] for x in truth['execs']], f'{name}: EXECVE a0 decoded')
        s.ok(any(len(e.get('a2', '')) == truth['long_arg_len'] for e in ex), f'{name}: split argument joined')
        s.ok(any(e.get('a2', '').startswith('cd /tmp && curl') for e in ex), f'{name}: hex argument decoded')
        s.ok(all(e.get('SYSCALL') == 'execve' for e in evs if e.get('type') == 'SYSCALL'), f'{name}: syscall named')
        s.ok(any(e.get('type') == 'USER_LOGIN' and e.get('acct') == truth['user_login_acct'] for e in evs), f'{name}: inner msg')

# hostile input never crashes and is accounted for
hostile = os.path.join(tmp, 'hostile.log')
with open(hostile, 'wb') as f:
    f.write(b'1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"\n')
    f.write(b'1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] "GET /\x00\xff\x1b[31m HTTP/1.1" 200 1 "-" "\xc3\x28"\r\n')
    f.write(b'\x00' * 100 + b'\n')
    f.write(b'"' * 5000 + b'\n')
    f.write(b'x' * (5 << 20) + b'\n')       # longer than the line limit
    f.write(b'1.2.3.4 - - [01/Jan/2022:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "last"')
rc, out, err = run(['logs', 'parse', '--json', '-q', hostile])
lines = out.splitlines()
s.ok(rc == 0 and len(lines) == 3 and all(json.loads(l) for l in lines), f'hostile: 3 events as valid JSON ({rc}, {err})')
s.ok(all(b < 0x80 for l in lines for b in l), 'hostile: output is ASCII-escaped')
s.ok('6 lines, 3 events, 0 not events, 3 malformed' in err, f'hostile: accounting ({err.strip()})')
rc, out, err = run(['logs', 'parse', os.path.join(tmp, 'nope.log')])
s.ok(rc == 3, f'missing file: exit 3 ({rc})')
rc, out, err = run(['logs', 'parse', '--help'])
s.ok(rc == 0 and b'usage: spoor logs parse' in out, '--help')

# speed on one core (informational): lines per second per format
print('parse speed (spoor logs parse, one core, generated files):')
for path in files:
    t0 = time.perf_counter()
    rc, out, err = run(['logs', 'parse', '-q', path])
    dt = time.perf_counter() - t0
    m = COUNT.match(out.decode().strip())
    if m:
        print(f'  {m.group(2):13s} {int(m.group(3)):7d} lines  {int(m.group(3)) / dt:12,.0f} lines/s  ({os.path.basename(path)})')

subprocess.run(['rm', '-rf', tmp])
s.done()
