/* kb_util.h — a tiny ATT&CK data set for the knowledge-base tests, as a
 * STIX 2.0 bundle, a STIX 2.1 bundle and spoor's KB file: the same facts in
 * all three forms (revoked and deprecated objects and relationships, a
 * sub-technique, aliases, a campaign attribution, cited reports). */
#ifndef KB_UTIL_H
#define KB_UTIL_H

#define KB_REF(id) "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"" id "\",\"url\":\"https://attack.mitre.org/x\"}]"

#define KB_OBJECTS \
    "{\"type\":\"x-mitre-tactic\",\"id\":\"x-mitre-tactic--1\",\"name\":\"Execution\",\"x_mitre_shortname\":\"execution\"," KB_REF("TA0002") "}," \
    "{\"type\":\"x-mitre-tactic\",\"id\":\"x-mitre-tactic--2\",\"name\":\"Persistence\",\"x_mitre_shortname\":\"persistence\"," KB_REF("TA0003") "}," \
    "{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--1\",\"name\":\"Command and Scripting Interpreter\"," \
      "\"kill_chain_phases\":[{\"kill_chain_name\":\"mitre-attack\",\"phase_name\":\"execution\"}]," KB_REF("T1059") "}," \
    "{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--2\",\"name\":\"PowerShell\",\"x_mitre_is_subtechnique\":true," \
      "\"kill_chain_phases\":[{\"kill_chain_name\":\"mitre-attack\",\"phase_name\":\"execution\"}]," KB_REF("T1059.001") "}," \
    "{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--3\",\"name\":\"Server Software Component\"," \
      "\"kill_chain_phases\":[{\"kill_chain_name\":\"mitre-attack\",\"phase_name\":\"persistence\"}," \
      "{\"kill_chain_name\":\"other-chain\",\"phase_name\":\"ignored\"}]," KB_REF("T1505") "}," \
    "{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--4\",\"name\":\"Old Technique\",\"revoked\":true," KB_REF("T1000") "}," \
    "{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--5\",\"name\":\"Deprecated Technique\",\"x_mitre_deprecated\":true," KB_REF("T1001") "}," \
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--1\",\"name\":\"Lazarus Group\",\"aliases\":[\"Lazarus Group\",\"HIDDEN COBRA\",\"Diamond Sleet\"]," KB_REF("G0032") "}," \
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--2\",\"name\":\"Stolen Pencil\",\"revoked\":true," KB_REF("G0086") "}," \
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--3\",\"name\":\"Kimsuky\",\"aliases\":[\"Kimsuky\",\"Velvet Chollima\"]," KB_REF("G0094") "}," \
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--4\",\"name\":\"Old Group\",\"x_mitre_deprecated\":true," KB_REF("G0999") "}," \
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--5\",\"name\":\"No ATT&CK ID\"}," \
    "{\"type\":\"malware\",\"id\":\"malware--1\",\"name\":\"Dtrack\",\"x_mitre_aliases\":[\"Dtrack\",\"Preft\"]," KB_REF("S0567") "}," \
    "{\"type\":\"tool\",\"id\":\"tool--1\",\"name\":\"Mimikatz\"," KB_REF("S0002") "}," \
    "{\"type\":\"campaign\",\"id\":\"campaign--1\",\"name\":\"Operation Dream Job\",\"aliases\":[\"Operation Dream Job\",\"Operation North Star\"]," \
      "\"first_seen\":\"2019-09-01T04:00:00.000Z\",\"last_seen\":\"2020-08-01T04:00:00.000Z\"," KB_REF("C0022") "}," \
    "{\"type\":\"course-of-action\",\"id\":\"course-of-action--1\",\"name\":\"Mitigation\"," KB_REF("M1000") "}," \
    KB_REL("1", "uses", "intrusion-set--1", "attack-pattern--2", KB_REPS2) "," \
    KB_REL("2", "uses", "intrusion-set--1", "attack-pattern--3", KB_REPA) "," \
    KB_REL("3", "uses", "intrusion-set--1", "malware--1", "[{\"source_name\":\"Report C\"}]") "," \
    KB_REL("4", "uses", "intrusion-set--3", "attack-pattern--2", "[{\"source_name\":\"Report B\",\"url\":\"https://b.example/2\"}]") "," \
    KB_REL("5", "uses", "malware--1", "attack-pattern--1", "[]") "," \
    KB_REL("6", "uses", "campaign--1", "attack-pattern--3", KB_REPA) "," \
    KB_REL("7", "uses", "campaign--1", "tool--1", "[]") "," \
    KB_REL("8", "attributed-to", "campaign--1", "intrusion-set--1", "[]") "," \
    KB_REL("9", "subtechnique-of", "attack-pattern--2", "attack-pattern--1", "[]") "," \
    KB_REL("10", "revoked-by", "attack-pattern--4", "attack-pattern--1", "[]") "," \
    KB_REL("11", "revoked-by", "intrusion-set--2", "intrusion-set--3", "[]") "," \
    "{\"type\":\"relationship\",\"id\":\"relationship--12\",\"relationship_type\":\"uses\",\"revoked\":true," \
      "\"source_ref\":\"intrusion-set--1\",\"target_ref\":\"attack-pattern--1\"}," \
    "{\"type\":\"relationship\",\"id\":\"relationship--13\",\"relationship_type\":\"uses\",\"x_mitre_deprecated\":true," \
      "\"source_ref\":\"intrusion-set--3\",\"target_ref\":\"tool--1\"}," \
    KB_REL("14", "mitigates", "course-of-action--1", "attack-pattern--1", "[]") "," \
    KB_REL("15", "uses", "intrusion-set--1", "attack-pattern--404", "[]") "," \
    KB_REL("16", "uses", "intrusion-set--5", "attack-pattern--1", "[]")

#define KB_REL(n, type, src, dst, refs) \
    "{\"type\":\"relationship\",\"id\":\"relationship--" n "\",\"relationship_type\":\"" type "\"," \
    "\"source_ref\":\"" src "\",\"target_ref\":\"" dst "\",\"external_references\":" refs "}"
#define KB_REPA "[{\"source_name\":\"Report A\",\"url\":\"https://a.example/1\",\"description\":\"A. (2020).\"}]"
#define KB_REPS2 "[{\"source_name\":\"Report A\",\"url\":\"https://a.example/1\"},{\"source_name\":\"Report B\",\"url\":\"https://b.example/2\"}," \
    "{\"source_name\":\"mitre-attack\",\"url\":\"https://attack.mitre.org/not-a-report\"}]"

static const char kb_bundle20[] =
    "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"spec_version\":\"2.0\",\"objects\":[" KB_OBJECTS "]}";
static const char kb_bundle21[] =
    "{\"type\":\"bundle\",\"id\":\"bundle--2\",\"objects\":["
    "{\"type\":\"x-mitre-collection\",\"id\":\"x-mitre-collection--1\",\"spec_version\":\"2.1\",\"name\":\"Enterprise ATT&CK\",\"x_mitre_version\":\"99.1\"},"
    "{\"type\":\"marking-definition\",\"id\":\"marking-definition--1\",\"spec_version\":\"2.1\",\"definition\":{\"statement\":\"Copyright test\"}},"
    KB_OBJECTS "]}";

/* the same facts as spoor's KB file (what scripts/gen_attack_kb.py writes) */
static const char kb_file[] =
    "# comment\n"
    "spoor-attack-kb\t1\n"
    "version\t99.1\n"
    "notice\tCopyright test\n"
    "A\tTA0002\texecution\tExecution\t-\n"
    "A\tTA0003\tpersistence\tPersistence\t-\n"
    "T\tT1000\tOld Technique\tr\t\n"
    "T\tT1001\tDeprecated Technique\td\t\n"
    "T\tT1059\tCommand and Scripting Interpreter\t-\texecution\n"
    "T\tT1059.001\tPowerShell\ts\texecution\n"
    "T\tT1505\tServer Software Component\t-\tpersistence\n"
    "G\tG0032\tLazarus Group\t-\tHIDDEN COBRA|Diamond Sleet\n"
    "G\tG0086\tStolen Pencil\tr\t\n"
    "G\tG0094\tKimsuky\t-\tVelvet Chollima\n"
    "G\tG0999\tOld Group\td\t\n"
    "S\tS0002\tMimikatz\ttool\t-\t\n"
    "S\tS0567\tDtrack\tmalware\t-\tPreft\n"
    "C\tC0022\tOperation Dream Job\t-\tOperation North Star\t2019-09-01T04:00:00.000Z\t2020-08-01T04:00:00.000Z\n"
    "P\t0\tReport A\thttps://a.example/1\n"
    "P\t1\tReport B\thttps://b.example/2\n"
    "P\t2\tReport C\t\n"
    "R\tuses\tG0032\tT1059.001\t0,1\n"
    "R\tuses\tG0032\tT1505\t0\n"
    "R\tuses\tG0032\tS0567\t2\n"
    "R\tuses\tG0094\tT1059.001\t1\n"
    "R\tuses\tS0567\tT1059\t\n"
    "R\tuses\tC0022\tT1505\t0\n"
    "R\tuses\tC0022\tS0002\t\n"
    "R\tattributed-to\tC0022\tG0032\t\n"
    "R\tsubtechnique-of\tT1059.001\tT1059\t\n"
    "R\trevoked-by\tT1000\tT1059\t\n"
    "R\trevoked-by\tG0086\tG0094\t\n";

#endif
