#!/usr/bin/env python3
"""Write the IOC test fixtures of tests/data/intel/ from the public facts of
the Lazarus "No Pineapple!" campaign (../shared/docs/CAMPAIGN.md, sections
2-3, 5-6): a STIX 2.1 bundle, a MISP event, a MISP feed folder, a CSV list,
and a bundle of patterns spoor cannot evaluate.  Deterministic output (fixed
ids and timestamps); run it again after editing the facts below.

    python3 tests/gen/make_intel_fixtures.py tests/data/intel
"""
import hashlib, json, os, sys, uuid

NS = uuid.UUID('5b6c1e3a-6f1d-4c0e-9a55-70696e656170')   # fixed namespace: stable ids
REPORT = 'https://labs.withsecure.com/content/dam/labs/docs/WithSecure-Lazarus-No-Pineapple-Threat-Intelligence-Report-2023.pdf'
CREATED = '2023-02-02T00:00:00.000Z'


def sid(kind, name):
    return f'{kind}--{uuid.uuid5(NS, kind + ":" + name)}'


def uid(name):
    return str(uuid.uuid5(NS, 'misp:' + name))


# ---------------------------------------------------------------- the facts
NK_IP = '175.45.176.27'                         # R p.29: the OPSEC failure
CS_C2 = ['104.225.129.103', '104.225.129.86']   # R p.12: Cobalt Strike C2 (.103 also SSH exfil)
ACRES_C2 = '15.207.207.64'                      # R p.12: Acres C2, compromised host
WEBSHELL_CLIENTS = ['209.95.60.92', '23.237.32.34', '146.185.26.150', '154.6.26.2']   # R p.13
WEBSHELL_CIDR = '193.176.211.0/24'              # R p.13: 33 IPs from this range
NK_RANGE = '175.45.176.0/22'                    # STAR-KP, AS131279 (CAMPAIGN.md s.5)
SHA1 = {                                        # R p.22, p.26, p.32
    'b2b36600ce41129fa85a15a7177a61b7cb714000': ('Mimikatz', None),
    '45b35d1176598be7755a6d56ad8009bb03f3c5b1': ('Mimikatz', None),
    'f7564e93c5b4ec2de6f4f88c80c9691dc068206f': ('Mimikatz', None),
    '407b934895741a1d3b197e4e3c3d2e3284ebc76a': ('bind shell', 'mfcbi.dll'),
    '7c40d4ded95f425fa01895f9d4359c9ef250290a': ('GREASE2', 'ord.dll'),
    'cbf1529bf025523532666b0b3d2adbdae657db16': ('Cobalt Strike', None),
    'aa489231455dc2e56e2399edd7c10b5522608a7d': ('Cobalt Strike', None),
    '8b0fb0e478d18a358783429eaed53ca0fe892b37': ('3Proxy', None),
    '8c384b77b7100d6469e5e7b5cfa779dbcbcaa9ab': ('web shell', None),
    '88df19687e6aa8da376e37a8d71421b5b78a2cb4': ('web shell', None),
    '46a934e7b42bfb0a2a9bcecade78f63375192924': ('Acres (QuiteRAT)', 'acres.exe'),
    '47f12a1976552a1319bd58d813f213d7ebdef4fa': ('unlabelled (R p.32)', None),
    '61156df8e4a5eadac8137c1cbd55145eab654726': ('unlabelled (R p.32)', None),
    'af9bc7ef25755982a00aca920ee7ad51f76c5cc2': ('unlabelled (R p.32)', None),
}
CERT_SERIAL = '879fa942f9f097b74fd6f7dabcf1745a'              # LAMERA CORPORATION LIMITED (R p.25)
CERT_SHA1 = '6D0BFFE68BC8992B60DC294EC68DD2B44A5FC6F4'
PIPE = r'\\.\pipe\qt-%IX-%X'                                  # R p.26-27 (Acres, Qt)
MUTEX = 'MTX_Global'                                          # R p.33 (Dtrack YARA strings)
TOOL_NAMES = ['acres.exe', 'stt.exe', 'mfcbi.dll', 'ord.dll', 'msmptray.exe', 'printfs.exe']
WEBSHELLS = ['base.jsp', 'carbon.jsp']
SERVICE_CMD = r'cmd /K start c:\windows\temp\acres.exe'     # service RegistryCheck (R p.7)
ACCOUNT_CMD = r'net user support 1234qWeR@#@# /add'          # R p.8, p.19
RAR_CMD = r'ras.exe a c:\windows\temp\zmc.dat c:\windows\temp\system.save -pwindows'   # R p.16
WDIGEST = r'HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\WDigest'  # inferred value (CAMPAIGN.md 2.7)


def stix_str(s):
    """A STIX pattern string literal."""
    return "'" + s.replace('\\', '\\\\').replace("'", "\\'") + "'"


def stix_bundle():
    o = []
    ident = sid('identity', 'spoor-tests')
    o.append({'type': 'identity', 'spec_version': '2.1', 'id': ident, 'created': CREATED, 'modified': CREATED,
              'name': 'spoor test fixtures', 'identity_class': 'system'})
    laz = sid('intrusion-set', 'Lazarus Group')
    o.append({'type': 'intrusion-set', 'spec_version': '2.1', 'id': laz, 'created': CREATED, 'modified': CREATED,
              'name': 'Lazarus Group', 'aliases': ['Labyrinth Chollima', 'HIDDEN COBRA', 'Diamond Sleet'],
              'external_references': [{'source_name': 'mitre-attack', 'external_id': 'G0032',
                                       'url': 'https://attack.mitre.org/groups/G0032'}]})
    camp = sid('campaign', 'No Pineapple!')
    o.append({'type': 'campaign', 'spec_version': '2.1', 'id': camp, 'created': CREATED, 'modified': CREATED,
              'name': 'No Pineapple!', 'first_seen': '2022-08-22T00:00:00Z',
              'external_references': [{'source_name': 'WithSecure', 'url': REPORT}]})
    mal = {}
    for name, aid in [('Dtrack', 'S0567'), ('Cobalt Strike', 'S0154'), ('Mimikatz', 'S0002'),
                      ('QuiteRAT', None), ('GREASE', None), ('3Proxy', None)]:
        m = {'type': 'malware' if name not in ('Mimikatz', '3Proxy') else 'tool', 'spec_version': '2.1',
             'created': CREATED, 'modified': CREATED, 'name': name}
        if m['type'] == 'malware':
            m['is_family'] = True
        m['id'] = sid(m['type'], name)
        if aid:
            m['external_references'] = [{'source_name': 'mitre-attack', 'external_id': aid}]
        mal[name] = m['id']
        o.append(m)
    rels = []

    def rel(src, rt, dst):
        rels.append({'type': 'relationship', 'spec_version': '2.1', 'id': sid('relationship', f'{src}|{rt}|{dst}'),
                     'created': CREATED, 'modified': CREATED, 'relationship_type': rt,
                     'source_ref': src, 'target_ref': dst})

    rel(camp, 'attributed-to', laz)
    rel(laz, 'uses', mal['Dtrack'])

    def indicator(name, pattern, targets, conf=None, types=('malicious-activity',), desc=None, ptype='stix'):
        i = {'type': 'indicator', 'spec_version': '2.1', 'id': sid('indicator', name), 'created': CREATED,
             'modified': CREATED, 'name': name, 'indicator_types': list(types), 'pattern': pattern,
             'pattern_type': ptype, 'valid_from': '2022-08-22T00:00:00Z', 'created_by_ref': ident}
        if conf is not None:
            i['confidence'] = conf
        if desc:
            i['description'] = desc
        o.append(i)
        for t in targets:
            rel(i['id'], 'indicates', t)
        return i['id']

    indicator('North Korean IP that reached the web shell', f"[ipv4-addr:value = '{NK_IP}']", [camp], 85,
              desc='One of fewer than 1,000 DPRK addresses; single connection to the web shell (R p.29)')
    indicator('Cobalt Strike C2', f"[ipv4-addr:value IN ('{CS_C2[0]}', '{CS_C2[1]}')]", [mal['Cobalt Strike'], camp], 80)
    indicator('Acres C2', f"[ipv4-addr:value = '{ACRES_C2}']", [mal['QuiteRAT'], camp], 80,
              desc='Compromised host, also held a WSO web shell (R p.12)')
    indicator('Web shell clients',
              ' OR '.join(f"ipv4-addr:value = '{ip}'" for ip in WEBSHELL_CLIENTS).join('[]'), [camp], 60)
    indicator('Web shell client range', f"[ipv4-addr:value ISSUBSET '{WEBSHELL_CIDR}']", [camp], 50)
    indicator('DPRK address space (STAR-KP, AS131279)', f"[ipv4-addr:value ISSUBSET '{NK_RANGE}']", [], 40,
              types=('attribution',))
    by_label = {}
    for h, (label, _) in SHA1.items():
        by_label.setdefault(label, []).append(h)
    targets = {'Mimikatz': [mal['Mimikatz']], 'GREASE2': [mal['GREASE']], 'Cobalt Strike': [mal['Cobalt Strike']],
               '3Proxy': [mal['3Proxy']], 'Acres (QuiteRAT)': [mal['QuiteRAT']]}
    for label, hs in by_label.items():
        pat = ' OR '.join(f"file:hashes.'SHA-1' = '{h}'" for h in hs).join('[]')
        indicator(f'{label} SHA1', pat, targets.get(label, []) + [camp], 75)
    indicator('Actor tool file names', '[file:name IN (' + ', '.join(stix_str(n) for n in TOOL_NAMES) + ')]', [camp], 50)
    indicator('Zimbra web shells', '[file:name IN (' + ', '.join(stix_str(n) for n in WEBSHELLS) + ')]', [camp], 40)
    indicator('WDigest credential caching (inferred)', f'[windows-registry-key:key = {stix_str(WDIGEST)}]', [camp], 30)
    indicator('Dtrack mutex', f"[mutex:name = '{MUTEX}']", [mal['Dtrack']], 60)
    # evaluated patterns (not plain equalities)
    indicator('RegistryCheck service runs Acres', f'[process:command_line LIKE {stix_str("%" + SERVICE_CMD + "%")}]',
              [mal['QuiteRAT'], camp], 80)
    indicator('support account created', f'[process:command_line MATCHES {stix_str("net +user +support +1234qWeR@#@# +/add")}]',
              [camp], 80)
    indicator('WinRAR with the password windows',
              f'[process:command_line LIKE {stix_str("%ras.exe a %-pwindows%")} AND file:name = \'ras.exe\']', [camp], 70)
    indicator('DPRK connection then account creation',
              f"([ipv4-addr:value ISSUBSET '{NK_RANGE}'] FOLLOWEDBY "
              f'[process:command_line LIKE {stix_str("%net user support%")}]) WITHIN 2592000 SECONDS', [camp], 50)
    indicator('Web shells dropped in order', "[file:name = 'base.jsp'] FOLLOWEDBY [file:name = 'carbon.jsp']", [camp], 50)
    # not evaluable by spoor: reported, not dropped
    indicator('LAMERA code-signing certificate', f"[x509-certificate:serial_number = '{CERT_SERIAL}']", [camp], 70)
    indicator('No Pineapple! string (YARA)', 'rule no_pineapple { strings: $a = "< No Pineapple! >" condition: $a }',
              [mal['QuiteRAT']], 70, ptype='yara')
    # observed-data: the two web shells, on the days the timeline gives (R p.6)
    for name, day in [('base.jsp', '2022-08-22'), ('carbon.jsp', '2022-08-24')]:
        f = {'type': 'file', 'spec_version': '2.1', 'id': sid('file', name), 'name': name}
        o.append(f)
        o.append({'type': 'observed-data', 'spec_version': '2.1', 'id': sid('observed-data', name),
                  'created': CREATED, 'modified': CREATED, 'first_observed': f'{day}T00:00:00Z',
                  'last_observed': f'{day}T23:59:59Z', 'number_observed': 1, 'object_refs': [f['id']]})
    return {'type': 'bundle', 'id': sid('bundle', 'no-pineapple'), 'objects': o + rels}


def misp_event(name='no-pineapple', with_objects=True):
    attrs = []

    def a(t, v, to_ids=True, comment='', cat='Network activity', tags=None, galaxy=None):
        x = {'uuid': uid(f'{name}:{t}:{v}'), 'type': t, 'category': cat, 'value': v, 'to_ids': to_ids,
             'comment': comment, 'deleted': False}
        if tags:
            x['Tag'] = [{'name': n} for n in tags]
        if galaxy:
            x['Galaxy'] = galaxy
        attrs.append(x)

    a('ip-src', NK_IP, comment='DPRK address that reached the web shell (R p.29)')
    for ip in CS_C2:
        a('ip-dst', ip, comment='Cobalt Strike C2 (R p.12)')
    a('ip-dst|port', f'{CS_C2[0]}|22', comment='SSH/SCP exfiltration with pscp (R p.14)')
    a('ip-dst', ACRES_C2, comment='Acres C2, compromised host (R p.12)',
      tags=['misp-galaxy:malpedia="QuiteRAT"'])
    for ip in WEBSHELL_CLIENTS:
        a('ip-src', ip, comment='web-shell client (R p.13)')
    a('ip-src', WEBSHELL_CIDR, comment='33 web-shell client addresses in this range (R p.13)')
    for h, (label, fname) in SHA1.items():
        if fname:
            a('filename|sha1', f'{fname}|{h}', cat='Payload delivery', comment=label)
        else:
            a('sha1', h, cat='Payload delivery', comment=label)
    a('named pipe', PIPE, cat='Artifacts dropped', comment='Qt named pipe of Acres (R p.26-27)')
    a('mutex', MUTEX, cat='Artifacts dropped', comment='Dtrack variant (R p.33)',
      galaxy=[{'type': 'mitre-malware', 'name': 'Malware',
               'GalaxyCluster': [{'value': 'Dtrack - S0567', 'tag_name': 'misp-galaxy:mitre-malware="Dtrack - S0567"',
                                  'meta': {'external_id': ['S0567']}}]}])
    for w in WEBSHELLS:
        a('filename', w, to_ids=False, cat='Artifacts dropped', comment='JSP web shell in a Zimbra folder (R p.22)')
    a('regkey', WDIGEST.replace('HKEY_LOCAL_MACHINE', 'HKLM'), to_ids=False, cat='Persistence mechanism',
      comment='inferred: WDigest UseLogonCredential (CAMPAIGN.md 2.7)')
    a('text', '< No Pineapple! >', to_ids=False, cat='Other', comment='string of the Acres backdoor')
    a('link', REPORT, to_ids=False, cat='External analysis')
    a('x509-fingerprint-sha1', CERT_SHA1.lower(), cat='Payload delivery', comment='LAMERA CORPORATION LIMITED')
    ev = {'uuid': uid(name), 'info': 'No Pineapple! DPRK targeting of medical research and technology (WithSecure 2023)',
          'date': '2023-02-02', 'threat_level_id': '1', 'analysis': '2', 'published': True,
          'Orgc': {'name': 'spoor tests'},
          'Tag': [{'name': 'tlp:clear'}, {'name': 'misp-galaxy:threat-actor="Lazarus Group"'},
                  {'name': 'misp-galaxy:mitre-intrusion-set="Lazarus Group - G0032"'},
                  {'name': 'estimative-language:confidence-in-analytic-judgment="moderate"'}],
          'Galaxy': [{'type': 'threat-actor', 'name': 'Threat Actor',
                      'GalaxyCluster': [{'value': 'Lazarus Group', 'tag_name': 'misp-galaxy:threat-actor="Lazarus Group"',
                                         'meta': {'synonyms': ['HIDDEN COBRA', 'Labyrinth Chollima']}}]}],
          'Attribute': attrs}
    if with_objects:
        ev['Object'] = [{'name': 'file', 'meta-category': 'file', 'uuid': uid('object:stt'),
                         'Attribute': [{'uuid': uid('object:stt:filename'), 'type': 'filename',
                                        'object_relation': 'filename', 'category': 'Payload installation',
                                        'value': r'c:\windows\temp\stt.exe', 'to_ids': True,
                                        'comment': 'Dtrack variant (R p.25)',
                                        'Tag': [{'name': 'misp-galaxy:mitre-malware="Dtrack - S0567"'}]}]}]
    return {'Event': ev}


def csv_list():
    lines = ['# No Pineapple! (WithSecure 2023) - network and file indicators, defanged as published',
             'value,type,actor,comment',
             f'{NK_IP.replace(".", "[.]", 1)},ip,Lazarus Group (G0032),DPRK web-shell client (R p.29)',
             f'{CS_C2[0]},,Lazarus Group (G0032),Cobalt Strike C2',
             f'"{CS_C2[1]}",ipv4,"Lazarus Group - G0032","Cobalt Strike C2, beacon"',
             f'{ACRES_C2},ip-dst,Lazarus Group,Acres C2',
             f'{WEBSHELL_CIDR},cidr,,web-shell clients',
             '',
             '# hashes',
             '46a934e7b42bfb0a2a9bcecade78f63375192924,sha1,Lazarus Group,acres.exe',
             '7c40d4ded95f425fa01895f9d4359c9ef250290a,,Lazarus Group,GREASE2 ord.dll',
             'acres.exe|46a934e7b42bfb0a2a9bcecade78f63375192924,filename|sha1,,composite',
             r'C:\Windows\Temp\stt.exe,,Lazarus Group,Dtrack variant',
             PIPE + ',pipe,Lazarus Group,Qt pipe',
             MUTEX + ',mutex,,Dtrack mutex',
             'hxxp://' + ACRES_C2.replace('.', '[.]') + '/,url,,defanged URL form of the C2',
             '# lines below are refused, each with a reason',
             'zzzz-not-a-hash,md5,,bad value for its type',
             '1.2.3.4,weird-type,,unknown type',
             'just some words,,,type not recognised']
    return '\n'.join(lines) + '\n'


def unsupported_bundle():
    o = []

    def ind(name, pattern, ptype='stix'):
        o.append({'type': 'indicator', 'spec_version': '2.1', 'id': sid('indicator', 'bad:' + name), 'created': CREATED,
                  'modified': CREATED, 'name': name, 'pattern': pattern, 'pattern_type': ptype,
                  'valid_from': CREATED})

    ind('syntax error', "[ipv4-addr:value = '1.2.3.4'")
    ind('bad regex', "[process:command_line MATCHES '(unclosed']")
    ind('subset of a non-CIDR', "[ipv4-addr:value ISSUBSET 'not-a-cidr']")
    ind('unobserved path', "[email-message:subject = 'invoice']")
    ind('sigma pattern', 'title: x', ptype='sigma')
    ind('ok one', "[domain-name:value = 'example.invalid']")
    return {'type': 'bundle', 'id': sid('bundle', 'unsupported'), 'objects': o}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else 'tests/data/intel'
    os.makedirs(os.path.join(out, 'feed'), exist_ok=True)

    def dump(name, obj):
        with open(os.path.join(out, name), 'w') as f:
            json.dump(obj, f, indent=1, ensure_ascii=False)
            f.write('\n')

    dump('no_pineapple.stix.json', stix_bundle())
    dump('no_pineapple.misp.json', misp_event())
    dump('unsupported.stix.json', unsupported_bundle())
    with open(os.path.join(out, 'no_pineapple.csv'), 'w') as f:
        f.write(csv_list())
    # a MISP feed: manifest + one event file + hashes.csv; the manifest also
    # lists an event whose file is missing
    ev = misp_event('feed', with_objects=False)
    ev['Event']['Attribute'] = ev['Event']['Attribute'][:3]
    eid = ev['Event']['uuid']
    missing = uid('feed:missing')
    dump(os.path.join('feed', f'{eid}.json'), ev)
    dump(os.path.join('feed', 'manifest.json'),
         {eid: {'info': ev['Event']['info'], 'Orgc': {'name': 'spoor tests'}, 'date': '2023-02-02',
                'timestamp': '1675296000', 'threat_level_id': 1, 'analysis': 2, 'Tag': []},
          missing: {'info': 'listed but absent', 'Orgc': {'name': 'spoor tests'}, 'date': '2023-02-02',
                    'timestamp': '1675296000', 'threat_level_id': 1, 'analysis': 2, 'Tag': []}})
    with open(os.path.join(out, 'feed', 'hashes.csv'), 'w') as f:
        f.write(f'{hashlib.md5(NK_IP.encode()).hexdigest()},{eid}\n')   # MISP: md5(value),event


if __name__ == '__main__':
    main()
