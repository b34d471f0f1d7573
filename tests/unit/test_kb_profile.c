/* test_kb_profile.c — actor profiles: a good profile enriches its ATT&CK
 * group (aliases, claims, links marked from_profile), a spoor-only profile
 * adds a group, and every broken profile is rejected with a reason naming
 * the construct while the knowledge base stays as it was. */
#include <stdlib.h>

#include "test.h"
#include "kb_util.h"
#include "spoor.h"

static sp_kb *tiny(void)
{
    sp_kb *kb = NULL;
    sp_error err;
    sp_kb_new(&kb);
    CHECK_EQ_INT(sp_kb_load_attack_mem(kb, kb_file, strlen(kb_file), "tiny", &err), SP_OK);
    return kb;
}

#define REFS "references:\n  r1: {url: https://example.org/report, title: Report One}\n  r2: {url: http://example.org/two, title: Two, date: 2023-02-02}\n"

static const char good[] =
    "id: G0032\n"
    "name: Lazarus Group\n"
    "cluster: dprk\n"
    "aliases:\n  - {values: [Labyrinth Chollima, HIDDEN COBRA], refs: [r1]}\n"
    "countries:\n  - {value: kp, refs: [r1, r2], confidence: high}\n"
    "infra_countries:\n  - {values: [HK, US], refs: [r1], confidence: medium, note: relays}\n"
    "asns:\n  - {values: [AS131279, 4837], refs: [r2]}\n"
    "motivation:\n  - {value: Espionage, refs: [r1]}\n"
    "malware:\n  - {values: [Preft, GREASE2], refs: [r1]}\n"
    "tools:\n  - {value: 3Proxy, refs: [r2]}\n"
    "techniques:\n  - {values: [T1059.001, t1000], refs: [r1], confidence: low}\n"
    "sectors:\n  - {values: [Healthcare, energy], refs: [r2]}\n"
    "regions:\n  - {value: India, refs: [r2]}\n"
    "infrastructure:\n  bare_ip_c2: {value: true, refs: [r1]}\n  tor: {value: no, refs: [r2], confidence: low}\n"
    "working_hours: {utc_offset: \"+09:00\", days: mon-fri, hours: \"09-18\", refs: [r1], confidence: low}\n"
    "notes: free text\n"
    REFS;

TEST(kb_profile_good)
{
    sp_kb *kb = tiny();
    sp_error err;
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "lazarus.yml", good, strlen(good), &err), SP_OK);
    CHECK_EQ_INT(sp_kb_rejection_count(kb), 0);
    if (sp_kb_rejection_count(kb)) printf("  %s\n", sp_kb_rejection_at(kb, 0)->reason);
    size_t g;
    CHECK(sp_kb_lookup(kb, SP_KB_GROUP, "labyrinth chollima", &g));
    const sp_kb_object *o = sp_kb_object_at(kb, SP_KB_GROUP, g);
    CHECK_STR(o->id, "G0032");
    CHECK_EQ_INT(o->naliases, 3);            /* HIDDEN COBRA was known already */
    const sp_kb_profile *p = o->profile;
    CHECK(p != NULL);
    if (!p) { sp_kb_free(kb); return; }
    CHECK_STR(p->file, "lazarus.yml");
    CHECK_STR(p->cluster, "dprk");
    CHECK_STR(p->attack_id, "G0032");
    CHECK_EQ_INT(p->ncountries, 1);
    CHECK_STR(p->countries[0], "KP");
    CHECK_EQ_INT(p->ninfra_countries, 2);
    CHECK_EQ_INT(p->nasns, 2);
    CHECK_EQ_INT(p->asns[0], 131279);
    CHECK_EQ_INT(p->asns[1], 4837);
    CHECK_EQ_INT(p->nmotivations, 1);
    CHECK_STR(p->motivations[0], "espionage");
    CHECK_EQ_INT(p->nmalware, 3);            /* malware and tools */
    CHECK_EQ_INT(p->nsectors, 2);
    CHECK_STR(p->sectors[0], "healthcare");
    CHECK(p->hours.known);
    CHECK_EQ_INT(p->hours.utc_offset_min, 540);
    CHECK_EQ_INT(p->hours.weekdays, 0x1f);
    CHECK_EQ_INT(p->hours.start_hour, 9);
    CHECK_EQ_INT(p->hours.end_hour, 18);
    CHECK(p->hours.claim && p->hours.claim->confidence == SP_KB_CONF_LOW);
    if (p->hours.claim) CHECK_STR(p->hours.claim->value, "+09:00 mon,tue,wed,thu,fri 09-18");
    const sp_kb_claim *c = sp_kb_claim_find(p, "infrastructure.bare_ip_c2", "true");
    CHECK(c != NULL);
    if (c) {
        CHECK_EQ_INT(c->nreports, 1);
        CHECK_STR(sp_kb_report_at(kb, c->reports[0])->url, "https://example.org/report");
        CHECK(sp_kb_report_at(kb, c->reports[0])->from_profile);
    }
    CHECK(sp_kb_claim_find(p, "infrastructure.tor", "false") != NULL);
    c = sp_kb_claim_find(p, "countries", "KP");
    CHECK(c && c->nreports == 2 && c->confidence == SP_KB_CONF_HIGH);
    c = sp_kb_claim_find(p, "infra_countries", "US");
    CHECK(c && !strcmp(c->note, "relays"));
    CHECK(sp_kb_claim_find(p, "malware", "grease2") != NULL);
    CHECK(sp_kb_claim_find(p, "nothing", NULL) == NULL);
    /* techniques: T1059.001 merged with ATT&CK's link, T1000 followed to T1059 */
    const sp_kb_link *L;
    size_t n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, SP_KB_TECHNIQUE, &L);
    CHECK_EQ_INT(n, 3);
    for (size_t i = 0; i < n; i++) {
        const char *tid = sp_kb_object_at(kb, SP_KB_TECHNIQUE, L[i].target)->id;
        if (!strcmp(tid, "T1059.001")) { CHECK(L[i].from_attack && L[i].from_profile); CHECK_EQ_INT(L[i].nreports, 3); }
        else if (!strcmp(tid, "T1059")) CHECK(!L[i].from_attack && L[i].from_profile);
        else CHECK_STR(tid, "T1505");
    }
    /* software named by an alias links to ATT&CK's object; others stay claims */
    n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, SP_KB_SOFTWARE, &L);
    CHECK_EQ_INT(n, 1);
    if (n) CHECK(L[0].from_attack && L[0].from_profile);
    size_t t;
    CHECK(sp_kb_lookup(kb, SP_KB_TECHNIQUE, "T1059", &t));
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_TECHNIQUE, t, SP_KB_USED_BY, SP_KB_GROUP, NULL), 1);
    /* the ATT&CK counts do not change */
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    CHECK_EQ_INT(st.uses_group_technique, 3);
    CHECK_EQ_INT(st.profiles, 1);
    CHECK_EQ_INT(st.groups_profile_only, 0);
    sp_kb_free(kb);
}

static const char bianlian[] =
    "id: spoor-bianlian\nname: BianLian\ncluster: ecrime\n"
    "aliases:\n  - {value: BL Group, refs: [r1]}\n"
    "motivation:\n  - {value: financial, refs: [r1]}\n"
    "techniques:\n  - {value: T1505, refs: [r2]}\n"
    REFS;

TEST(kb_profile_own_group)
{
    sp_kb *kb = tiny();
    sp_error err;
    size_t before = sp_kb_count(kb, SP_KB_GROUP);
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "bianlian.yml", bianlian, strlen(bianlian), &err), SP_OK);
    CHECK_EQ_INT(sp_kb_rejection_count(kb), 0);
    CHECK_EQ_INT(sp_kb_count(kb, SP_KB_GROUP), before + 1);
    size_t g;
    CHECK(sp_kb_lookup(kb, SP_KB_GROUP, "bianlian", &g));
    CHECK(sp_kb_lookup(kb, SP_KB_GROUP, "BL group", &g));
    const sp_kb_object *o = sp_kb_object_at(kb, SP_KB_GROUP, g);
    CHECK_STR(o->id, "spoor-bianlian");
    CHECK(!o->in_attack && o->profile && !o->revoked);
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, SP_KB_TECHNIQUE, NULL), 1);
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    CHECK_EQ_INT(st.active[SP_KB_GROUP], 2);        /* ATT&CK's count stays */
    CHECK_EQ_INT(st.groups_profile_only, 1);
    /* loading ATT&CK after profiles is refused */
    CHECK_EQ_INT(sp_kb_load_attack_mem(kb, kb_file, strlen(kb_file), "late", &err), SP_ERR_ARG);
    sp_kb_free(kb);
    /* profiles without ATT&CK: every profile is a group of its own */
    sp_kb_new(&kb);
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "lazarus.yml", good, strlen(good), &err), SP_OK);
    CHECK_EQ_INT(sp_kb_rejection_count(kb), 0);
    CHECK(sp_kb_lookup(kb, SP_KB_GROUP, "G0032", &g));
    CHECK(!sp_kb_object_at(kb, SP_KB_GROUP, g)->in_attack);
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, SP_KB_TECHNIQUE, NULL), 0);
    sp_kb_free(kb);
}

static void rejected(const char *yaml, const char *want)
{
    sp_kb *kb = tiny();
    sp_error err;
    size_t ng = sp_kb_count(kb, SP_KB_GROUP);
    size_t nrep = 0;
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    nrep = st.reports;
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "broken.yml", yaml, strlen(yaml), &err), SP_OK);
    CHECK_EQ_INT(sp_kb_rejection_count(kb), 1);
    const sp_kb_rejection *r = sp_kb_rejection_at(kb, 0);
    if (r) {
        CHECK_STR(r->file, "broken.yml");
        if (!strstr(r->reason, want)) printf("  reason '%s' lacks '%s'\n", r->reason, want);
        CHECK(strstr(r->reason, want) != NULL);
    }
    /* nothing of it reached the kb */
    CHECK_EQ_INT(sp_kb_count(kb, SP_KB_GROUP), ng);
    sp_kb_get_stats(kb, &st);
    CHECK_EQ_INT(st.reports, nrep);
    CHECK_EQ_INT(st.profiles, 0);
    size_t g;
    CHECK(sp_kb_lookup(kb, SP_KB_GROUP, "G0032", &g) && sp_kb_object_at(kb, SP_KB_GROUP, g)->profile == NULL);
    CHECK(!sp_kb_lookup(kb, SP_KB_GROUP, "Labyrinth Chollima", &g));
    sp_kb_free(kb);
}

#define HEAD "id: G0032\nname: Lazarus Group\ncluster: dprk\nmotivation:\n  - {value: espionage, refs: [r1]}\n"

TEST(kb_profile_broken)
{
    rejected("", "exactly one YAML document");
    rejected("a: [1, 2\n", "YAML error");
    rejected("- a\n- b\n", "must be a YAML mapping");
    rejected("id: G0032\n---\nid: G0094\n", "exactly one YAML document");
    rejected(HEAD, "references: missing");
    rejected("name: X\ncluster: dprk\nmotivation:\n  - {value: espionage, refs: [r1]}\n" REFS, "id: expected a text value");
    rejected("id: G0032\nname: X\nmotivation:\n  - {value: espionage, refs: [r1]}\n" REFS, "cluster");
    rejected("id: G0032\nname: X\ncluster: dprk\n" REFS, "motivation: missing");
    rejected("id: lazarus\nname: X\ncluster: dprk\n" HEAD REFS, "neither an ATT&CK group ID");
    rejected(HEAD "colour: red\n" REFS, "unknown key 'colour'");
    rejected(HEAD "countries:\n  - KP\n" REFS, "every claim needs a reference");
    rejected(HEAD "countries:\n  - {value: KP}\n" REFS, "no refs");
    rejected(HEAD "countries:\n  - {value: KP, refs: r1}\n" REFS, "refs must be a list");
    rejected(HEAD "countries:\n  - {value: KP, refs: [r9]}\n" REFS, "reference 'r9' is not defined");
    rejected(HEAD "countries:\n  - {value: KOR, refs: [r1]}\n" REFS, "ISO 3166");
    rejected(HEAD "countries:\n  - {value: KP, values: [KR], refs: [r1]}\n" REFS, "exactly one of value / values");
    rejected(HEAD "countries:\n  - {value: KP, refs: [r1], confidence: sure}\n" REFS, "confidence must be");
    rejected(HEAD "asns:\n  - {value: ASX, refs: [r1]}\n" REFS, "not an AS number");
    rejected(HEAD "techniques:\n  - {value: T9999, refs: [r1]}\n" REFS, "T9999 is not in the loaded ATT&CK");
    rejected(HEAD "techniques:\n  - {value: 1059, refs: [r1]}\n" REFS, "not a technique ID");
    rejected("id: G0032\nname: X\ncluster: dprk\nmotivation:\n  - {value: greed, refs: [r1]}\n" REFS, "motivation: 'greed'");
    rejected(HEAD "infrastructure:\n  bare_ip_c2: {value: maybe, refs: [r1]}\n" REFS, "true or false");
    rejected(HEAD "infrastructure:\n  Bare-IP: {value: true, refs: [r1]}\n" REFS, "lower-case");
    rejected(HEAD "working_hours: {utc_offset: \"+25:00\", days: mon-fri, hours: \"09-18\", refs: [r1]}\n" REFS, "utc_offset");
    rejected(HEAD "working_hours: {utc_offset: \"+09:00\", days: fri-mon, hours: \"09-18\", refs: [r1]}\n" REFS, "days");
    rejected(HEAD "working_hours: {utc_offset: \"+09:00\", days: mon-fri, hours: \"18-09\", refs: [r1]}\n" REFS, "hours");
    rejected(HEAD "working_hours: {utc_offset: \"+09:00\", days: mon-fri, hours: \"09-18\"}\n" REFS, "no refs");
    rejected(HEAD "references:\n  r1: {url: ftp://x, title: T}\n", "url must start with");
    rejected(HEAD "references:\n  r1: {url: https://x}\n", "references.r1: expected a text value");
    rejected("id: G0999\nname: Nobody\ncluster: x\nmotivation:\n  - {value: espionage, refs: [r1]}\n" REFS, "G0999 is deprecated");
    rejected("id: G0123\nname: Nobody\ncluster: x\nmotivation:\n  - {value: espionage, refs: [r1]}\n" REFS, "G0123 is not a group of the loaded ATT&CK");
    rejected("id: G0086\nname: Stolen Pencil\ncluster: dprk\nmotivation:\n  - {value: espionage, refs: [r1]}\n" REFS, "revoked by G0094");
    rejected("id: spoor-x\nattack_id: G0032\nname: X\ncluster: dprk\nmotivation:\n  - {value: espionage, refs: [r1]}\n" REFS, "differs from id");
    rejected("id: spoor-kim\nname: Kimsuky\ncluster: dprk\nmotivation:\n  - {value: espionage, refs: [r1]}\n" REFS, "already names group G0094");
    rejected("id: spoor-x\nname: X\ncluster: dprk\naliases:\n  - {value: Velvet Chollima, refs: [r1]}\nmotivation:\n  - {value: espionage, refs: [r1]}\n" REFS, "already names group G0094");
    rejected(HEAD "countries:\n  - {value: \"K\\0\", refs: [r1]}\n" REFS, "NUL byte");
}

TEST(kb_profile_duplicate)
{
    sp_kb *kb = tiny();
    sp_error err;
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "a.yml", good, strlen(good), &err), SP_OK);
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "b.yml", good, strlen(good), &err), SP_OK);
    CHECK_EQ_INT(sp_kb_rejection_count(kb), 1);
    const sp_kb_rejection *r = sp_kb_rejection_at(kb, 0);
    CHECK(r && strstr(r->reason, "already has a profile (a.yml)"));
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "c.yml", bianlian, strlen(bianlian), &err), SP_OK);
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "d.yml", bianlian, strlen(bianlian), &err), SP_OK);
    CHECK_EQ_INT(sp_kb_rejection_count(kb), 2);
    r = sp_kb_rejection_at(kb, 1);
    CHECK(r && strstr(r->reason, "already names group spoor-bianlian"));
    sp_kb_free(kb);
}

/* the shipped profiles all load against the shipped KB */
TEST(kb_profile_shipped)
{
    FILE *f = fopen("intel/attack/enterprise-attack.kb.gz", "rb");
    if (!f) SKIP("intel/ not found (run from the repository root)");
    fclose(f);
    sp_kb *kb = NULL;
    sp_error err;
    sp_kb_new(&kb);
    CHECK_EQ_INT(sp_kb_load_attack(kb, "intel/attack/enterprise-attack.kb.gz", &err), SP_OK);
    CHECK_EQ_INT(sp_kb_add_profiles(kb, "intel/profiles", &err), SP_OK);
    for (size_t i = 0; i < sp_kb_rejection_count(kb); i++)
        printf("  rejected %s: %s\n", sp_kb_rejection_at(kb, i)->file, sp_kb_rejection_at(kb, i)->reason);
    CHECK_EQ_INT(sp_kb_rejection_count(kb), 0);
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    CHECK(st.profiles >= 25);
    size_t g;
    CHECK(sp_kb_lookup(kb, SP_KB_GROUP, "BianLian", &g));
    const sp_kb_object *o = sp_kb_object_at(kb, SP_KB_GROUP, g);
    CHECK(o->profile && !o->in_attack);
    CHECK(sp_kb_lookup(kb, SP_KB_GROUP, "G0032", &g));
    o = sp_kb_object_at(kb, SP_KB_GROUP, g);
    CHECK(o->profile && !strcmp(o->profile->cluster, "dprk"));
    if (o->profile) {
        CHECK(sp_kb_claim_find(o->profile, "infrastructure.bare_ip_c2", "true") != NULL);
        CHECK(sp_kb_claim_find(o->profile, "malware", "GREASE2") != NULL);
        CHECK(o->profile->hours.known && o->profile->hours.utc_offset_min == 540);
    }
    /* every claim of every profile has a reference with a URL */
    for (size_t i = 0; i < sp_kb_count(kb, SP_KB_GROUP); i++) {
        const sp_kb_profile *p = sp_kb_object_at(kb, SP_KB_GROUP, i)->profile;
        for (size_t k = 0; p && k < p->nclaims; k++) {
            CHECK(p->claims[k].nreports > 0);
            for (size_t r = 0; r < p->claims[k].nreports; r++) CHECK(sp_kb_report_at(kb, p->claims[k].reports[r])->url[0]);
        }
    }
    sp_kb_free(kb);
}
