#!/usr/bin/env python3
"""Synthetic intrusions for attribution tests, as `spoor attribute --evidence`
files (docs/attribution.md).  Deterministic: fixed content and a fixed seed.

  python3 tests/gen/make_scenarios.py OUTDIR [--kb intel/attack/enterprise-attack.kb.gz]

Writes
  nopineapple.json   the No Pineapple! intrusion (docs/CAMPAIGN.md): its techniques,
                     Dtrack and GREASE2, the KP web-shell client 175.45.176.27
                     (AS131279), bare-IP C2, operators working UTC+9
  bianlian.json      a ransomware-only intrusion like BianLian's (CISA AA23-136A):
                     ransomware and exfiltration techniques, a Go backdoor, RMM
                     tools, no DPRK infrastructure
  group_<ID>.json    for several groups: ~60% of the group's ATT&CK techniques
                     (sampled with a fixed seed) and one of its software
  truth.json         what each file should be attributed to
"""
import gzip, json, os, random, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

NOPINEAPPLE = {
    "techniques": [
        "T1190", "T1505.003", "T1059.001", "T1059.003", "T1047", "T1106", "T1053.005", "T1543.003",
        "T1136.001", "T1098.007", "T1078", "T1068", "T1210", "T1070.004", "T1070.001", "T1036.005",
        "T1553.002", "T1562.004", "T1112", "T1003.001", "T1003.002", "T1556", "T1016", "T1018",
        "T1087.002", "T1069.002", "T1083", "T1135", "T1049", "T1057", "T1082", "T1033", "T1654",
        "T1021.001", "T1021.002", "T1570", "T1114.002", "T1560.001", "T1074.001", "T1119", "T1005",
        "T1071.001", "T1090.002", "T1572", "T1048.002", "T1041", "T1587.002"],
    "software": ["S0567", "S0357", "S0002"],            # Dtrack, Impacket, Mimikatz
    "malware": ["GREASE2", "Dtrack", "3Proxy", "Plink"],
    "ips": [
        {"ip": "175.45.176.27", "country": "KP", "asn": 131279, "role": "web_shell_client"},
        {"ip": "209.95.60.92", "country": "HK", "role": "web_shell_client"},
        {"ip": "23.237.32.34", "country": "US", "role": "web_shell_client"},
    ],
    "bare_ip_c2": True,
    "hours": {"utc_offset_min": 540, "confidence": "moderate", "events": 40},
    "victim_sector": "medical research",
    "victim_country": "IN",
}

BIANLIAN = {
    "techniques": [
        "T1133", "T1078", "T1021.001", "T1059.001", "T1059.003", "T1562.001", "T1136.001", "T1219",
        "T1046", "T1135", "T1018", "T1087.002", "T1003.001", "T1112", "T1490", "T1486", "T1567.002",
        "T1048", "T1105", "T1070.004", "T1027"],
    "software": [],
    "malware": ["BianLian backdoor"],                  # the Go backdoor, as a YARA rule would name it
    "ips": [
        {"ip": "104.225.129.86", "country": "US", "asn": 8100, "role": "c2"},
        {"ip": "185.220.101.4", "country": "DE", "role": "rdp_client"},
    ],
    "victim_sector": "healthcare",
    "victim_country": "US",
}

GROUPS = ["G0007", "G0016", "G0034", "G0046", "G0049", "G0059", "G0096", "G0010", "G0094", "G0129", "G0032", "G0050"]


def read_kb(path):
    groups, uses = {}, {}
    with gzip.open(path, 'rt', encoding='utf-8') as f:
        for line in f:
            if line.startswith('#'):
                continue
            p = line.rstrip('\n').split('\t')
            if p[0] == 'G':
                groups[p[1]] = p[2]
            elif p[0] == 'R' and p[1] == 'uses' and p[2].startswith('G'):
                uses.setdefault(p[2], []).append(p[3])
    return groups, uses


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    kb = os.path.join(ROOT, 'intel', 'attack', 'enterprise-attack.kb.gz')
    if '--kb' in sys.argv:
        kb = sys.argv[sys.argv.index('--kb') + 1]
    os.makedirs(out, exist_ok=True)
    truth = {"nopineapple.json": {"cluster": "dprk", "group": "G0032"},
             "bianlian.json": {"not_cluster": "dprk", "group": "spoor-bianlian"}}
    for name, ev in (("nopineapple.json", NOPINEAPPLE), ("bianlian.json", BIANLIAN)):
        with open(os.path.join(out, name), 'w') as f:
            json.dump(ev, f, indent=1)
    groups, uses = read_kb(kb)
    rng = random.Random(20230202)
    for g in GROUPS:
        items = sorted(set(uses.get(g, [])))
        tech = [t for t in items if t.startswith('T')]
        sw = [s for s in items if s.startswith('S')]
        k = max(1, round(0.6 * len(tech)))
        ev = {"techniques": sorted(rng.sample(tech, k)), "software": [rng.choice(sw)] if sw else []}
        fn = f"group_{g}.json"
        with open(os.path.join(out, fn), 'w') as f:
            json.dump(ev, f, indent=1)
        truth[fn] = {"group": g, "name": groups.get(g, "")}
    with open(os.path.join(out, 'truth.json'), 'w') as f:
        json.dump(truth, f, indent=1, sort_keys=True)


if __name__ == '__main__':
    main()
