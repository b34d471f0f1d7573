"""spoor intel stats on the shipped knowledge base (intel/attack + intel/profiles)
and on the shared ATT&CK v18.1 bundle, with the counts checked by an independent
Python reading of both files.  The bundle part skips loudly when
../shared/datasets is absent; the shipped-file part always runs."""
import gzip, json, os, subprocess, sys, tempfile
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
from common import ROOT, SPOOR, Suite, datasets, run

S = Suite('intel_kb')
KB = os.path.join(ROOT, 'intel', 'attack', 'enterprise-attack.kb.gz')
SANITIZED = 'asan' in SPOOR or 'fuzz' in SPOOR


def stats(*args, env=None):
    p = subprocess.run([SPOOR, 'intel', 'stats', '--json', *args], capture_output=True, timeout=120,
                       env=env)
    try:
        return p.returncode, json.loads(p.stdout), p.stderr.decode()
    except ValueError:
        return p.returncode, None, p.stderr.decode()


def counts(j):
    """the facts of a stats object (not where or how fast it was loaded)"""
    d = {k: v for k, v in j.items() if k not in ('attack', 'profiles')}
    d['version'] = j['attack']['version']
    return d


def kb_file_counts(path):
    """independent reading of spoor's KB file"""
    flags, kinds, rel = {}, {}, Counter()
    for line in gzip.open(path, 'rt', encoding='utf-8'):
        f = line.rstrip('\n').split('\t')
        if f[0] in ('A', 'T', 'G', 'C'):
            flags[f[1]] = f[4] if f[0] == 'A' else f[3]
            kinds[f[1]] = f[0]
        elif f[0] == 'S':
            flags[f[1]], kinds[f[1]] = f[4], 'S'
        elif f[0] == 'R':
            rel[(f[1], kinds[f[2]], kinds[f[3]])] += 1
    active = Counter(kinds[i] for i, fl in flags.items() if 'r' not in fl and 'd' not in fl)
    return active, rel


def bundle_counts(path):
    """independent reading of the STIX bundle"""
    objs = json.load(open(path, encoding='utf-8'))['objects']
    byid = {o['id']: o for o in objs}
    live = lambda o: not o.get('revoked') and not o.get('x_mitre_deprecated')
    n = Counter(o['type'] for o in objs if live(o))
    rel = Counter()
    for o in objs:
        if o['type'] == 'relationship' and live(o):
            s, t = byid.get(o['source_ref']), byid.get(o['target_ref'])
            if s and t:
                rel[(o['relationship_type'], s['type'], t['type'])] += 1
    return n, rel


# --- CLI behaviour
rc, _, _ = run(['intel'])
S.ok(rc == 2, f'spoor intel without a subcommand: exit 2 (got {rc})')
rc, out, _ = run(['intel', '--help'])
S.ok(rc == 0 and b'stats' in out, 'spoor intel --help')
rc, out, _ = run(['intel', 'stats', '--help'])
S.ok(rc == 0 and b'--attack FILE' in out and b'--no-profiles' in out, 'spoor intel stats --help')
rc, _, _ = run(['intel', 'nonsense'])
S.ok(rc == 2, f'unknown subcommand: exit 2 (got {rc})')
rc, _, _ = run(['intel', 'stats', '--bogus'])
S.ok(rc == 2, f'unknown option: exit 2 (got {rc})')
rc, _, _ = run(['intel', 'stats', '--attack'])
S.ok(rc == 2, f'--attack without a value: exit 2 (got {rc})')
rc, _, err = run(['intel', 'stats', '--attack', '/nonexistent/enterprise-attack.json'])
S.ok(rc == 3 and 'cannot open' in err, f'missing --attack file: exit 3 with a reason (got {rc}: {err.strip()})')
with tempfile.TemporaryDirectory() as d:
    rc, _, err = stats(env=dict(os.environ, SPOOR_INTEL=d))
    S.ok(rc == 3, f'empty intel folder: exit 3, nothing loaded (got {rc})')
    # a broken profile is reported by file and reason, the good ones load
    os.mkdir(os.path.join(d, 'p'))
    open(os.path.join(d, 'p', 'broken.yml'), 'w').write('id: G0032\nname: x\n')
    rc, j, err = stats('--profiles', os.path.join(d, 'p'))
    S.ok(rc == 0 and j and j['profiles']['rejected'] == 1 and j['profiles']['loaded'] == 0,
         f'broken profile rejected, not fatal (rc {rc})')
    S.ok('broken.yml' in err and 'references: missing' in err, f'rejection names the file and the reason: {err.strip()}')

# --- the shipped knowledge base
rc, ship, err = stats()
S.ok(rc == 0 and ship is not None, f'spoor intel stats on the shipped KB (rc {rc}: {err.strip()})')
if ship:
    a = ship['attack']
    print(f"shipped KB: ATT&CK {a['version']} ({a['format']}), loaded in {a['load_ms']} ms; "
          f"{ship['profiles']['loaded']} profiles in {ship['profiles']['load_ms']} ms")
    S.ok(a['format'] == 'kb' and a['version'] == '18.1', f"shipped KB is ATT&CK 18.1 in spoor's format ({a})")
    S.ok('The MITRE Corporation' in a['notice'], 'the MITRE notice travels with the data')
    S.ok(ship['groups'] == 172, f"172 active groups (got {ship['groups']})")
    S.ok(ship['campaigns'] == 52, f"52 campaigns (got {ship['campaigns']})")
    S.ok(ship['campaign_attributions'] == 25, f"25 attributed-to (got {ship['campaign_attributions']})")
    u = ship['relationships']['uses']
    S.ok(4300 <= u['group_technique'] <= 4500, f"~4,400 group->technique uses (got {u['group_technique']})")
    S.ok(1050 <= u['group_software'] <= 1150, f"~1,100 group->software uses (got {u['group_software']})")
    S.ok(ship['tactics'] == 14, f"14 tactics (got {ship['tactics']})")
    S.ok(ship['profiles']['loaded'] >= 25 and ship['profiles']['rejected'] == 0,
         f"every shipped profile loads ({ship['profiles']['loaded']} loaded, {ship['profiles']['rejections']})")
    S.ok(ship['groups_profile_only'] >= 1, 'BianLian and other groups ATT&CK lacks are added by profiles')
    if not SANITIZED:
        S.ok(a['load_ms'] < 200, f"shipped KB loads in < 200 ms (took {a['load_ms']} ms)")
    # independent reading of the same file
    active, rel = kb_file_counts(KB)
    S.ok(active['G'] == ship['groups'] and active['C'] == ship['campaigns'] and active['S'] == ship['software'],
         f'Python reading of the KB file agrees on groups/campaigns/software ({active})')
    S.ok(rel[('uses', 'G', 'T')] == u['group_technique'] and rel[('uses', 'G', 'S')] == u['group_software'] and
         rel[('attributed-to', 'C', 'G')] == ship['campaign_attributions'] and
         rel[('uses', 'S', 'T')] == u['software_technique'] and
         rel[('subtechnique-of', 'T', 'T')] == ship['relationships']['subtechnique-of'],
         'Python reading of the KB file agrees on relationship counts')
rc, nop, _ = stats('--no-profiles')
S.ok(rc == 0 and nop and nop['profiles']['loaded'] == 0 and nop['groups_profile_only'] == 0, '--no-profiles leaves them out')
rc, out, _ = run(['intel', 'stats'])
S.ok(rc == 0 and b'172 active' in out and b'25 attributions' in out, 'text output')

# --- the shared bundle
ds = datasets()
bundle = os.path.join(ds, 'attack', 'enterprise-attack.json') if ds else None
if not bundle or not os.path.exists(bundle):
    S.skip(f'../shared/datasets/attack/enterprise-attack.json absent: bundle counts and KB regeneration not checked')
else:
    rc, full, err = stats('--attack', bundle)
    S.ok(rc == 0 and full is not None, f'spoor intel stats --attack enterprise-attack.json (rc {rc}: {err.strip()})')
    if full:
        print(f"bundle: ATT&CK {full['attack']['version']} ({full['attack']['format']}), loaded in {full['attack']['load_ms']} ms")
        n, rel = bundle_counts(bundle)
        S.ok(full['attack']['format'] == 'stix-2.0' and full['attack']['version'] == '18.1', f"bundle read as STIX 2.0, v18.1 ({full['attack']})")
        S.ok(full['groups'] == n['intrusion-set'] == 172, f"groups: spoor {full['groups']}, Python {n['intrusion-set']}, README 172")
        S.ok(full['campaigns'] == n['campaign'] == 52, f"campaigns: spoor {full['campaigns']}, Python {n['campaign']}, README 52")
        att = rel[('attributed-to', 'campaign', 'intrusion-set')]
        S.ok(full['campaign_attributions'] == att == 25, f"attributed-to: spoor {full['campaign_attributions']}, Python {att}, README 25")
        gt = rel[('uses', 'intrusion-set', 'attack-pattern')]
        gs = rel[('uses', 'intrusion-set', 'malware')] + rel[('uses', 'intrusion-set', 'tool')]
        fu = full['relationships']['uses']
        S.ok(fu['group_technique'] == gt, f"group->technique: spoor {fu['group_technique']}, Python {gt}")
        S.ok(fu['group_software'] == gs, f"group->software: spoor {fu['group_software']}, Python {gs}")
        st = rel[('uses', 'malware', 'attack-pattern')] + rel[('uses', 'tool', 'attack-pattern')]
        S.ok(fu['software_technique'] == st, f"software->technique: spoor {fu['software_technique']}, Python {st}")
        S.ok(full['software'] == n['malware'] + n['tool'], f"software: spoor {full['software']}, Python {n['malware'] + n['tool']}")
        S.ok(full['techniques'] + full['subtechniques'] == n['attack-pattern'],
             f"techniques: spoor {full['techniques']}+{full['subtechniques']}, Python {n['attack-pattern']}")
        S.ok(full['tactics'] == n['x-mitre-tactic'], 'tactics')
        if ship:
            S.ok(counts(full) == counts(ship), 'the shipped KB and the bundle give the same counts')
            same = full['profiles']['loaded'] == ship['profiles']['loaded'] and full['profiles']['rejected'] == 0
            S.ok(same, 'the profiles load the same against the bundle')
    # the shipped file is what the generator makes of the bundle (up to date, reproducible)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, 'kb.gz')
        p = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'gen_attack_kb.py'), bundle, '-o', out],
                           capture_output=True, timeout=120)
        S.ok(p.returncode == 0, f'gen_attack_kb.py runs ({p.stderr.decode().strip()})')
        if p.returncode == 0:
            S.ok(gzip.open(out).read() == gzip.open(KB).read(), 'intel/attack/enterprise-attack.kb.gz is what gen_attack_kb.py makes of the bundle')
            S.ok(open(out, 'rb').read() == open(KB, 'rb').read(), 'the generator output is byte-for-byte reproducible')

S.done()
