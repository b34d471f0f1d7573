"""Golden tests of the EVTX reader on files this project generates
(tests/gen/make_edge_evtx.py, written with scripts/evtxwriter.py): every value
type and array, raw (non-template) Binary XML tokens, UserData, hostile
strings, and damaged files (bad checksums, zeroed chunk, truncated file,
dirty chunk count).  Needs no external data."""
import json, os, re, subprocess, sys, tempfile
from common import Suite, ROOT, SPOOR, run, dump_jsonl, info

s = Suite('evtx_generated')
tmp = tempfile.mkdtemp(prefix='spoor-edge-')
subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'gen', 'make_edge_evtx.py'), tmp],
               check=True, capture_output=True)


def norm(typ, v):
    """The expected value in spoor's (evtx_dump's) JSON convention."""
    if v is None:
        return None
    if typ.endswith('Array'):
        return [norm(typ[:-5], x) for x in v]
    if typ in ('String', 'AnsiString'):
        # lone UTF-16 surrogates become U+FFFD (output is always valid
        # UTF-8); terminating NULs are not part of the text
        v = re.sub('[\ud800-\udfff]', '\ufffd', v).rstrip('\x00')
        return v.strip(' \t\r\n')
    if typ == 'GUID':
        return v.strip('{}').upper()
    if typ == 'SizeT':
        return '0x%016x' % v
    if typ == 'FILETIME':            # 7 digits written, evtx_dump truncates to 6
        return v[:26] + 'Z'
    if typ == 'SYSTEMTIME':          # milliseconds, shown with 6 digits
        return v[:23] + '000Z'
    if typ in ('HexInt32', 'HexInt64'):
        return hex(v)
    return v


def same(want, got):
    if isinstance(want, float) or isinstance(got, float):
        try:
            return abs(float(want) - float(got)) <= 1e-6 * max(1.0, abs(float(want)))
        except (TypeError, ValueError):
            return False
    return want == got


for ef in sorted(f for f in os.listdir(tmp) if f.endswith('.expect.json')):
    exp = json.load(open(os.path.join(tmp, ef)))
    path = os.path.join(tmp, exp['file'])
    name = exp['file']
    st = info(path)
    rc, recs = dump_jsonl(path)
    s.ok(rc == 0, f'{name}: exit {rc}')
    def rid(r):
        sysf = r['Event'].get('System') or {}
        return sysf.get('EventRecordID')
    ids = {rid(r) for r in recs}
    want_ids = set(exp['recoverable_record_ids'])
    if ids == {None}:    # raw fragments without System: record ids by order
        ids = set(want_ids) if len(recs) == len(want_ids) else set()
    s.ok(want_ids <= ids, f'{name}: records {sorted(want_ids - ids)} not decoded')
    s.ok(st['records'] == len(recs), f'{name}: info says {st["records"]} records, dump gave {len(recs)}')
    dmg = exp.get('damage') or {}
    if 'corrupt_crc_chunks' in dmg:
        kind = 'chunk_data_crc' if dmg['which'] == 'records CRC' else 'chunk_header_crc'
        s.ok(st['damage'][kind] == len(dmg['corrupt_crc_chunks']), f'{name}: {kind} not reported')
        s.ok(len(recs) == exp['record_count'], f'{name}: a bad checksum must not lose records')
    if 'zeroed_chunks' in dmg:
        s.ok(st['chunks_zero'] == len(dmg['zeroed_chunks']), f'{name}: zeroed chunk not counted')
    if dmg.get('dirty'):
        s.ok(st['damage']['chunk_count'] == 1 and len(recs) == exp['record_count'],
             f'{name}: chunks past the header count not read')
    if 'truncated_at' in dmg:
        s.ok(st['damage']['chunk_truncated'] == 1, f'{name}: truncation not reported')
    by_id = {rid(r): r for r in recs}
    if None in by_id:
        by_id = {rec['record_id']: r for rec, r in zip(exp['records'], recs)}
    for rec in exp['records']:
        got = by_id.get(rec['record_id'])
        if got is None:
            continue
        ev = got['Event']
        if 'event_id' in rec:
            eid = ev['System']['EventID']
            eid = eid['#text'] if isinstance(eid, dict) else eid
            s.ok(eid == rec['event_id'], f'{name}#{rec["record_id"]}: EventID {eid}')
        if 'channel' in rec:
            s.ok(ev['System']['Channel'] == rec['channel'], f'{name}#{rec["record_id"]}: Channel')
        for e in rec.get('event_data') or []:
            if isinstance(e, list):          # compact form [name, type, value]
                e = {'name': e[0], 'type': e[1], 'value': e[2]}
            want = norm(e['type'], e['value'])
            data = ev.get('EventData') or {}
            g = data.get(e['name'])
            if want in ('', []) and g in ('', None):
                s.ok(True, '')
                continue
            s.ok(same(want, g), f'{name}#{rec["record_id"]} {e["name"]} ({e["type"]}): want {want!r} got {g!r}')
        if 'xml' in rec:
            rc2, out, _ = run(['evtx', 'dump', '--format', 'xml', '-q', path])
            xml = out.decode()
            flat = re.sub(r'>\s*\n\s*<', '><', xml)
            s.ok(rec['xml'] in flat, f'{name}#{rec["record_id"]}: XML differs: want {rec["xml"]}')
        if 'user_data' in rec:
            ud = json.dumps(ev.get('UserData'))
            for v in rec['user_data']['value']['values']:
                want = norm(v['type'], v['value'])
                s.ok(json.dumps(want)[1:-1] in ud or str(want) in ud,
                     f'{name}#{rec["record_id"]} UserData lacks {want!r}')
    # every output line is valid JSON whatever the content (hostile files)
    s.ok(all(isinstance(r, dict) for r in recs), f'{name}: invalid JSON line')

# --recover on damaged files: allocated records kept, carved ones tagged
for f in ('truncated.evtx', 'bad_chunk_crc.evtx', 'zeroed_chunk.evtx'):
    rc, recs = dump_jsonl(os.path.join(tmp, f), '--recover')
    plain = dump_jsonl(os.path.join(tmp, f))[1]
    s.ok(len(recs) >= len(plain), f'{f}: --recover lost records')
    s.ok(all(r.get('spoor', {}).get('recovered') for r in recs[len(plain):]) or len(recs) == len(plain),
         f'{f}: carved records not tagged')

# the compiled JSON plans and the generic renderer agree on every file
for f in sorted(os.listdir(tmp)):
    if f.endswith('.evtx'):
        pth = os.path.join(tmp, f)
        a = run(['evtx', 'dump', '-q', '--recover', pth])[1]
        b = subprocess.run([SPOOR, 'evtx', 'dump', '-q', '--recover', pth], capture_output=True,
                           env=dict(os.environ, SPOOR_NO_JSON_PLAN='1')).stdout
        s.ok(a == b, f'{f}: plan and generic JSON differ')

# threads do not change the output
for f in ('multichunk.evtx', 'wide.evtx', 'wider.evtx'):
    mc = os.path.join(tmp, f)
    outs = {t: run(['evtx', 'dump', '--threads', str(t), mc])[1] for t in (1, 2, 4)}
    s.ok(outs[1] == outs[2] == outs[4], f'{f}: output depends on --threads')

# several files in one process (worker memory kept from one scan to the next,
# files of 1 to ~40 chunks, so fewer and more output windows than the last)
seq = ['wide.evtx', 'types.evtx', 'multichunk.evtx', 'wider.evtx', 'types.evtx', 'wide.evtx', 'multichunk.evtx']
for t in (1, 2, 4):
    together = run(['evtx', 'dump', '--threads', str(t)] + [os.path.join(tmp, f) for f in seq])[1]
    alone = b''.join(run(['evtx', 'dump', '--threads', str(t), os.path.join(tmp, f)])[1] for f in seq)
    s.ok(together == alone and len(together) > 0, f'{t} threads: files dumped in one process differ from one by one')

# wide.evtx really overflows the 128 KiB per-chunk output window (the output
# then moves to the heap) in every chunk, wider.evtx passes 1 MiB (the heap
# buffer is then given back after its turn)
for f, least in (('wide', 128 * 1024), ('wider', 1024 * 1024)):
    with open(os.path.join(tmp, f + '.expect.json')) as fh:
        wexp = json.load(fh)
    wlines = run(['evtx', 'dump', os.path.join(tmp, f + '.evtx')])[1].splitlines(keepends=True)
    per_chunk = {}
    for rec, line in zip(wexp['records'], wlines):
        per_chunk[rec['chunk']] = per_chunk.get(rec['chunk'], 0) + len(line)
    full = sorted(per_chunk.values())[1:]       # the last chunk may be short
    s.ok(len(wlines) == len(wexp['records']) and len(per_chunk) >= 3 and min(full) > least,
         f'{f}.evtx: chunk output sizes {sorted(per_chunk.values())}')

s.done()
